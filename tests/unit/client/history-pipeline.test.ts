import { afterEach, expect, test, vi } from "vitest";
import { conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";

// receive.ts judges a fetched page (crypto) while the page before it is still being written. The commits
// stay in seq order, each against what the pages before it stored: an envelope of the first page served
// again in the second (a replay across the page boundary) is refused as a replay, and the sender's next
// message shows after a gap of one, exactly as when the pages were handled one after the other.

const MESSAGES = /^\/api\/conversations\/[^/]+\/messages$/;
/** The first page served holds this many (a page boundary the test places). */
const PAGE = 200;

afterEach(() => vi.restoreAllMocks());

test("an envelope of page one replayed at the start of page two is refused in order, the next message shows after a gap", async () => {
  const server = new LyingServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  const count = PAGE + 3;
  for (let i = 0; i < count; i++) await alice.send(id, `m${i}`);
  await alice.sync.syncNow();

  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  type Page = { messages: Array<{ seq: number; envelope: string; receivedAt: number }>; more: boolean };
  let firstPage: Page["messages"] = [];
  server.lie("GET", MESSAGES, (body: Page, url: URL) => {
    // The client asks for more per page than this; the server may answer with fewer (its byte limit).
    if (url.searchParams.get("after") === "0") return { messages: (firstPage = body.messages.slice(0, PAGE)), more: true };
    if (url.searchParams.get("after") !== String(PAGE)) return body;
    // seq 201 (m200) is served as the envelope at seq 100 (m99) again.
    const replayed = firstPage.find((m) => m.seq === 100)!;
    return { ...body, messages: body.messages.map((m) => (m.seq === PAGE + 1 ? { ...m, envelope: replayed.envelope } : m)) };
  });
  await bob.sync.syncNow();

  expect(firstPage.length).toBe(PAGE);
  const views = await messageViews(bob.db, id);
  const expected = Array.from({ length: count }, (_, i) => `m${i}`).filter((t) => t !== `m${PAGE}`);
  expect(views.map((v) => v.text)).toEqual(expected);
  expect(views.find((v) => v.text === `m${PAGE + 1}`)?.missingBefore).toBe(1);
  expect(views.filter((v) => (v.missingBefore ?? 0) > 0).length).toBe(1);
  expect((await conversationView(bob.db, id))?.rejected).toBe(1);
  const why = warn.mock.calls.filter((c) => String(c[0]).includes("refused")).map((c) => String((c[1] as { code?: string })?.code ?? c[1]));
  expect(why).toEqual(["replay"]);
}, 120_000);
