import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientMessageId, exportPublic, fromBase64url, generateBoxPair, sealReadState, toBase64url, type ConversationId, type ReadState } from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { getAccount, getConversation, getDevice, putAccount } from "../../../web/src/client/store/db.js";
import { conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { testCrypto } from "../../support/crypto-env.js";
import { clientOn, liveClientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { cryptoKey, secondDeviceDb } from "./second-device.js";

// Issue 17: the account's own devices learn what it read, read receipts on or off (docs/decisions.md
// "Receipts and unread"), through a read state sealed under the account history key (sync/read-state.ts).

afterEach(() => vi.restoreAllMocks());

/** Alice on two devices (read receipts off on both), Bob on one, in a chat Alice started. */
async function world(o: { live?: boolean } = {}) {
  const server = new LyingServer();
  const alice1 = clientOn(server);
  await alice1.signUp("alice");
  const bob = clientOn(server);
  await bob.signUp("bob");
  const db2 = await secondDeviceDb(server, alice1);
  const alice2 = o.live ? liveClientOn(server, { db: db2 }) : clientOn(server, db2);
  if (o.live) await alice2.start();
  for (const a of [alice1, alice2]) a.settings.readReceipts = false;
  const id = await alice1.startChat("bob");
  await sync(alice1, alice2, bob);
  return { server, alice1, alice2, bob, id };
}

async function sync(...cs: ChatClient[]): Promise<void> {
  for (const c of cs) {
    await c.sync.syncNow();
    await c.sync.settled();
  }
}

/** Sends the marks (and read states) that are due and posts them. */
async function marks(c: ChatClient): Promise<void> {
  await c.receipts.flush();
  await sync(c);
}

const unread = async (c: ChatClient, id: ConversationId) => (await conversationView(c.db, id))?.unread;
const readUpTo = async (c: ChatClient, id: ConversationId) => (await getConversation(c.db, id))?.readUpTo;
const rejected = async (c: ChatClient, id: ConversationId) => (await getConversation(c.db, id))?.rejected;
/** A read state sealed under `c`'s account history key, saying what a test wants. */
async function sealAs(c: ChatClient, id: ConversationId, state: ReadState): Promise<Uint8Array> {
  const a = (await getAccount(c.db))!;
  return sealReadState(testCrypto, { historyKey: a.historyKey, historyPublic: a.historyPublic, generation: a.historyGeneration }, id, state);
}

const ticks = async (c: ChatClient, id: ConversationId) => (await messageViews(c.db, id)).filter((m) => m.mine).map((m) => m.delivery?.state ?? m.status);

/** Bob writes `texts`; everyone fetches them. */
async function bobSays(w: Awaited<ReturnType<typeof world>>, ...texts: string[]): Promise<void> {
  for (const t of texts) await w.bob.send(w.id, t);
  await sync(w.bob, w.alice1, w.alice2);
}

/** The sealed read state the server holds for Alice in the chat. */
function storedBlob(w: Awaited<ReturnType<typeof world>>): string {
  const own = w.server.readState.byAccount.get(w.server.accountIdOf("alice"));
  return own!.get(w.id)!.sealed;
}

describe("read state between one account's devices, with read receipts off", () => {
  test("reading on device 1 clears unread on device 2 after its sync, and Bob sees no read tick", async () => {
    const w = await world();
    await bobSays(w, "are you there?", "lunch?");
    expect(await unread(w.alice1, w.id)).toBe(2);
    expect(await unread(w.alice2, w.id)).toBe(2);
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    expect(await unread(w.alice1, w.id)).toBe(0);
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(0);
    expect(await readUpTo(w.alice2, w.id)).toBe(await readUpTo(w.alice1, w.id));
    // Nothing in the conversation says Alice read it: Bob's ticks stop at delivered.
    await sync(w.bob);
    expect(await ticks(w.bob, w.id)).toEqual(["delivered", "delivered"]);
    expect(w.server.requests.filter((r) => r.startsWith("PUT /api/me/read-state/"))).toHaveLength(1);
  });

  test("the realtime nudge clears unread on device 2 at once, without a sync pass", async () => {
    const w = await world({ live: true });
    await w.bob.send(w.id, "ping");
    await sync(w.bob, w.alice1);
    await vi.waitFor(async () => expect(await unread(w.alice2, w.id)).toBe(1));
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    await vi.waitFor(async () => expect(await unread(w.alice2, w.id)).toBe(0));
    w.alice2.stop();
  });

  test("a chat read offline shares its read state once the network is back", async () => {
    const w = await world();
    await bobSays(w, "are you there?");
    w.server.offline = true;
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    await sync(w.alice1);
    w.server.offline = false;
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(1);
    await sync(w.alice1, w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(0);
  });

  test("with read receipts on, both the read mark and the read state go out, and Bob sees read", async () => {
    const w = await world();
    w.alice1.settings.readReceipts = true;
    w.bob.settings.readReceipts = true;
    await bobSays(w, "hello");
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    await sync(w.alice2, w.bob);
    expect(await unread(w.alice2, w.id)).toBe(0);
    expect(await ticks(w.bob, w.id)).toEqual(["read"]);
  });
});

describe("read states a lying server serves", () => {
  test("an older read state served after a newer one never lowers readUpTo", async () => {
    const w = await world();
    await bobSays(w, "one");
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    const older = storedBlob(w);
    w.alice1.receipts.close(w.id);
    await bobSays(w, "two");
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    await sync(w.alice2);
    const newest = (await readUpTo(w.alice2, w.id))!;
    expect(await unread(w.alice2, w.id)).toBe(0);
    const lie = w.server.lie("GET", /^\/api\/me\/read-state$/, () => ({ states: [{ conversationId: w.id, sealed: older, version: 1000 }], more: false }));
    await sync(w.alice2);
    expect(w.server.told[lie]).toBeGreaterThan(0);
    expect(await readUpTo(w.alice2, w.id)).toBe(newest);
    expect(await unread(w.alice2, w.id)).toBe(0);
    expect(await rejected(w.alice2, w.id)).toBe(0);
  });

  test("a bit-flipped read state, another account's, or one naming another message is refused and counted", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const w = await world();
    await bobSays(w, "one", "two");
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    const honest = fromBase64url(storedBlob(w));
    const flipped = honest.slice();
    flipped[30]! ^= 0x04;
    // Bob's read state of the same chat, sealed under his own history key.
    const first = (await messageViews(w.alice1.db, w.id))[0]!;
    const firstRef = { deviceId: (await getDevice(w.bob.db))!.deviceId, clientMessageId: ClientMessageId.parse(first.key) };
    const bobs = toBase64url(await sealAs(w.bob, w.id, { position: 2, ref: firstRef }));
    // Sealed with Alice's own key, but naming the message at position 1 for position 2.
    const misnamed = await sealAs(w.alice1, w.id, { position: 2, ref: firstRef });
    const served = [toBase64url(flipped), bobs, toBase64url(misnamed)].map((sealed, i) => ({ conversationId: w.id, sealed, version: 10 + i }));
    w.server.lie("GET", /^\/api\/me\/read-state$/, (_body, url) => ({ states: served.filter((s) => s.version > Number(url.searchParams.get("after"))), more: false }));
    await sync(w.alice2);
    expect(await rejected(w.alice2, w.id)).toBe(3);
    expect(await unread(w.alice2, w.id)).toBe(2);
    // Each is judged once: the cursor moved past them.
    await sync(w.alice2);
    expect(await rejected(w.alice2, w.id)).toBe(3);
    // The honest one still counts.
    w.server.stopLying();
    // (Stored past the versions the lie used, as the honest server would after more writes.)
    for (let i = 0; i < 12; i++) w.server.readState.put(w.server.accountIdOf("alice"), w.id, toBase64url(honest));
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(0);
  });

  test("a read state sealed under an older history generation (a removed device still holds that key) is ignored", async () => {
    const w = await world();
    await bobSays(w, "one");
    // Device 2 moved to history generation 1 (a revoke of device 1 rotated the AHK); device 1 still
    // holds generation 0 and seals with it.
    const next = await generateBoxPair(testCrypto, false);
    const before = (await getAccount(w.alice2.db))!;
    await putAccount(w.alice2.db, { ...before, historyGeneration: 1, historyKey: cryptoKey(next.privateKey), historyPublic: await exportPublic(testCrypto, next.publicKey) });
    await w.alice1.receipts.open(w.id);
    await marks(w.alice1);
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(1);
    expect(await rejected(w.alice2, w.id)).toBe(0);
  });

  test("a read state of a later generation waits until this device holds that generation's key", async () => {
    const w = await world();
    await bobSays(w, "one");
    const next = await generateBoxPair(testCrypto, false);
    const nextPublic = await exportPublic(testCrypto, next.publicKey);
    const first = (await messageViews(w.alice2.db, w.id))[0]!;
    const bobDeviceId = (await getDevice(w.bob.db))!.deviceId;
    const sealed = await sealReadState(testCrypto, { historyKey: next.privateKey, historyPublic: nextPublic, generation: 1 }, w.id, { position: 1, ref: { deviceId: bobDeviceId, clientMessageId: ClientMessageId.parse(first.key) } });
    w.server.readState.put(w.server.accountIdOf("alice"), w.id, toBase64url(sealed));
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(1);
    const before = (await getAccount(w.alice2.db))!;
    await putAccount(w.alice2.db, { ...before, historyGeneration: 1, historyKey: cryptoKey(next.privateKey), historyPublic: nextPublic });
    await sync(w.alice2);
    expect(await unread(w.alice2, w.id)).toBe(0);
  });
});
