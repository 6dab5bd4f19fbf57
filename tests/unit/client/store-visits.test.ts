import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { queueText } from "../../../web/src/client/conversations/messages.js";
import { applyFrame } from "../../../web/src/client/sync/push.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn, freshDb } from "./helpers.js";
import { countStoreVisits } from "./store-visits.js";

/** Alice and Bob in a direct chat whose epoch both hold, Bob's store counted. */
async function chat() {
  const server = new FakeServer();
  const aliceDb = freshDb();
  const bobDb = freshDb();
  const aliceVisits = countStoreVisits(aliceDb);
  const bobVisits = countStoreVisits(bobDb);
  const alice = clientOn(server, aliceDb);
  const bob = clientOn(server, bobDb);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  await alice.send(id, "first");
  await alice.sync.syncNow();
  await bob.sync.syncNow();
  return { server, alice, bob, id, aliceVisits, bobVisits };
}

function lastStored(server: FakeServer, id: ConversationId) {
  const m = server.conversations.get(id)!.messages.at(-1)!;
  return { type: "message" as const, conversationId: id, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt };
}

describe("one operation loads its context once", () => {
  test("one send reads the account once and visits the store a bounded number of times", async () => {
    const { alice, id, aliceVisits } = await chat();
    aliceVisits.reset();
    await queueText(alice.ctx, id, "second");
    // Before the send loaded its context once: 17 visits, the account read 5 times, the device twice,
    // the peer's contact 4 times. Now each row once: conversation, contact, account, device, chain, epoch.
    // And this account's own profile, once (profiles/share.ts: is it due in this chat?).
    for (const table of ["account", "device", "conversations", "contacts", "sendChains", "epochs", "profiles"]) expect(aliceVisits.reads(table), table).toBe(1);
    expect(aliceVisits.calls.length).toBeLessThanOrEqual(10);
    // The new state is written once, at the end: message, chain link and conversation time together.
    const firstWrite = aliceVisits.calls.findIndex((c) => c.includes(".mutate:"));
    expect(aliceVisits.calls.slice(firstWrite)).toEqual(["messages.mutate:put", "sendChains.mutate:put", "conversations.mutate:put"]);
    expect((await messageViews(alice.db, id)).map((m) => m.text)).toEqual(["first", "second"]);
  });

  test("applying one pushed message reads the conversation once before its one commit", async () => {
    const { server, alice, bob, id, bobVisits } = await chat();
    await alice.send(id, "pushed");
    await alice.sync.syncNow();
    bobVisits.reset();
    await applyFrame(bob.ctx, lastStored(server, id));
    // Before: 16 visits, the conversation read 3 times. Now once to judge the frame, and once inside the
    // commit's transaction, as the row its counters merge into (a send or rename meanwhile is kept).
    expect(bobVisits.reads("conversations")).toBe(2);
    expect(bobVisits.writes("conversations")).toBe(1);
    // 16 since the commit also reads the chat's block settings (a blocked contact's message does not move the chat).
    expect(bobVisits.calls.length).toBeLessThanOrEqual(16);
    expect((await messageViews(bob.db, id)).map((m) => m.text)).toEqual(["first", "pushed"]);
  });
});
