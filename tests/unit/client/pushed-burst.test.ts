import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { applyFrames } from "../../../web/src/client/sync/push.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { getCursor } from "../../../web/src/client/store/db.js";
import { FakeServer, clientOn, freshDb } from "./helpers.js";
import { countStoreVisits } from "./store-visits.js";

/** Alice and Bob in a direct chat; Alice sent `n` more messages that Bob has not fetched. */
async function burst(n: number) {
  const server = new FakeServer();
  const bobDb = freshDb();
  const bobVisits = countStoreVisits(bobDb);
  const alice = clientOn(server);
  const bob = clientOn(server, bobDb);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  await alice.send(id, "first");
  await alice.sync.syncNow();
  await bob.sync.syncNow();
  for (let i = 1; i <= n; i++) await alice.send(id, `burst ${i}`);
  await alice.sync.syncNow();
  return { server, bob, id, bobVisits };
}

function framesOf(server: FakeServer, id: ConversationId) {
  return server.conversations.get(id)!.messages.map((m) => ({ type: "message" as const, conversationId: id, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt }));
}

const texts = async (bob: Awaited<ReturnType<typeof burst>>["bob"], id: ConversationId) => (await messageViews(bob.db, id)).map((m) => m.text);
const expected = (n: number) => ["first", ...Array.from({ length: n }, (_, i) => `burst ${i + 1}`)];

describe("a burst of pushed messages", () => {
  test("is stored in one commit: one cursor write and one conversation write for 20 messages", async () => {
    const { server, bob, id, bobVisits } = await burst(20);
    const frames = framesOf(server, id).slice(1);
    bobVisits.reset();
    await applyFrames(bob.ctx, frames);
    expect(await texts(bob, id)).toEqual(expected(20));
    // One message at a time wrote the cursor and the conversation 20 times each.
    expect(bobVisits.writes("cursors")).toBe(1);
    expect(bobVisits.writes("conversations")).toBe(1);
    expect(bobVisits.calls.filter((c) => c === "messages.mutate:add" || c === "messages.mutate:put").length).toBeLessThanOrEqual(2);
    expect(await getCursor(bob.db, id)).toBe(21);
  });

  test("pushed out of order and twice, every message is stored once, in server order", async () => {
    const { server, bob, id } = await burst(6);
    const f = framesOf(server, id).slice(1);
    await applyFrames(bob.ctx, [f[2]!, f[0]!, f[1]!, f[0]!, f[5]!, f[3]!, f[4]!, f[2]!]);
    expect(await texts(bob, id)).toEqual(expected(6));
  });

  test("a gap in what was pushed is fetched by cursor, before and after the run", async () => {
    const { server, bob, id } = await burst(8);
    const f = framesOf(server, id).slice(1);
    // seq 2 and 3 were pushed, 4 and 5 lost, 6..9 pushed: 4 and 5 come by cursor.
    await applyFrames(bob.ctx, [f[0]!, f[1]!, f[4]!, f[5]!, f[6]!, f[7]!]);
    expect(await texts(bob, id)).toEqual(expected(8));
    // Only the newest pushed: everything before it comes by cursor.
    const again = await burst(3);
    await applyFrames(again.bob.ctx, framesOf(again.server, again.id).slice(-1));
    expect(await texts(again.bob, again.id)).toEqual(expected(3));
  });

  test("frames already behind the cursor change nothing", async () => {
    const { server, bob, id, bobVisits } = await burst(3);
    await applyFrames(bob.ctx, framesOf(server, id).slice(1));
    bobVisits.reset();
    await applyFrames(bob.ctx, framesOf(server, id));
    expect(bobVisits.calls.filter((c) => c.includes(".mutate:"))).toEqual([]);
    expect(await texts(bob, id)).toEqual(expected(3));
  });
});
