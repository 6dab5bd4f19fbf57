import { afterEach, describe, expect, test, vi } from "vitest";
import { cryptoEnvFrom, decodeBundle, fromBase64url, openEpochBundle, verifyLog, type ConversationId } from "../../../protocol/index.js";
import { getAccount, getContact } from "../../../web/src/client/store/db.js";
import { applyFrame } from "../../../web/src/client/sync/push.js";
import { conversationView, messageViews } from "../../../web/src/client/views/views.js";
import type { TestAccount } from "../../support/account.js";
import { makeEnvelope } from "../../support/conversation.js";
import { makeDevice } from "../../support/device-log.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { clientAddsDevice, clientRevokesDevice, makesDirectEpoch, registerNodeAccount, revokes, serverStores, twoDevices } from "./node-account.js";

const env = cryptoEnvFrom(globalThis.crypto);

// Issue 15 item 3: after Bob's client has verified Alice's revoke of her device A2, A2 (with the server)
// injects a new message under the old epoch, citing Alice's log from before the revoke. Once a client has
// verified a device's removal it shows nothing new from it; what A2 wrote before stays readable.

afterEach(() => vi.restoreAllMocks());

async function shown(c: ReturnType<typeof clientOn>, id: ConversationId) {
  return {
    rejected: (await conversationView(c.db, id))?.rejected,
    messages: (await messageViews(c.db, id)).map((m) => `${m.senderName}:${m.text}`),
  };
}

async function setting() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new LyingServer();
  const alice = await registerNodeAccount(server, "alice");
  const { a1, a2, withA2 } = await twoDevices(server, alice);
  const bob = clientOn(server);
  await bob.signUp("bob");
  const id = await bob.startChat(alice.username);
  // A2 makes epoch 1 while it is Alice's, and writes under it.
  const { as: asA2, epoch } = await makesDirectEpoch(server, alice, a2, withA2.state, id, "bob", 1);
  serverStores(server, id, (await makeEnvelope(asA2, epoch, "from A2 before the revoke")).bytes);
  await bob.sync.syncNow();
  expect((await shown(bob, id)).messages).toEqual([`${alice.username}:from A2 before the revoke`]);
  const revoked = await revokes(server, alice, withA2, a2, a1);
  return { server, alice, bob, id, asA2, epoch, revoked };
}

describe("a revoked device's late message", () => {
  test("injected under the old epoch after Bob verified the revoke: not shown, counted; the earlier one stays", async () => {
    const s = await setting();
    await applyFrame(s.bob.ctx, { type: "log", accountId: s.alice.accountId, seq: 2 });
    expect((await getContact(s.bob.db, s.alice.accountId))!.head.seq).toBe(2);

    serverStores(s.server, s.id, (await makeEnvelope(s.asA2, s.epoch, "late, from the revoked A2")).bytes);
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 1, messages: [`${s.alice.username}:from A2 before the revoke`] });
  });

  test("its messages stored before the revoke was known stay readable, also when the history is loaded anew", async () => {
    const s = await setting();
    await applyFrame(s.bob.ctx, { type: "log", accountId: s.alice.accountId, seq: 2 });
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 0, messages: [`${s.alice.username}:from A2 before the revoke`] });
    // The same account on a device that learns Alice's log with the revoke already in it reads it as history.
    const db = s.bob.db;
    await db.transaction("rw", [db.contacts, db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs], async () => {
      for (const t of [db.contacts, db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs]) await t.clear();
    });
    const again = clientOn(s.server, db);
    await again.sync.syncNow();
    expect(await shown(again, s.id)).toEqual({ rejected: 0, messages: [`${s.alice.username}:from A2 before the revoke`] });
  });
});

describe("a revoked device's late message, on the account's remaining device", () => {
  test("Alice's own device shows what A2 wrote before the revoke, and nothing A2 writes after it", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = new LyingServer();
    const alice = clientOn(server);
    const bob = clientOn(server);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const a2 = await makeDevice();
    await clientAddsDevice(server, alice, a2);
    const before = (await getAccount(alice.db))!;
    const id = await alice.startChat("bob");
    // A2 opens epoch 0 (made by Alice's first device, wrapped to A2 too) and writes under it.
    const bytes = fromBase64url(server.conversations.get(id)!.epochs.get(0)!);
    const b = decodeBundle(bytes);
    const logOf = (name: string) => server.accounts.get(server.accountIdOf(name))!.log.map(fromBase64url);
    const members = new Map([
      [before.accountId, await verifyLog(env, logOf("alice"))],
      [server.accountIdOf("bob"), await verifyLog(env, logOf("bob"))],
    ]);
    const { ck } = await openEpochBundle(env, bytes, { conversationId: id, membershipHead: b.membershipHead, members, me: { accountId: before.accountId, deviceId: a2.deviceId, boxKey: a2.box.privateKey } });
    const asA2 = { accountId: before.accountId, deviceId: a2.deviceId, state: members.get(before.accountId)!, keys: { deviceSigning: a2.signing } } as unknown as TestAccount;
    const epoch = { conversationId: id, epoch: 0, keyId: b.keyId, ck, bundle: b, bytes };
    serverStores(server, id, (await makeEnvelope(asA2, epoch, "from A2 before the revoke")).bytes);
    await alice.sync.syncNow();
    expect((await messageViews(alice.db, id)).map((m) => m.text)).toEqual(["from A2 before the revoke"]);

    await clientRevokesDevice(server, alice, a2);
    serverStores(server, id, (await makeEnvelope(asA2, epoch, "late, from the revoked A2")).bytes);
    await alice.sync.syncNow();
    expect(await shown(alice, id)).toEqual({ rejected: 1, messages: ["alice:from A2 before the revoke"] });
  });
});
