// Issue 15: the server refuses a message under an epoch older than the conversation's newest (409
// stale_epoch). Messages written offline under the old epoch are then sealed again under the new one and
// sent, once each, in order, with their chain unbroken: the refusal never shows as a failed message.
import { describe, expect, test } from "vitest";
import { createEpochBundle, decodeEnvelope, directMembershipHead, fromBase64url, toBase64url, type ConversationId } from "../../../protocol/index.js";
import { getAccount, getDevice } from "../../../web/src/client/store/db.js";
import { stateOf } from "../../../web/src/client/identity/logs.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

type Client = ReturnType<typeof clientOn>;

/**
 * Bob's device makes the conversation's next epoch, as his client would after a device change, and the
 * server stores it (put straight into the fake's state: Alice must not reach the server before it is there).
 */
async function bobMakesNextEpoch(server: FakeServer, bob: Client, alice: Client, id: ConversationId, epoch: number): Promise<void> {
  const b = (await getAccount(bob.db))!;
  const a = (await getAccount(alice.db))!;
  const device = (await getDevice(bob.db))!;
  const made = await createEpochBundle(bob.ctx.env, {
    conversationId: id,
    epoch,
    creator: { accountId: b.accountId, deviceId: device.deviceId, signingKey: device.signingKey },
    membershipHead: await directMembershipHead(bob.ctx.env, a.accountId, b.accountId),
    members: [await stateOf(bob.ctx, a.accountId), await stateOf(bob.ctx, b.accountId)],
    createdAt: Date.now(),
  });
  const c = server.conversations.get(id)!;
  c.epochs.set(epoch, toBase64url(made.bytes));
  c.newestPosted = epoch;
}

describe("a message under an old epoch", () => {
  test("written offline, refused as stale when back: sealed again under the new epoch and sent once, in order", async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    const bob = clientOn(server);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const id = await alice.startChat("bob");
    await alice.send(id, "before");
    await alice.sync.syncNow();
    await bob.sync.syncNow();
    await bob.openConversation(id);

    server.offline = true;
    for (const t of ["one", "two", "three"]) await alice.send(id, t);
    await alice.sync.syncNow();
    await bobMakesNextEpoch(server, bob, alice, id, 1);
    server.offline = false;

    await alice.sync.syncNow();
    await alice.sync.syncNow();
    const mine = await messageViews(alice.db, id);
    expect(mine.map((m) => `${m.text}:${m.status}`)).toEqual(["before:sent", "one:sent", "two:sent", "three:sent"]);

    // Stored once each, the three under epoch 1, their counters and chain continuing from "before".
    const stored = server.conversations.get(id)!.messages.map((m) => decodeEnvelope(fromBase64url(m.envelope)));
    expect(stored.map((e) => [e.header.epoch, e.header.counter])).toEqual([[0, 1], [1, 2], [1, 3], [1, 4]]);
    expect(server.requests.filter((r) => r.startsWith("POST") && r.endsWith("/messages")).length).toBeGreaterThan(4);

    await bob.sync.syncNow();
    const bobs = await messageViews(bob.db, id);
    expect(bobs.map((m) => m.text)).toEqual(["before", "one", "two", "three"]);
  });
});
