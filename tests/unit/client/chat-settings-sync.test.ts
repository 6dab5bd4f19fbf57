import { afterEach, describe, expect, test, vi } from "vitest";
import { DeviceId, fromBase64url, sealChatSettings, type ChatSettings, type ConversationId } from "../../../protocol/index.js";
import { getChatPrefs } from "../../../web/src/client/chats/chat-controls.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { verificationFrom } from "../../../web/src/client/sync/chat-settings.js";
import type { ContactRow } from "../../../web/src/client/store/rows.js";
import { getAccount, getContact, getConversation, getDevice, putAccount } from "../../../web/src/client/store/db.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { testCrypto } from "../../support/crypto-env.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { secondDeviceDb } from "./second-device.js";

// Issue 21: chat-list settings and the verified mark follow the account to its other devices, through a
// record per chat sealed under the account history key with a Lamport revision (sync/chat-settings.ts).

afterEach(() => vi.restoreAllMocks());

/** Alice on two devices, Bob and Carol on one each, in chats Alice started. */
async function world() {
  const server = new LyingServer();
  const alice1 = clientOn(server);
  await alice1.signUp("alice");
  const bob = clientOn(server);
  await bob.signUp("bob");
  const carol = clientOn(server);
  await carol.signUp("carol");
  const alice2 = clientOn(server, await secondDeviceDb(server, alice1));
  const id = await alice1.startChat("bob");
  const other = await alice1.startChat("carol");
  await sync(alice1, alice2, bob, carol);
  return { server, alice1, alice2, bob, carol, id, other, bobId: server.accountIdOf("bob"), aliceId: server.accountIdOf("alice") };
}
type World = Awaited<ReturnType<typeof world>>;

async function sync(...cs: ChatClient[]): Promise<void> {
  for (const c of cs) {
    await c.sync.syncNow();
    await c.sync.settled();
  }
}

const prefs = async (c: ChatClient, id: ConversationId) => {
  const { revision: _r, writer: _w, generation: _g, ...rest } = await getChatPrefs(c.db, id);
  return rest;
};
const verified = async (c: ChatClient, w: World) => (await getContact(c.db, w.bobId))?.verified !== undefined;
const stored = (w: World, id: ConversationId) => w.server.chatSettings.byAccount.get(w.aliceId)?.get(id);

/** A record sealed under `c`'s account history key (current generation unless given). */
async function sealAs(c: ChatClient, id: ConversationId, revision: number, s: Partial<ChatSettings>, generation?: number): Promise<Uint8Array> {
  const a = (await getAccount(c.db))!;
  const writer = (await getDevice(c.db))!.deviceId;
  return sealChatSettings(testCrypto, { historyKey: a.historyKey, historyPublic: a.historyPublic, generation: generation ?? a.historyGeneration }, id, revision, { writer, hidden: [], ...s });
}

describe("chat settings between one account's devices", () => {
  test("pin, archive, mark unread, block and unblock on device 1 show on device 2 after its sync", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.id, true);
    await sync(w.alice1, w.alice2);
    expect((await prefs(w.alice2, w.id)).pinOrder).toBe((await prefs(w.alice1, w.id)).pinOrder);
    await w.alice1.chats.archive(w.other, true);
    await w.alice1.chats.markUnread(w.id, true);
    await sync(w.alice1, w.alice2);
    expect(await prefs(w.alice2, w.other)).toEqual(await prefs(w.alice1, w.other));
    expect((await prefs(w.alice2, w.id)).markedUnread).toBe(true);
    await w.alice1.chats.block(w.id, true);
    await sync(w.alice1, w.alice2);
    expect((await prefs(w.alice2, w.id)).blockedSince).toBeDefined();
    await w.bob.send(w.id, "while blocked");
    await sync(w.bob, w.alice1, w.alice2);
    await w.alice1.chats.block(w.id, false);
    await sync(w.alice1, w.alice2);
    const two = await prefs(w.alice2, w.id);
    expect(two.blockedSince).toBeUndefined();
    expect(two.hidden).toHaveLength(1);
    expect(two).toEqual(await prefs(w.alice1, w.id));
    // Device 2 can send again; what arrived while blocked stays hidden on both.
    await expect(w.alice2.chats.assertNotBlocked(w.id)).resolves.toBeUndefined();
  });

  test("a change on device 2 goes back to device 1: the revision counts on from the highest seen", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.id, true);
    await sync(w.alice1, w.alice2);
    const r1 = (await getChatPrefs(w.alice2.db, w.id)).revision!;
    await w.alice2.chats.pin(w.id, false);
    await sync(w.alice2, w.alice1);
    expect((await prefs(w.alice1, w.id)).pinOrder).toBeUndefined();
    expect((await getChatPrefs(w.alice1.db, w.id)).revision).toBe(r1 + 1);
    expect(stored(w, w.id)?.revision).toBe(r1 + 1);
  });

  test("marking Bob verified on device 1 marks him on device 2; clearing clears it", async () => {
    const w = await world();
    await w.alice1.verification.mark(w.bobId);
    await sync(w.alice1, w.alice2);
    expect(await verified(w.alice2, w)).toBe(true);
    expect((await getContact(w.alice2.db, w.bobId))?.verified?.identityKey).toEqual((await getContact(w.alice1.db, w.bobId))?.verified?.identityKey);
    await w.alice1.verification.clear(w.bobId);
    await sync(w.alice1, w.alice2);
    expect(await verified(w.alice2, w)).toBe(false);
  });

  test("a verified mark bound to another identity key is not applied", async () => {
    const w = await world();
    await w.server.chatSettings.replay(w.aliceId, w.id, Buffer.from(await sealAs(w.alice1, w.id, 5, { verifiedIdentity: new Uint8Array(32).fill(9) })).toString("base64url"));
    await sync(w.alice2);
    expect((await getChatPrefs(w.alice2.db, w.id)).revision).toBe(5);
    expect(await verified(w.alice2, w)).toBe(false);
  });

  test("a server replaying an older record changes nothing", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.id, true);
    await sync(w.alice1);
    const old = stored(w, w.id)!.sealed;
    await w.alice1.chats.archive(w.id, true);
    await sync(w.alice1, w.alice2);
    const before = await getChatPrefs(w.alice2.db, w.id);
    expect(before.archivedAt).toBeDefined();
    w.server.chatSettings.replay(w.aliceId, w.id, old);
    await sync(w.alice2);
    expect(await getChatPrefs(w.alice2.db, w.id)).toEqual(before);
  });

  test("another conversation's record served for this one is refused and counted; nothing changes", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.other, true);
    await sync(w.alice1);
    const carolsChat = stored(w, w.other)!.sealed;
    const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
    w.server.chatSettings.replay(w.aliceId, w.id, carolsChat);
    const before = await getChatPrefs(w.alice2.db, w.id);
    const rejected = (await getConversation(w.alice2.db, w.id))!.rejected;
    await sync(w.alice2);
    expect(await getChatPrefs(w.alice2.db, w.id)).toEqual(before);
    expect((await getConversation(w.alice2.db, w.id))!.rejected).toBe(rejected + 1);
    expect(warn).toHaveBeenCalled();
  });

  test("a record of an older history generation (a removed device's) is ignored; after a rotation the state is sealed again under the new one", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.id, true);
    await sync(w.alice1, w.alice2);
    // Device 2 moves to generation 1 (the same key pair is enough for this test: only the number is judged).
    const a2 = (await getAccount(w.alice2.db))!;
    await putAccount(w.alice2.db, { ...a2, historyGeneration: 1 });
    await sync(w.alice2);
    const resealed = stored(w, w.id)!;
    expect(fromBase64url(resealed.sealed)[4]).toBe(1);
    expect((await getChatPrefs(w.alice2.db, w.id)).generation).toBe(1);
    // A record of generation 0 now changes nothing on device 2.
    w.server.chatSettings.replay(w.aliceId, w.id, Buffer.from(await sealAs(w.alice1, w.id, 99, { markedUnread: true }, 0)).toString("base64url"));
    const before = await getChatPrefs(w.alice2.db, w.id);
    await sync(w.alice2);
    expect(await getChatPrefs(w.alice2.db, w.id)).toEqual(before);
  });

  /** Alice's two devices, the one with the lower device id first. */
  async function byDeviceId(w: World): Promise<[ChatClient, ChatClient]> {
    const d1 = DeviceId.toBytes((await getDevice(w.alice1.db))!.deviceId);
    const d2 = DeviceId.toBytes((await getDevice(w.alice2.db))!.deviceId);
    return Buffer.compare(Buffer.from(d1), Buffer.from(d2)) < 0 ? [w.alice1, w.alice2] : [w.alice2, w.alice1];
  }

  test("two devices writing the same revision offline: the later one with the higher device id gets 409, still wins the tie and is resent above", async () => {
    const w = await world();
    const [low, high] = await byDeviceId(w);
    await low.chats.pin(w.id, true);
    await high.chats.markUnread(w.id, true);
    await sync(low); // revision 1 of the lower id is stored
    await sync(high); // its revision 1 is refused (409), fetched, judged newer by id, and sent again as 2
    await sync(low);
    expect(stored(w, w.id)?.revision).toBe(2);
    const a = await getChatPrefs(low.db, w.id);
    expect(a).toEqual(await getChatPrefs(high.db, w.id));
    expect(a.writer).toBe((await getDevice(high.db))!.deviceId);
    expect([a.markedUnread, a.pinOrder]).toEqual([true, undefined]);
    expect(await low.db.settingsShares.count()).toBe(0);
    expect(await high.db.settingsShares.count()).toBe(0);
  });

  test("two devices writing the same revision offline: the later one with the lower device id gets 409, loses the tie and sends nothing more", async () => {
    const w = await world();
    const [low, high] = await byDeviceId(w);
    await high.chats.pin(w.id, true);
    await low.chats.markUnread(w.id, true);
    await sync(high);
    await sync(low);
    await sync(high);
    expect(stored(w, w.id)?.revision).toBe(1);
    const a = await getChatPrefs(low.db, w.id);
    expect(a).toEqual(await getChatPrefs(high.db, w.id));
    expect(a.writer).toBe((await getDevice(high.db))!.deviceId);
    expect([a.markedUnread, a.pinOrder !== undefined]).toEqual([undefined, true]);
    expect(await low.db.settingsShares.count()).toBe(0);
  });

  test("a newer change on the other device wins over an older queued one: the 409 is followed by the newer record, not a resend", async () => {
    const w = await world();
    await w.alice1.chats.pin(w.id, true);
    await sync(w.alice1, w.alice2);
    await w.alice2.chats.archive(w.id, true); // revision 2
    await w.alice2.chats.archive(w.id, false); // revision 3
    await sync(w.alice2);
    await w.alice1.chats.markUnread(w.id, true); // revision 2 on device 1, which has not seen 3
    await sync(w.alice1);
    expect(stored(w, w.id)?.revision).toBe(3);
    const a = await getChatPrefs(w.alice1.db, w.id);
    expect(a.revision).toBe(3);
    expect(a.markedUnread).toBeUndefined();
    expect(await w.alice1.db.settingsShares.count()).toBe(0);
  });

  test("Delete chat on device 1 deletes the messages on device 2 up to the same position", async () => {
    const w = await world();
    await w.bob.send(w.id, "one");
    await w.bob.send(w.id, "two");
    await sync(w.bob, w.alice1, w.alice2);
    expect(await messageViews(w.alice2.db, w.id)).toHaveLength(2);
    await w.alice1.chats.deleteLocally(w.id);
    await sync(w.alice1, w.alice2);
    expect(await messageViews(w.alice2.db, w.id)).toHaveLength(0);
    await w.bob.send(w.id, "three");
    await sync(w.bob, w.alice2);
    expect((await messageViews(w.alice2.db, w.id)).map((m) => m.text)).toEqual(["three"]);
  });
});

describe("a fetched verification applies only to the identity it names", () => {
  const key = new Uint8Array(32).fill(1);
  const other = new Uint8Array(32).fill(2);
  const writer = DeviceId.fromBytes(new Uint8Array(16).fill(3));
  const contact = { accountId: "x", username: "bob", status: "verified", log: [] } as unknown as ContactRow;

  test("marks the current key, never another; a record without a mark clears it", () => {
    expect(verificationFrom(contact, { writer, hidden: [], verifiedIdentity: key }, key, 4, 9).verified).toEqual({ identityKey: key, seq: 4, at: 9 });
    expect(verificationFrom(contact, { writer, hidden: [], verifiedIdentity: other }, key, 4, 9).verified).toBeUndefined();
    const marked = { ...contact, verified: { identityKey: key, seq: 1, at: 1 } };
    expect(verificationFrom(marked, { writer, hidden: [] }, key, 4, 9).verified).toBeUndefined();
    // Already marked for this key: the mark and its time stay.
    expect(verificationFrom(marked, { writer, hidden: [], verifiedIdentity: key }, key, 4, 9).verified).toEqual(marked.verified);
  });

  test("a contact whose identity changed is not marked; Trust again clears the warning only for the current key", () => {
    const changed = { ...contact, status: "identity_changed" } as ContactRow;
    expect(verificationFrom(changed, { writer, hidden: [], verifiedIdentity: key }, key, 4, 9).verified).toBeUndefined();
    const warned = { ...contact, keyChanged: { seq: 3, at: 1 } };
    expect(verificationFrom(warned, { writer, hidden: [], trustedIdentity: other }, key, 4, 9).keyChanged).toBeDefined();
    expect(verificationFrom(warned, { writer, hidden: [], trustedIdentity: key }, key, 4, 9).keyChanged).toBeUndefined();
    // Marking verified acknowledges the change too.
    expect(verificationFrom(warned, { writer, hidden: [], verifiedIdentity: key }, key, 4, 9).keyChanged).toBeUndefined();
  });
});
