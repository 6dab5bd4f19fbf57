import { bytesEqual, fromUtf8, isAllZero, utf8 } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId, ConversationId, CONVERSATION_ID_BYTES, DEVICE_ID_BYTES, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import type { DeviceKeyAt, MembershipAuthor } from "./membership-log.js";
import { PAD_BUCKETS, pad, unpad } from "./padding.js";
import { HASH_BYTES, IV_BYTES, SIGNATURE_BYTES, aesGcmDecrypt, aesGcmEncrypt, labelled, sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Sealed group metadata (docs/PROTOCOL.md "Group metadata"): the group's name, encrypted under an
 * epoch's CK so the server never reads it, and signed by the member device that wrote it (any member may
 * rename). The newest one the server holds is listed with the conversation.
 */
export const GROUP_META_VERSION = 1;
/** UTF-8 bytes of a name, after trimming. */
export const MAX_GROUP_NAME_BYTES = 100;
const GCM_TAG_BYTES = 16;
/** The padded plaintext is a bucket of protocol/padding.ts; a name always fits the smallest, room is left for later fields. */
const MIN_META_CIPHERTEXT = PAD_BUCKETS[0] + GCM_TAG_BYTES;
const MAX_META_CIPHERTEXT = 1024 + GCM_TAG_BYTES;
const HEADER_BYTES = 1 + CONVERSATION_ID_BYTES + 4 + HASH_BYTES + 32 + DEVICE_ID_BYTES + 4 + HASH_BYTES + 8;
/** The largest sealed meta: header, IV, length-prefixed ciphertext, signature. */
export const MAX_SEALED_GROUP_META_BYTES = HEADER_BYTES + IV_BYTES + 4 + MAX_META_CIPHERTEXT + SIGNATURE_BYTES;

export interface GroupMeta {
  /** 1..MAX_GROUP_NAME_BYTES UTF-8 bytes, no surrounding white space, no control or bidi-override characters. */
  readonly name: string;
}

export interface SealedGroupMetaHeader {
  readonly conversationId: ConversationId;
  readonly epoch: number;
  /** The key id of the epoch whose CK seals it (32 bytes). */
  readonly keyId: Uint8Array;
  readonly author: MembershipAuthor;
  /** Milliseconds since the epoch, by the author's clock. */
  readonly createdAt: number;
}

export interface DecodedGroupMeta extends SealedGroupMetaHeader {
  /** The bytes the signature covers: header, IV and length-prefixed ciphertext. */
  readonly body: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly signature: Uint8Array;
}

// C0 and C1 controls, and the bidi embeddings, overrides and isolates that can make a name display as
// another (Unicode TR9; the "Trojan Source" class of tricks).
const FORBIDDEN = /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u;

/** Trims and checks a group name; throws malformed or out_of_bounds. */
export function parseGroupName(input: string): string {
  const name = input.trim();
  const n = utf8(name).length;
  if (n < 1 || n > MAX_GROUP_NAME_BYTES) fail("out_of_bounds", `a group name is 1 to ${MAX_GROUP_NAME_BYTES} bytes of UTF-8 after trimming`);
  if (FORBIDDEN.test(name)) fail("malformed", "a group name must not hold control or bidi-override characters");
  // A lone surrogate would not survive UTF-8; refuse it rather than store a replacement character.
  if (fromUtf8(utf8(name)) !== name) fail("malformed", "a group name must be valid Unicode text");
  return name;
}

function encodeHeader(h: SealedGroupMetaHeader): Uint8Array {
  return new Writer()
    .u8(GROUP_META_VERSION)
    .fixed(ConversationId.toBytes(h.conversationId), CONVERSATION_ID_BYTES)
    .u32(h.epoch)
    .fixed(h.keyId, HASH_BYTES)
    .fixed(AccountId.toBytes(h.author.accountId), 32)
    .fixed(DeviceId.toBytes(h.author.deviceId), DEVICE_ID_BYTES)
    .u32(h.author.logSeq)
    .fixed(h.author.logHead, HASH_BYTES)
    .u64(h.createdAt)
    .finish();
}

export function decodeSealedGroupMeta(bytes: Uint8Array): DecodedGroupMeta {
  const r = new Reader(bytes, "group meta");
  const version = r.u8("version");
  if (version !== GROUP_META_VERSION) fail("unsupported_version", `group meta version ${version}`);
  const conversationId = ConversationId.fromBytes(r.fixed(CONVERSATION_ID_BYTES, "conversationId"));
  const epoch = r.u32("epoch");
  const keyId = r.fixed(HASH_BYTES, "keyId");
  const author: MembershipAuthor = {
    accountId: AccountId.fromBytes(r.fixed(32, "author account")),
    deviceId: DeviceId.fromBytes(r.fixed(DEVICE_ID_BYTES, "author device")),
    logSeq: r.u32("author log seq"),
    logHead: r.fixed(HASH_BYTES, "author log head"),
  };
  const createdAt = r.u64("createdAt");
  const iv = r.fixed(IV_BYTES, "iv");
  // The all-zero nonce is reserved for key commitments under the same CK.
  if (isAllZero(iv)) fail("malformed", "group meta IV must not be all zero");
  const ciphertext = r.vbytes(MIN_META_CIPHERTEXT, MAX_META_CIPHERTEXT, "ciphertext");
  const body = r.span(0);
  const signature = r.fixed(SIGNATURE_BYTES, "signature");
  r.end();
  return { conversationId, epoch, keyId, author, createdAt, body, iv, ciphertext, signature };
}

export function groupMetaSigningInput(body: Uint8Array): Uint8Array {
  return labelled(Label.groupMeta, body);
}

function metaAad(header: Uint8Array): Uint8Array {
  return labelled(Label.groupMetaAad, header);
}

function encodePlaintext(meta: GroupMeta): Uint8Array {
  return pad(new Writer().str(parseGroupName(meta.name)).finish());
}

function decodePlaintext(padded: Uint8Array): GroupMeta {
  const r = new Reader(unpad(padded), "group meta plaintext");
  const name = r.str(MAX_GROUP_NAME_BYTES, "name");
  r.end();
  if (parseGroupName(name) !== name) fail("malformed", "a group name must be stored trimmed");
  return { name };
}

/** Encrypts `meta` under the epoch's CK (header as AAD) and signs it with the author device's DSK. */
export async function sealGroupMeta(env: CryptoEnv, p: SealedGroupMetaHeader & { ck: Key; signingKey: Key; meta: GroupMeta }): Promise<Uint8Array> {
  const header = encodeHeader(p);
  let iv = env.randomBytes(IV_BYTES);
  while (isAllZero(iv)) iv = env.randomBytes(IV_BYTES);
  const ciphertext = await aesGcmEncrypt(env, p.ck, iv, metaAad(header), encodePlaintext(p.meta));
  const body = new Writer().fixed(header, header.length).fixed(iv, IV_BYTES).vbytes(ciphertext).finish();
  const signature = await sign(env, p.signingKey, groupMetaSigningInput(body));
  return new Writer().fixed(body, body.length).fixed(signature, SIGNATURE_BYTES).finish();
}

/**
 * Checks conversation, epoch and key id against the caller's (wrong_context), the author's signature with
 * the key `deviceKeyAt` vouches for (undefined: unknown_signer; a bad one: bad_signature), then decrypts
 * (decrypt_failed) and parses the name (malformed, out_of_bounds).
 */
export async function openGroupMeta(
  env: CryptoEnv,
  bytes: Uint8Array,
  p: { conversationId: ConversationId; epoch: number; keyId: Uint8Array; ck: Key; deviceKeyAt: DeviceKeyAt },
): Promise<GroupMeta> {
  const m = decodeSealedGroupMeta(bytes);
  if (m.conversationId !== p.conversationId) fail("wrong_context", "the group meta is for another conversation");
  if (m.epoch !== p.epoch) fail("wrong_context", "the group meta is sealed under another epoch");
  if (!bytesEqual(m.keyId, p.keyId)) fail("wrong_context", "the group meta names another key id than the epoch's");
  const key = await p.deviceKeyAt(m.author);
  if (!key) fail("unknown_signer", "the group meta is signed by a device that is not active on its author's log");
  if (!(await verify(env, key, m.signature, groupMetaSigningInput(m.body)))) fail("bad_signature", "the group meta signature does not verify");
  const header = m.body.subarray(0, HEADER_BYTES);
  return decodePlaintext(await aesGcmDecrypt(env, p.ck, m.iv, metaAad(header), m.ciphertext));
}
