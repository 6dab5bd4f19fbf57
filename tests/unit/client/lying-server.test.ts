import { afterEach, describe, expect, test, vi } from "vitest";
import {
  cryptoEnvFrom,
  decodeBundle,
  decodeEnvelope,
  encodeBundle,
  encodeBundleBody,
  encodeEnvelope,
  encodeHeader,
  envelopeSigningInput,
  fromBase64url,
  generateBoxPair,
  exportPublic,
  importAesKey,
  toBase64url,
  verifyLog,
  wrapForDevice,
  wrapForHistory,
  type ConversationId,
  type EpochBundle,
} from "../../../protocol/index.js";
import { getContact, getCursor, getEpoch, listMessages } from "../../../web/src/client/store/db.js";
import { applyFrame } from "../../../web/src/client/sync/push.js";
import { conversationView, messageViews, peerOf } from "../../../web/src/client/views/views.js";
import { makeAccount, uniqueUsername, type TestAccount } from "../../support/account.js";
import { makeEpochBundle, makeEnvelope, type TestEpoch } from "../../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, revokeEntry } from "../../support/device-log.js";
import { errorText } from "../../../web/src/ui/error-text.js";
import { clientOn } from "./helpers.js";
import { LyingServer, refusal } from "./lying-server.js";

// Issue 8, "a lying server", at client level: the real web client core talks to a fake server whose
// HTTP answers are rewritten (LyingServer). Each test asserts that the client refuses the lie and that
// the refusal reaches something the UI renders: the conversation's `rejected` count (sealed-chat-view:
// "N messages failed security checks and were hidden"), a gap marker (sealed-message-list), a blocked
// contact (sealed-identity-banner) or an error from send (error-text). Cases already covered elsewhere
// are listed in docs/THREAT-MODEL.md "A lying server, case by case".

const env = cryptoEnvFrom(globalThis.crypto);
type Client = ReturnType<typeof clientOn>;
const EPOCHS = /^\/api\/conversations\/[^/]+\/epochs$/;
const MESSAGES = /^\/api\/conversations\/[^/]+\/messages$/;
const LOG = /^\/api\/(users|users\/[^/]+|accounts\/[^/]+\/log)$/;

/** A lie about an account's log, told alike in a directory search's answer ({ users: [entry] }) and in a log's. */
function logLie(rewrite: (entry: { log: string[] }) => object) {
  return (body: { log: string[] } | { users: { log: string[] }[] }) => ("users" in body ? { ...body, users: body.users.map(rewrite) } : rewrite(body));
}

afterEach(() => vi.restoreAllMocks());

/** The reasons the client logged for the messages it refused (receive.ts logs each refusal). */
function refusals(): () => string[] {
  const warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  return () => warn.mock.calls.filter((c) => String(c[0]).includes("refused")).map((c) => (c[1] instanceof Error ? `${(c[1] as { code?: string }).code ?? ""} ${c[1].message}` : String(c[1])));
}

async function pair() {
  const server = new LyingServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  return { server, alice, bob };
}

/** What the chat view shows: the hidden-message count and the messages with their markers. */
async function shown(c: Client, id: ConversationId) {
  return {
    rejected: (await conversationView(c.db, id))?.rejected,
    messages: (await messageViews(c.db, id)).map((m) => ({ text: m.text, missingBefore: m.missingBefore, chainBroken: m.chainBroken })),
  };
}

/** An account's state as the (honest) server's stored log says. */
async function serverState(server: LyingServer, username: string) {
  return verifyLog(env, server.accounts.get(server.accountIdOf(username))!.log.map(fromBase64url));
}

/** A CK the server made itself, and a box key pair it holds. */
async function serversOwnKeys() {
  const ck = await importAesKey(env, env.randomBytes(32), true, ["encrypt", "decrypt"]);
  const box = await generateBoxPair(env, true);
  return { ck, box, boxPublic: await exportPublic(env, box.publicKey) };
}

/** Rewrites every bundle the server lists, through `change`. */
function rewriteBundles(change: (b: EpochBundle) => Promise<Omit<EpochBundle, "signature" | "body">>) {
  return async (body: { epochs: Array<{ epoch: number; bundle: string }> }) => ({
    epochs: await Promise.all(
      body.epochs.map(async (e) => {
        const b = decodeBundle(fromBase64url(e.bundle));
        const changed = await change(b);
        return { epoch: e.epoch, bundle: toBase64url(encodeBundle({ ...changed, signature: b.signature, body: encodeBundleBody(changed) })) };
      }),
    ),
  });
}

const swaps: Array<{ name: string; swap: (b: EpochBundle, bob: string) => Promise<Omit<EpochBundle, "signature" | "body">> }> = [
  {
    name: "(a) Bob's device wrap swapped for one holding the server's own key",
    swap: async (b, bob) => {
      const own = await serversOwnKeys();
      const ctx = { conversationId: b.conversationId, epoch: b.epoch, keyId: b.keyId };
      const deviceWraps = await Promise.all(b.deviceWraps.map((w) => (w.accountId === bob ? wrapForDevice(env, own.ck, ctx, { accountId: w.accountId, deviceId: w.deviceId, boxKey: w.boxKey }) : w)));
      return { ...b, deviceWraps };
    },
  },
  {
    name: "(a) Bob's device wrap re-pointed to a device key the server holds",
    swap: async (b, bob) => {
      const own = await serversOwnKeys();
      const ctx = { conversationId: b.conversationId, epoch: b.epoch, keyId: b.keyId };
      const deviceWraps = await Promise.all(b.deviceWraps.map((w) => (w.accountId === bob ? wrapForDevice(env, own.ck, ctx, { accountId: w.accountId, deviceId: w.deviceId, boxKey: own.boxPublic }) : w)));
      return { ...b, deviceWraps };
    },
  },
  {
    name: "(g) Bob's archive entry (history wrap) planted under the server's own key",
    swap: async (b, bob) => {
      const own = await serversOwnKeys();
      const ctx = { conversationId: b.conversationId, epoch: b.epoch, keyId: b.keyId };
      const historyWraps = await Promise.all(b.historyWraps.map((w) => (w.accountId === bob ? wrapForHistory(env, own.ck, ctx, { accountId: w.accountId, generation: w.generation, historyKey: own.boxPublic }) : w)));
      return { ...b, historyWraps };
    },
  },
];

describe("(a), (g): an epoch bundle the server altered is refused whole", () => {
  test.each(swaps)("$name: the message under it is hidden and counted, no key is stored", async ({ swap }) => {
    const { server, alice, bob } = await pair();
    const id = await alice.startChat("bob");
    await alice.send(id, "secret");
    await alice.sync.syncNow();
    const why = refusals();
    server.lie("GET", EPOCHS, rewriteBundles((b) => swap(b, server.accountIdOf("bob"))));
    await bob.sync.syncNow();
    expect(server.told[0]).toBeGreaterThan(0);
    expect(await shown(bob, id)).toEqual({ rejected: 1, messages: [] });
    expect(await getEpoch(bob.db, id, 0)).toBeUndefined();
    expect(why().join("\n")).toMatch(/epoch 0 bundle was refused/);
    // The honest bundle opens: the refusal was for the lie, not for anything else.
    server.stopLying();
    await bob.send(id, "reply");
    expect((await getEpoch(bob.db, id, 0))?.epoch).toBe(0);
  });
});

/** Rewrites the envelopes the server lists for one conversation. */
function rewriteMessages(conversationId: ConversationId, change: (messages: Array<{ seq: number; envelope: string; receivedAt: number }>) => Promise<unknown[]> | unknown[]) {
  return async (body: { messages: Array<{ seq: number; envelope: string; receivedAt: number }>; more: boolean }, url: URL) =>
    url.pathname.includes(conversationId) ? { ...body, messages: await change(body.messages) } : body;
}

describe("(h) a server that reorders messages", () => {
  test("two envelopes served in swapped order: the later one shows after a gap, the earlier one is hidden and counted", async () => {
    const { server, alice, bob } = await pair();
    const id = await alice.startChat("bob");
    for (const text of ["one", "two"]) {
      await alice.send(id, text);
      await alice.sync.syncNow();
    }
    const why = refusals();
    server.lie("GET", MESSAGES, rewriteMessages(id, (ms) => ms.map((m, i) => ({ ...m, envelope: ms[ms.length - 1 - i]!.envelope }))));
    await bob.sync.syncNow();
    expect(server.told[0]).toBeGreaterThan(0);
    expect(await shown(bob, id)).toEqual({ rejected: 1, messages: [{ text: "two", missingBefore: 1, chainBroken: false }] });
    expect(why().join("\n")).toMatch(/replay/);
  });
});

describe("(k) a message served under the wrong sender", () => {
  async function threeOf() {
    const { server, alice, bob } = await pair();
    const carol = clientOn(server);
    await carol.signUp("carol");
    const ab = await alice.startChat("bob");
    const ac = await carol.startChat("alice");
    await carol.send(ac, "from carol");
    await carol.sync.syncNow();
    const carolsEnvelope = server.conversations.get(ac)!.messages[0]!.envelope;
    const bobState = await serverState(server, "bob");
    return { server, alice, bob, carol, ab, ac, carolsEnvelope, bobState };
  }

  const forgeries: Array<{ name: string; reason: RegExp; forge: (e: Uint8Array, s: Awaited<ReturnType<typeof threeOf>>) => Uint8Array }> = [
    { name: "Carol's envelope from another conversation, as is", reason: /names another conversation/, forge: (e) => e },
    {
      name: "Carol's envelope relabelled for this conversation",
      reason: /sender is not a member/,
      forge: (e, s) => {
        const d = decodeEnvelope(e);
        return encodeEnvelope({ ...d, headerBytes: encodeHeader({ ...d.header, conversationId: s.ab }) });
      },
    },
    {
      name: "Carol's envelope relabelled for this conversation and as sent by Bob's device",
      reason: /unknown_signer/,
      forge: (e, s) => {
        const d = decodeEnvelope(e);
        return encodeEnvelope({ ...d, headerBytes: encodeHeader({ ...d.header, conversationId: s.ab, senderAccountId: s.bobState.accountId }) });
      },
    },
    {
      name: "Carol's envelope relabelled for this conversation as sent by Bob's device at his log head",
      reason: /bad_signature/,
      forge: (e, s) => {
        const d = decodeEnvelope(e);
        const b = s.bobState;
        const header = { ...d.header, conversationId: s.ab, senderAccountId: b.accountId, senderDeviceId: b.devices[0]!.deviceId, senderLogSeq: b.head.seq, senderLogHead: b.head.hash };
        return encodeEnvelope({ ...d, headerBytes: encodeHeader(header) });
      },
    },
  ];

  test.each(forgeries)("$name: hidden and counted, never shown as Bob's", async ({ reason, forge }) => {
    const s = await threeOf();
    const why = refusals();
    const planted = { seq: 1, envelope: toBase64url(forge(fromBase64url(s.carolsEnvelope), s)), receivedAt: Date.now() };
    s.server.lie("GET", MESSAGES, rewriteMessages(s.ab, () => [planted]));
    s.server.lie("GET", /^\/api\/conversations$/, (body: { conversations: Array<{ id: string; lastSeq: number }> }) => ({
      conversations: body.conversations.map((c) => (c.id === s.ab ? { ...c, lastSeq: 1 } : c)),
    }));
    await s.alice.sync.syncNow();
    expect(s.server.told[0]).toBeGreaterThan(0);
    expect(await shown(s.alice, s.ab)).toEqual({ rejected: 1, messages: [] });
    expect(why().join("\n")).toMatch(reason);
    // Carol's message is still shown where it belongs, as hers.
    s.server.stopLying();
    await s.alice.sync.syncNow();
    expect((await messageViews(s.alice.db, s.ac)).map((m) => `${m.senderName}:${m.text}`)).toEqual(["carol:from carol"]);
  });
});

describe("(f) a login challenge equal to an envelope's signing input", () => {
  test("the client refuses the challenge before signing: no login is posted, the start fails", async () => {
    const { server, alice } = await pair();
    const id = await alice.startChat("bob");
    await alice.send(id, "signed once");
    await alice.sync.syncNow();
    const d = decodeEnvelope(fromBase64url(server.conversations.get(id)!.messages[0]!.envelope));
    const nonce = toBase64url(envelopeSigningInput(d.headerBytes, d.iv, d.ciphertext));
    server.lie("POST", /^\/api\/session\/challenge$/, () => ({ nonce }));
    const logins = server.requests.filter((r) => r === "POST /api/session").length;
    const again = clientOn(server, alice.db); // a new tab: same keys, no session, so it must log in
    // The answer's schema (protocol/api.ts challengeResponse: a 32-byte nonce) refuses it before any
    // signing; protocol/login.ts would refuse it too (context-separation.test.ts, "refuses to build").
    await expect(again.start()).rejects.toMatchObject({ code: "bad_response" });
    expect(server.told[0]).toBe(1);
    expect(server.requests.filter((r) => r === "POST /api/session").length).toBe(logins);
  });
});

// The cases below need Bob's log to change (devices added, revoked, forked), so Bob is built in Node
// with protocol code (tests/support) and his honest posts go straight into the server's state.

/** Alice (a real client) and Bob (built in Node), registered on a lying server. */
async function withNodeBob() {
  const server = new LyingServer();
  const bob = await makeAccount(uniqueUsername("bob"));
  const res = await server.fetchFor()("/api/accounts", { method: "POST", body: JSON.stringify({ username: bob.username, genesis: toBase64url(bob.genesis) }) });
  expect(res.status).toBe(200);
  const alice = clientOn(server);
  await alice.signUp("alice");
  return { server, bob, alice, d0: genesisDevice(bob) };
}

/** Bob posts a log entry: the server's stored log is now `entries`. */
function bobPostsLog(server: LyingServer, bob: TestAccount, entries: readonly Uint8Array[]): void {
  server.replaceLog(bob.username, entries.map(toBase64url));
}

/** Bob (as his device `d`, at log state `log`) makes epoch `n` for the chat with Alice and the server stores it. */
async function bobMakesEpoch(server: LyingServer, bob: TestAccount, log: { state: TestAccount["state"] }, id: ConversationId, n: number): Promise<{ as: TestAccount; epoch: TestEpoch }> {
  const as = asDevice(bob, genesisDevice(bob), log.state);
  const alice = { accountId: server.accountIdOf("alice"), state: await serverState(server, "alice") } as unknown as TestAccount;
  const epoch = await makeEpochBundle(as, id, [as, alice], n);
  server.conversations.get(id)!.epochs.set(n, toBase64url(epoch.bytes));
  return { as, epoch };
}

/** Bob's envelope, stored by the server as the next message of the chat. */
function serverStores(server: LyingServer, id: ConversationId, envelope: Uint8Array): void {
  const c = server.conversations.get(id)!;
  const seq = c.messages.length + 1;
  c.messages.push({ seq, envelope: toBase64url(envelope), receivedAt: Date.now() });
  c.conversation = { ...c.conversation, lastSeq: seq };
}

/** The epoch and wrapped devices of the envelopes Alice's client posted. */
function posted(server: LyingServer, id: ConversationId) {
  const c = server.conversations.get(id)!;
  return c.messages.map((m) => {
    const epoch = decodeEnvelope(fromBase64url(m.envelope)).header.epoch;
    return { epoch, wrappedTo: decodeBundle(fromBase64url(c.epochs.get(epoch)!)).deviceWraps.map((w) => w.deviceId) };
  });
}

describe("(b) an old epoch presented as current after a removal", () => {
  const lies: Array<{ name: string; epochs: (body: { epochs: Array<{ epoch: number; bundle: string }> }) => unknown }> = [
    { name: "the new epoch hidden (only the old one listed)", epochs: (body) => ({ epochs: body.epochs.filter((e) => e.epoch === 0) }) },
    {
      name: "the old epoch's bundle listed under the new number",
      epochs: (body) => ({ epochs: [body.epochs.find((e) => e.epoch === 0)!, { epoch: 1, bundle: body.epochs.find((e) => e.epoch === 0)!.bundle }] }),
    },
  ];

  test.each(lies)("$name, the new one answered 'exists': send fails, nothing goes out under the old key", async (lie) => {
    const { server, bob, alice, d0 } = await withNodeBob();
    const d1 = await makeDevice();
    const withD1 = await (await addDeviceEntry(accountLog(bob), d1, d0)).next();
    bobPostsLog(server, bob, withD1.entries);
    const id = await alice.startChat(bob.username);
    // Epoch 0 was made while D1 was Bob's: it is wrapped to it.
    expect(decodeBundle((await getEpoch(alice.db, id, 0))!.bundle).deviceWraps.map((w) => w.deviceId)).toContain(d1.deviceId);

    const revoked = await (await revokeEntry(withD1, d1.deviceId, d0)).next();
    bobPostsLog(server, bob, revoked.entries);
    await applyFrame(alice.ctx, { type: "log", accountId: bob.accountId, seq: 2 });
    expect((await getContact(alice.db, bob.accountId))!.head.seq).toBe(2);

    server.lie("POST", EPOCHS, () => refusal(409, "epoch_exists"));
    server.lie("GET", EPOCHS, lie.epochs);
    const err = await alice.send(id, "after the removal").catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "epoch_withheld" }); // the composer shows errorText for it
    expect(errorText(err)).toMatch(/^Sending is paused: the server says this chat has a newer encryption key/);
    expect(server.told[0]).toBe(1);
    expect(await listMessages(alice.db, id)).toEqual([]);
    expect(server.conversations.get(id)!.messages).toEqual([]);
    expect(await getEpoch(alice.db, id, 1)).toBeUndefined();

    // Honest again: the message goes out under a new epoch that the revoked device cannot open.
    server.stopLying();
    await alice.send(id, "after the removal");
    await alice.sync.syncNow();
    const out = posted(server, id);
    expect(out.map((p) => p.epoch)).toEqual([1]);
    expect(out[0]!.wrappedTo).toContain(d0.deviceId);
    expect(out[0]!.wrappedTo).not.toContain(d1.deviceId);
  });
});

describe("(e) a remove-device entry withheld from a contact", () => {
  test("Bob's next envelope cites it: the message is held (not shown, not counted) until the server serves the entry", async () => {
    const { server, bob, alice, d0 } = await withNodeBob();
    const d1 = await makeDevice();
    const withD1 = await (await addDeviceEntry(accountLog(bob), d1, d0)).next();
    bobPostsLog(server, bob, withD1.entries);
    const id = await alice.startChat(bob.username);

    const revoked = await (await revokeEntry(withD1, d1.deviceId, d0)).next();
    bobPostsLog(server, bob, revoked.entries);
    server.lie("GET", LOG, logLie((body) => ({ ...body, log: body.log.slice(0, 2) })));
    const { as, epoch } = await bobMakesEpoch(server, bob, revoked, id, 1);
    serverStores(server, id, (await makeEnvelope(as, epoch, "D1 is gone")).bytes);

    const why = refusals();
    await alice.sync.syncNow();
    expect(server.told[0]).toBeGreaterThan(0);
    expect(await shown(alice, id)).toEqual({ rejected: 0, messages: [] });
    expect(await getCursor(alice.db, id)).toBe(0);
    expect((await getContact(alice.db, bob.accountId))!).toMatchObject({ status: "verified", head: { seq: 1 } });
    expect(await getEpoch(alice.db, id, 1)).toBeUndefined();
    expect(why()).toEqual([]);
    // Bob's bundle named a log position the server withholds: Alice's client will not send under a key
    // made for the devices it knows (which still include D1) until the log catches up.
    expect((await getContact(alice.db, bob.accountId))!.citedSeq).toBe(2);
    // The chat says so before anyone tries to send (sealed-chat-view renders peer.logWithheld).
    expect(peerOf((await conversationView(alice.db, id))!)?.logWithheld).toBe(true);
    await expect(alice.send(id, "to whom?")).rejects.toMatchObject({ code: "contact_log_withheld" });
    expect(server.conversations.get(id)!.messages).toHaveLength(1); // only Bob's: nothing of Alice's went out

    server.stopLying();
    await alice.sync.syncNow();
    expect(await shown(alice, id)).toEqual({ rejected: 0, messages: [{ text: "D1 is gone", missingBefore: 0, chainBroken: false }] });
    expect((await getContact(alice.db, bob.accountId))!.head.seq).toBe(2);
    expect(peerOf((await conversationView(alice.db, id))!)?.logWithheld).toBeUndefined();
    await alice.send(id, "noted");
    await alice.sync.syncNow();
    const out = posted(server, id);
    expect(out.map((p) => p.epoch)).toEqual([1, 1]);
    expect(out[1]!.wrappedTo).not.toContain(d1.deviceId);
  });
});

describe("(d) two parties shown different entries at one log position", () => {
  test("Alice was shown entry Y at seq 1, Bob signs under X: his messages are refused, and the true log blocks him", async () => {
    const { server, bob, alice, d0 } = await withNodeBob();
    const x = await addDeviceEntry(accountLog(bob), await makeDevice(), d0);
    const y = await addDeviceEntry(accountLog(bob), await makeDevice(), d0);
    bobPostsLog(server, bob, [bob.genesis, x.bytes]);
    server.lie("GET", LOG, logLie((body) => ({ ...body, log: [toBase64url(bob.genesis), toBase64url(y.bytes)] })));
    const id = await alice.startChat(bob.username);
    expect((await getContact(alice.db, bob.accountId))!.head.seq).toBe(1);

    const { as, epoch } = await bobMakesEpoch(server, bob, await x.next(), id, 1);
    serverStores(server, id, (await makeEnvelope(as, epoch, "under X")).bytes);
    const why = refusals();
    await alice.sync.syncNow();
    expect(await shown(alice, id)).toEqual({ rejected: 1, messages: [] });
    expect(why().join("\n")).toMatch(/epoch 1 bundle was refused/);

    // Alice's client later gets the log Bob's side sees: the entry at seq 1 differs from the one it verified.
    server.stopLying();
    await alice.openConversation(id);
    expect((await getContact(alice.db, bob.accountId))!).toMatchObject({ status: "identity_changed", problem: { code: "log_conflict" }, head: { seq: 1 } });
    await expect(alice.send(id, "who is this?")).rejects.toMatchObject({ code: "contact_blocked" });
  });
});

describe("(g) an archive entry moved to another epoch", () => {
  test("epoch 1's bundle listed as epoch 2: epoch 1 opens, the message under epoch 2 is hidden and counted", async () => {
    const { server, bob, alice } = await withNodeBob();
    const id = await alice.startChat(bob.username);
    await bobMakesEpoch(server, bob, bob, id, 1);
    const { as, epoch } = await bobMakesEpoch(server, bob, bob, id, 2);
    serverStores(server, id, (await makeEnvelope(as, epoch, "under epoch 2")).bytes);
    server.lie("GET", EPOCHS, (body: { epochs: Array<{ epoch: number; bundle: string }> }) => ({
      epochs: body.epochs.map((e) => (e.epoch === 2 ? { epoch: 2, bundle: body.epochs.find((o) => o.epoch === 1)!.bundle } : e)),
    }));
    const why = refusals();
    await alice.sync.syncNow();
    expect(server.told[0]).toBeGreaterThan(0);
    expect(await shown(alice, id)).toEqual({ rejected: 1, messages: [] });
    expect(why().join("\n")).toMatch(/epoch 2 bundle was refused/);
    expect(await getEpoch(alice.db, id, 1)).toBeDefined();
    expect(await getEpoch(alice.db, id, 2)).toBeUndefined();
  });
});

describe("(j) a substituted public key", () => {
  test("at first contact, a genesis with the server's keys under Bob's account id is refused", async () => {
    const { server, bob, alice } = await withNodeBob();
    const impostor = await makeAccount(bob.username); // same name, keys the server holds
    server.lie("GET", LOG, logLie((body) => ({ ...body, log: [toBase64url(impostor.genesis)] })));
    await expect(alice.startChat(bob.username)).rejects.toMatchObject({ code: "username_mismatch" }); // the new-chat dialog shows errorText for it
    expect(server.told[0]).toBe(1);
    expect(await getContact(alice.db, bob.accountId)).toBeUndefined();
    expect(await getContact(alice.db, impostor.accountId)).toBeUndefined();
  });

  test("at first contact, a whole other account served for Bob's name is trusted on first use, and the safety numbers differ", async () => {
    const { server, alice, bob } = await pair();
    const impostor = await makeAccount("bob");
    // The server holds an account of its own under Bob's name and answers Alice's lookup with it.
    server.accounts.set(impostor.accountId, { username: "bob", log: [toBase64url(impostor.genesis)] });
    server.lie("GET", /^\/api\/users$/, () => ({ users: [{ username: "bob", accountId: impostor.accountId, log: [toBase64url(impostor.genesis)] }] }));
    const id = await alice.startChat("bob");
    expect(server.told[0]).toBe(1);
    expect((await getContact(alice.db, impostor.accountId))?.status).toBe("verified");
    expect(server.conversations.get(id)!.conversation.members).toContain(impostor.accountId);
    // Nothing can tell on first use; comparing safety numbers (the safety-number dialog) does.
    const seenByAlice = await alice.safetyNumber(impostor.accountId);
    server.stopLying();
    await bob.startChat("alice");
    expect(seenByAlice).not.toBe(await bob.safetyNumber(server.accountIdOf("alice")));
  });
});
