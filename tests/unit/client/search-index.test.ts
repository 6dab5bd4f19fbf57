import { afterEach, describe, expect, test, vi } from "vitest";
import { AttachmentId, generateAttachmentKey, cryptoEnvFrom, type ConversationId } from "../../../protocol/index.js";
import { queueContent } from "../../../web/src/client/conversations/messages.js";
import { FakeServer, chatBetween, clientOn, refOf } from "./helpers.js";

// The local search index between two real clients over the fake server (issue 20), on fake-indexeddb:
// built in the background from what is stored, kept true through edits and deletes, and every answer
// checked against the message as it reads now.

afterEach(() => vi.restoreAllMocks());

type Client = ReturnType<typeof clientOn>;
const env = cryptoEnvFrom(globalThis.crypto);

async function pair() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new FakeServer();
  return { server, ...(await chatBetween(server)) };
}

/** The texts of the results, as their snippets show them. */
async function found(c: Client, q: string, conversationId?: ConversationId) {
  return (await c.search.query(q, conversationId ? { conversationId } : {})).map((r) => r.snippet.text);
}

/** Every term the device's index holds (in its postings; its term rows must say the same). */
async function indexed(c: Client) {
  const terms = new Set((await c.db.searchPostings.toArray()).map((p) => p.t));
  expect(new Set(await c.db.searchTerms.toCollection().primaryKeys())).toEqual(terms);
  return terms;
}

describe("the search index", () => {
  test("finds received messages by word, by prefix, without accents, and in Japanese; newest first, with names and marks", async () => {
    const { alice, bob, id, both } = await pair();
    await alice.send(id, "Lunch at the Café tomorrow?");
    await alice.send(id, "東京に行きます");
    await bob.send(id, "tomorrow works");
    await both();
    await bob.search.catchUp();
    expect(await found(bob, "cafe")).toEqual(["Lunch at the Café tomorrow?"]);
    expect(await found(bob, "tomo")).toEqual(["tomorrow works", "Lunch at the Café tomorrow?"]);
    expect(await found(bob, "lunch tomorrow")).toEqual(["Lunch at the Café tomorrow?"]);
    expect(await found(bob, "東京")).toEqual(["東京に行きます"]);
    expect(await found(bob, "dinner")).toEqual([]);
    const [hit] = await bob.search.query("café");
    expect(hit).toMatchObject({ conversationId: id, conversationTitle: "alice", senderName: "alice", mine: false });
    expect(hit!.snippet.text.slice(hit!.snippet.ranges[0]!.start, hit!.snippet.ranges[0]!.end)).toBe("Café");
    const [own] = await bob.search.query("works");
    expect(own).toMatchObject({ senderName: "You", mine: true });
  });

  test("indexes in the background: progress counts what is left, and nothing is found before it is indexed", async () => {
    const { alice, bob, id, both } = await pair();
    for (let i = 0; i < 5; i++) await alice.send(id, `note number ${i}`);
    await both();
    const before = await bob.search.progress();
    expect(before.indexed).toBeLessThan(before.total);
    expect(await found(bob, "note")).toEqual([]);
    await bob.search.catchUp();
    const after = await bob.search.progress();
    expect(after.indexed).toBe(after.total);
    expect(await found(bob, "note")).toHaveLength(5);
  });

  test("started, it indexes each stored page soon after; while a history loads it waits, then catches up", async () => {
    const { alice, bob, id, both } = await pair();
    bob.search.start();
    try {
      await alice.send(id, "first page");
      await both();
      await vi.waitFor(async () => expect(await found(bob, "first")).toEqual(["first page"]), { timeout: 5_000, interval: 50 });
      await bob.search.holdWhile(async () => {
        await alice.send(id, "second page");
        await both();
        // Well past the indexer's settle time: nothing is indexed while the history loads.
        await new Promise((r) => setTimeout(r, 1_000));
        const p = await bob.search.progress();
        expect(p.indexed).toBeLessThan(p.total);
      });
      await vi.waitFor(async () => expect(await found(bob, "second")).toEqual(["second page"]), { timeout: 5_000, interval: 50 });
    } finally {
      bob.search.stop();
    }
  });

  test("an edited message is found by its new text only, even before the indexer reaches the edit", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "meet at the station");
    await both();
    await bob.search.catchUp();
    await alice.edit(id, refOf(m), "meet at the harbour");
    await both();
    // The edit is stored, not yet indexed: the old word still has a posting, but the answer is checked.
    expect(await indexed(bob)).toContain("station");
    expect(await found(bob, "station")).toEqual([]);
    await bob.search.catchUp();
    expect(await indexed(bob)).not.toContain("station");
    expect(await found(bob, "harbour")).toEqual(["meet at the harbour"]);
  });

  test("a message deleted for everyone leaves the index at once, on the receiving and the deleting device", async () => {
    const { alice, bob, id, both } = await pair();
    const secret = await alice.send(id, "the vault code is zebra");
    await alice.send(id, "zebras are striped");
    await both();
    await alice.search.catchUp();
    await bob.search.catchUp();
    await alice.deleteForEveryone(id, refOf(secret));
    // No indexer run: the delete took the words out in its own transaction.
    expect(await indexed(alice)).not.toContain("vault");
    await both();
    expect(await indexed(bob)).not.toContain("vault");
    expect(await found(bob, "zebra")).toEqual(["zebras are striped"]);
    await bob.search.catchUp();
    expect(await found(bob, "vault")).toEqual([]);
  });

  test("attachment file names and captions are searchable", async () => {
    const { server, alice, bob, id, both } = await pair();
    const attachment = AttachmentId.fromBytes(new Uint8Array(16).fill(7));
    server.attachments.set(attachment, { conversationId: id, bytes: new Uint8Array(64) });
    const fields = { id: attachment, key: generateAttachmentKey(env), size: 10, digest: new Uint8Array(32), mimeType: "application/pdf" };
    await queueContent(alice.ctx, id, { kind: "attachment", type: "file", ...fields, name: "Quarterly-Report_2026.pdf", caption: "numbers for Résumé" });
    await both();
    await bob.search.catchUp();
    expect((await bob.search.query("quarterly")).map((r) => r.key)).toHaveLength(1);
    expect((await bob.search.query("resume")).map((r) => r.key)).toHaveLength(1);
  });

  test("a search within one chat leaves the others out; the limit keeps the newest", async () => {
    const server = new FakeServer();
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { alice, bob, id, both } = await chatBetween(server);
    const carol = clientOn(server);
    await carol.signUp("carol");
    const other = await alice.startChat("carol");
    await alice.send(id, "budget for bob");
    await alice.send(other, "budget for carol");
    // Apart in time, so "newest" is one order (messages sent in the same millisecond tie).
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 3));
      await alice.send(id, `budget line ${i}`);
    }
    await both();
    await alice.search.catchUp();
    expect(await found(alice, "budget", other)).toEqual(["budget for carol"]);
    expect(await found(alice, "budget")).toHaveLength(6);
    expect((await alice.search.query("budget", { limit: 2 })).map((r) => r.snippet.text)).toEqual(["budget line 3", "budget line 2"]);
  });
});
