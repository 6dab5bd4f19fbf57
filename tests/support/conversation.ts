import { toBase64url } from "../../protocol/bytes.js";
import { encodeBody, type KnownContent } from "../../protocol/content.js";
import { sealEncodedBody, type sealEnvelope } from "../../protocol/envelope.js";
import { createEpochBundle, directMembershipHead, type EpochBundle } from "../../protocol/epoch-bundle.js";
import { ClientMessageId, ConversationId } from "../../protocol/ids.js";
import { HASH_BYTES } from "../../protocol/primitives.js";
import type { Key } from "../../protocol/subtle.js";
import type { LoggedInAccount, TestAccount } from "./account.js";
import type { ApiClient } from "./api-client.js";
import { testCrypto } from "./crypto-env.js";

/** An epoch as its creator holds it: the bundle bytes to post and the CK to encrypt under. */
export interface TestEpoch {
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly ck: Key;
  readonly bundle: EpochBundle;
  readonly bytes: Uint8Array;
}

/** A signed bundle for a direct conversation of `members` (the creator included), made by `creator`'s device. */
export async function makeEpochBundle(
  creator: TestAccount,
  conversationId: ConversationId,
  members: readonly [TestAccount, TestAccount],
  epoch = 0,
): Promise<TestEpoch> {
  const { bytes, bundle, ck } = await createEpochBundle(testCrypto, {
    conversationId,
    epoch,
    creator: { accountId: creator.accountId, deviceId: creator.deviceId, signingKey: creator.keys.deviceSigning.privateKey },
    membershipHead: await directMembershipHead(testCrypto, members[0].accountId, members[1].accountId),
    members: members.map((m) => m.state),
    createdAt: Date.now(),
  });
  return { conversationId, epoch, keyId: bundle.keyId, ck, bundle, bytes };
}

/** Per sender and conversation: the counter and hash of the last envelope made, as a real sender keeps. */
const chains = new WeakMap<TestAccount, Map<ConversationId, { counter: number; hash: Uint8Array }>>();

export interface TestEnvelope {
  readonly bytes: Uint8Array;
  readonly b64: string;
  readonly clientMessageId: ClientMessageId;
  readonly counter: number;
}

/**
 * Encrypts and signs a text message from `sender`'s device under `epoch`, continuing the sender's
 * counter/hash chain for that conversation. `signingKey` and `header` overrides make refused envelopes;
 * `body` seals other content instead of the text: a known kind, or encoded body bytes (a kind no
 * version knows yet, or a malformed one, built with encodeBodyFrame).
 */
export async function makeEnvelope(
  sender: TestAccount,
  epoch: TestEpoch,
  text = "hello",
  o: { signingKey?: Key; header?: Partial<Parameters<typeof sealEnvelope>[1]["header"]>; body?: KnownContent | Uint8Array } = {},
): Promise<TestEnvelope> {
  const perConversation = chains.get(sender) ?? new Map<ConversationId, { counter: number; hash: Uint8Array }>();
  chains.set(sender, perConversation);
  const prev = perConversation.get(epoch.conversationId);
  const header = {
    conversationId: epoch.conversationId,
    epoch: epoch.epoch,
    keyId: epoch.keyId,
    senderAccountId: sender.accountId,
    senderDeviceId: sender.deviceId,
    senderLogSeq: sender.state.head.seq,
    senderLogHead: sender.state.head.hash,
    counter: (prev?.counter ?? 0) + 1,
    prevHash: prev?.hash ?? new Uint8Array(HASH_BYTES),
    clientMessageId: ClientMessageId.fromBytes(testCrypto.randomBytes(16)),
    ...o.header,
  };
  const body = o.body ?? { kind: "text", text, sentAt: Date.now() };
  const { bytes, hash } = await sealEncodedBody(testCrypto, {
    header,
    ck: epoch.ck,
    signingKey: o.signingKey ?? sender.keys.deviceSigning.privateKey,
    body: body instanceof Uint8Array ? body : encodeBody(body),
  });
  perConversation.set(epoch.conversationId, { counter: header.counter, hash });
  return { bytes, b64: toBase64url(bytes), clientMessageId: header.clientMessageId, counter: header.counter };
}

/** Opens the direct conversation of `a` and `b` as `a` and returns its id; throws unless 200/201. */
export async function openConversation(api: ApiClient, a: LoggedInAccount, b: TestAccount): Promise<ConversationId> {
  const res = await api.call("POST", "/api/conversations", { cookie: a.cookie, json: { peer: b.accountId } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`open conversation failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { conversation?: { id?: unknown } };
  const id = body.conversation?.id;
  if (typeof id !== "string" || !ConversationId.is(id)) throw new Error("open conversation answered no id");
  return id;
}

/** Opens a conversation of `a` and `b` and posts epoch 0 made by `a`: ready for messages. */
export async function startConversation(api: ApiClient, a: LoggedInAccount, b: LoggedInAccount): Promise<TestEpoch> {
  const conversationId = await openConversation(api, a, b);
  const epoch = await makeEpochBundle(a, conversationId, [a, b]);
  const res = await api.call("POST", `/api/conversations/${conversationId}/epochs`, { cookie: a.cookie, json: { bundle: toBase64url(epoch.bytes) } });
  if (res.status !== 201) throw new Error(`post epoch failed: ${res.status} ${await res.text()}`);
  return epoch;
}

/** POST an envelope as `sender`. */
export function postEnvelope(api: ApiClient, sender: LoggedInAccount, conversationId: ConversationId, envelope: { b64: string }): Promise<Response> {
  return api.call("POST", `/api/conversations/${conversationId}/messages`, { cookie: sender.cookie, json: { envelope: envelope.b64 } });
}
