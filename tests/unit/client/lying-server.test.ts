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
import { getContact, getCursor, getEpoch, listMessages } from "../../../web/src/client/db.js";
import { applyFrame } from "../../../web/src/client/push.js";
import { conversationView, messageViews } from "../../../web/src/client/views.js";
import { makeAccount, uniqueUsername, type TestAccount } from "../../support/account.js";
import { makeEpochBundle, makeEnvelope, type TestEpoch } from "../../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, revokeEntry } from "../../support/device-log.js";
import { clientOn, freshDb } from "./helpers.js";
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
const LOG = /^\/api\/(users\/[^/]+|accounts\/[^/]+\/log)$/;

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
