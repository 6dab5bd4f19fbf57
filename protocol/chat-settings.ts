import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { padToBucket, unpadBucket } from "./padding.js";
import { IV_BYTES, aesGcmDecrypt, aesGcmEncrypt, labelled, sealingKey } from "./primitives.js";
import type { HistoryKeyOf } from "./read-state.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Chat settings (docs/PROTOCOL.md "Chat settings"): what this account set for one conversation on the
 * chat list (pin, archive, marked unread, block, "delete chat") and, for a 1:1 chat, whether it verified
 * the peer, sealed so that only the account's own devices can read it. The key comes from the account
 * history key AHK like the read state's, with its own label. The clear header carries a revision (a
 * Lamport counter) so that the server can refuse a write older than the one it holds without reading it.
 */
export const CHAT_SETTINGS_VERSION = 1;
/** At most this many spans of earlier blocks are kept (chats/chat-prefs-row.ts keeps the same). */
export const MAX_HIDDEN_SPANS = 1000;
/** Padded plaintext sizes: a chat without block spans is the smallest; the largest fits 1000 spans. */
export const CHAT_SETTINGS_BUCKETS = [256, 1024, 4096, 16384] as const;
const GCM_TAG_BYTES = 16;
/** u8 version || u32 generation || u64 revision: in clear, also bound into the AEAD's associated data. */
export const CHAT_SETTINGS_HEADER_BYTES = 1 + 4 + 8;
export const MIN_CHAT_SETTINGS_BYTES = CHAT_SETTINGS_HEADER_BYTES + IV_BYTES + CHAT_SETTINGS_BUCKETS[0] + GCM_TAG_BYTES;
export const MAX_CHAT_SETTINGS_BYTES = CHAT_SETTINGS_HEADER_BYTES + IV_BYTES + CHAT_SETTINGS_BUCKETS[CHAT_SETTINGS_BUCKETS.length - 1]! + GCM_TAG_BYTES;
const IDENTITY_BYTES = 32;

const Flag = { pinned: 1, archived: 2, markedUnread: 4, blocked: 8, deleted: 16, verified: 32, trusted: 64 } as const;
const KNOWN_FLAGS = 127;

/** One span of an earlier block: the peer's messages at positions after < seq <= upTo stay hidden. */
export interface HiddenSpan {
  readonly after: number;
  readonly upTo: number;
}

/**
 * What a chat-settings record says; an absent field is "not set" (not pinned, not archived...). The whole
 * record replaces the previous one (last writer wins, by revision then writer device id).
 */
export interface ChatSettings {
  /** The device that wrote this revision (the tie-break between two writes of one revision). */
  readonly writer: DeviceId;
  readonly pinOrder?: number;
  readonly archivedAt?: number;
  readonly markedUnread?: true;
  readonly blockedSince?: number;
  readonly hidden: readonly HiddenSpan[];
  readonly deletedUpTo?: number;
  /** 1:1 chats: the peer's identity public key this account verified (a mark never carries to another identity). */
  readonly verifiedIdentity?: Uint8Array;
  /** 1:1 chats: the peer's identity public key whose change this account acknowledged ("Trust again"). */
  readonly trustedIdentity?: Uint8Array;
}

/** A blob's structure, decoded without keys: what the server checks (and the revision it compares). */
export interface DecodedChatSettings {
  readonly version: typeof CHAT_SETTINGS_VERSION;
  readonly generation: number;
  readonly revision: number;
  readonly header: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

function header(generation: number, revision: number): Uint8Array {
  return new Writer().u8(CHAT_SETTINGS_VERSION).u32(generation).u64(revision).finish();
}

/** The HKDF info: names the purpose, the AHK generation and the conversation. */
function keyInfo(generation: number, conversationId: ConversationId): Uint8Array {
  return labelled(Label.chatSettings, new Writer().u32(generation).finish(), ConversationId.toBytes(conversationId));
}

/** The associated data: the clear header (version, generation, revision) and the conversation. */
function aad(head: Uint8Array, conversationId: ConversationId): Uint8Array {
  return labelled(Label.chatSettingsAad, head, ConversationId.toBytes(conversationId));
}

/**
 * The chat-settings key of one conversation under one AHK generation: HKDF-SHA-256 of X25519(AHK
 * private, AHK public) with info = labelled("sealed/chat-settings/v1", u32 generation, conversation id).
 */
export function chatSettingsKey(env: CryptoEnv, k: HistoryKeyOf, conversationId: ConversationId): Promise<Key> {
  return sealingKey(env, k.historyKey, k.historyPublic, keyInfo(k.generation, conversationId), ["encrypt", "decrypt"]);
}

function checkSeq(n: number | undefined, field: string): number {
  if (n === undefined) return 0;
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${field} must be a non-negative safe integer`);
  return n;
}

function checkIdentity(b: Uint8Array | undefined, field: string): Uint8Array {
  if (b === undefined) return new Uint8Array(IDENTITY_BYTES);
  if (b.length !== IDENTITY_BYTES) throw new RangeError(`${field} must be ${IDENTITY_BYTES} bytes`);
  return b;
}

/** The plaintext before padding (docs/PROTOCOL.md "Chat settings" gives the byte layout). */
export function encodeChatSettings(s: ChatSettings): Uint8Array {
  if (s.hidden.length > MAX_HIDDEN_SPANS) throw new RangeError(`at most ${MAX_HIDDEN_SPANS} hidden spans`);
  if (s.pinOrder !== undefined && (!Number.isInteger(s.pinOrder) || s.pinOrder < 1 || s.pinOrder > 0xffffffff)) throw new RangeError("pinOrder must be 1..2^32-1");
  let flags = 0;
  if (s.pinOrder !== undefined) flags |= Flag.pinned;
  if (s.archivedAt !== undefined) flags |= Flag.archived;
  if (s.markedUnread) flags |= Flag.markedUnread;
  if (s.blockedSince !== undefined) flags |= Flag.blocked;
  if (s.deletedUpTo !== undefined) flags |= Flag.deleted;
  if (s.verifiedIdentity !== undefined) flags |= Flag.verified;
  if (s.trustedIdentity !== undefined) flags |= Flag.trusted;
  const w = new Writer()
    .fixed(DeviceId.toBytes(s.writer), 16)
    .u8(flags)
    .u32(s.pinOrder ?? 0)
    .u64(checkSeq(s.archivedAt, "archivedAt"))
    .u64(checkSeq(s.blockedSince, "blockedSince"))
    .u64(checkSeq(s.deletedUpTo, "deletedUpTo"))
    .fixed(checkIdentity(s.verifiedIdentity, "verifiedIdentity"), IDENTITY_BYTES)
    .fixed(checkIdentity(s.trustedIdentity, "trustedIdentity"), IDENTITY_BYTES)
    .u16(s.hidden.length);
  for (const h of s.hidden) {
    if (checkSeq(h.after, "after") >= checkSeq(h.upTo, "upTo")) throw new RangeError("a hidden span must end after it starts");
    w.u64(h.after).u64(h.upTo);
  }
  return w.finish();
}

/** Parses the plaintext after unpadding; every field bounded, unknown flags and stray values refused. */
export function decodeChatSettings(bytes: Uint8Array): ChatSettings {
  const r = new Reader(bytes, "chat settings");
  const writer = DeviceId.fromBytes(r.fixed(16, "writer"));
  const flags = r.u8("flags");
  if ((flags & ~KNOWN_FLAGS) !== 0) fail("malformed", `chat settings: unknown flags ${flags}`);
  const has = (f: number): boolean => (flags & f) !== 0;
  const pinOrder = r.u32("pinOrder");
  const archivedAt = r.u64("archivedAt");
  const blockedSince = r.u64("blockedSince");
  const deletedUpTo = r.u64("deletedUpTo");
  const verified = r.fixed(IDENTITY_BYTES, "verifiedIdentity");
  const trusted = r.fixed(IDENTITY_BYTES, "trustedIdentity");
  const count = r.u16("hidden count");
  if (count > MAX_HIDDEN_SPANS) fail("out_of_bounds", `chat settings: ${count} hidden spans, at most ${MAX_HIDDEN_SPANS}`);
  const hidden: HiddenSpan[] = [];
  for (let i = 0; i < count; i++) {
    const after = r.u64("hidden.after");
    const upTo = r.u64("hidden.upTo");
    if (after >= upTo) fail("malformed", "chat settings: a hidden span must end after it starts");
    hidden.push({ after, upTo });
  }
  r.end();
  const zero = (b: Uint8Array): boolean => b.every((x) => x === 0);
  if (has(Flag.pinned) !== (pinOrder !== 0)) fail("malformed", "chat settings: pinOrder disagrees with its flag");
  if (!has(Flag.archived) && archivedAt !== 0) fail("malformed", "chat settings: archivedAt set without its flag");
  if (!has(Flag.blocked) && blockedSince !== 0) fail("malformed", "chat settings: blockedSince set without its flag");
  if (!has(Flag.deleted) && deletedUpTo !== 0) fail("malformed", "chat settings: deletedUpTo set without its flag");
  if (!has(Flag.verified) && !zero(verified)) fail("malformed", "chat settings: verifiedIdentity set without its flag");
  if (!has(Flag.trusted) && !zero(trusted)) fail("malformed", "chat settings: trustedIdentity set without its flag");
  return {
    writer,
    ...(has(Flag.pinned) ? { pinOrder } : {}),
    ...(has(Flag.archived) ? { archivedAt } : {}),
    ...(has(Flag.markedUnread) ? { markedUnread: true as const } : {}),
    ...(has(Flag.blocked) ? { blockedSince } : {}),
    hidden,
    ...(has(Flag.deleted) ? { deletedUpTo } : {}),
    ...(has(Flag.verified) ? { verifiedIdentity: verified } : {}),
    ...(has(Flag.trusted) ? { trustedIdentity: trusted } : {}),
  };
}

/** Seals `s` for `conversationId` at `revision` (at least 1) under the history key `k`, a fresh nonce each time. */
export async function sealChatSettings(env: CryptoEnv, k: HistoryKeyOf, conversationId: ConversationId, revision: number, s: ChatSettings): Promise<Uint8Array> {
  if (!Number.isSafeInteger(revision) || revision < 1) throw new RangeError("revision must be 1..2^53-1");
  const head = header(k.generation, revision);
  const padded = padToBucket(encodeChatSettings(s), CHAT_SETTINGS_BUCKETS, "chat settings");
  const key = await chatSettingsKey(env, k, conversationId);
  const iv = env.randomBytes(IV_BYTES);
  const ciphertext = await aesGcmEncrypt(env, key, iv, aad(head, conversationId), padded);
  return new Writer().fixed(head, CHAT_SETTINGS_HEADER_BYTES).fixed(iv, IV_BYTES).fixed(ciphertext, ciphertext.length).finish();
}

/**
 * Decodes a blob's structure without keys: version 1, a revision of at least 1, a ciphertext of one of
 * the bucket sizes. Throws a ProtocolError.
 */
export function decodeChatSettingsBlob(bytes: Uint8Array): DecodedChatSettings {
  if (bytes.length < MIN_CHAT_SETTINGS_BYTES || bytes.length > MAX_CHAT_SETTINGS_BYTES) fail("malformed", `chat settings are ${MIN_CHAT_SETTINGS_BYTES}..${MAX_CHAT_SETTINGS_BYTES} bytes, got ${bytes.length}`);
  const r = new Reader(bytes, "chat settings");
  const version = r.u8("version");
  if (version !== CHAT_SETTINGS_VERSION) fail("unsupported_version", `chat settings version ${version}`);
  const generation = r.u32("generation");
  const revision = r.u64("revision");
  if (revision < 1) fail("malformed", "chat settings revision must be at least 1");
  const iv = r.fixed(IV_BYTES, "iv");
  const ciphertext = r.fixed(bytes.length - CHAT_SETTINGS_HEADER_BYTES - IV_BYTES, "ciphertext");
  r.end();
  if (!(CHAT_SETTINGS_BUCKETS as readonly number[]).includes(ciphertext.length - GCM_TAG_BYTES)) fail("malformed", "chat settings ciphertext is not a bucket size");
  return { version: CHAT_SETTINGS_VERSION, generation, revision, header: bytes.slice(0, CHAT_SETTINGS_HEADER_BYTES), iv, ciphertext };
}

/**
 * Opens a decoded blob of `conversationId` with the history key `k`: another generation is
 * `wrong_context` (never tried with this generation's key); an altered blob (header included), or one
 * sealed for another conversation, is `decrypt_failed`; bad padding or fields are `malformed`.
 */
export async function openChatSettings(env: CryptoEnv, d: DecodedChatSettings, k: HistoryKeyOf, conversationId: ConversationId): Promise<ChatSettings> {
  if (d.generation !== k.generation) fail("wrong_context", `chat settings sealed under history generation ${d.generation}, not ${k.generation}`);
  const key = await chatSettingsKey(env, k, conversationId);
  const padded = await aesGcmDecrypt(env, key, d.iv, aad(d.header, conversationId), d.ciphertext);
  return decodeChatSettings(unpadBucket(padded, CHAT_SETTINGS_BUCKETS, "chat settings"));
}
