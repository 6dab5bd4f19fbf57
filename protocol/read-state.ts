import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { ClientMessageId, ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { IV_BYTES, aesGcmDecrypt, aesGcmEncrypt, labelled, sealingKey } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Read state: "this account has read conversation C up to position N", sealed so that only the
 * account's own devices can read it (docs/PROTOCOL.md "Read state"). The key comes from the account
 * history key AHK, which every device of the account holds and nobody else does; the server stores one
 * such blob per (account, conversation) and relays it without reading it. Fixed size, so every blob of
 * every account looks the same on the wire.
 */
export const READ_STATE_VERSION = 1;
const GCM_TAG_BYTES = 16;
/** u64 position || 16-byte device id || 16-byte client message id: the envelope at that position. */
const READ_STATE_PLAINTEXT_BYTES = 8 + 16 + 16;
export const READ_STATE_CIPHERTEXT_BYTES = READ_STATE_PLAINTEXT_BYTES + GCM_TAG_BYTES;
/** u8 version || u32 generation || nonce || ciphertext. */
export const READ_STATE_BYTES = 1 + 4 + IV_BYTES + READ_STATE_CIPHERTEXT_BYTES;

/** The account's history key of one generation: the private half (a non-extractable X25519 key) and its public key. */
export interface HistoryKeyOf {
  readonly historyKey: Key;
  readonly historyPublic: Uint8Array;
  readonly generation: number;
}

/** What a read-state blob says: read up to `position`, where the envelope `ref` stands. */
export interface ReadState {
  readonly position: number;
  readonly ref: { readonly deviceId: DeviceId; readonly clientMessageId: ClientMessageId };
}

/** A blob's structure, decoded without keys: what the server checks before storing one. */
export interface DecodedReadState {
  readonly version: typeof READ_STATE_VERSION;
  readonly generation: number;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** The HKDF info, also the AEAD's associated data: names the purpose, the AHK generation and the conversation. */
function readStateInfo(generation: number, conversationId: ConversationId): Uint8Array {
  return labelled(Label.readState, new Writer().u32(generation).finish(), ConversationId.toBytes(conversationId));
}

/**
 * The read-state key of one conversation under one AHK generation: HKDF-SHA-256 (RFC 5869) of
 * X25519(AHK private, AHK public) with info = labelled("sealed/read-state/v1", u32 generation,
 * conversation id). The X25519 of a key pair with itself is a secret only holders of the private key
 * can compute, which is exactly the account's devices (the device-name key is made the same way).
 */
export function readStateKey(env: CryptoEnv, k: HistoryKeyOf, conversationId: ConversationId): Promise<Key> {
  return sealingKey(env, k.historyKey, k.historyPublic, readStateInfo(k.generation, conversationId), ["encrypt", "decrypt"]);
}

/** Seals `state` for `conversationId` under the history key `k` (a fresh random nonce each time). */
export async function sealReadState(env: CryptoEnv, k: HistoryKeyOf, conversationId: ConversationId, state: ReadState): Promise<Uint8Array> {
  const key = await readStateKey(env, k, conversationId);
  const plaintext = new Writer()
    .u64(state.position)
    .fixed(DeviceId.toBytes(state.ref.deviceId), 16)
    .fixed(ClientMessageId.toBytes(state.ref.clientMessageId), 16)
    .finish();
  const iv = env.randomBytes(IV_BYTES);
  const ciphertext = await aesGcmEncrypt(env, key, iv, readStateInfo(k.generation, conversationId), plaintext);
  return new Writer().u8(READ_STATE_VERSION).u32(k.generation).fixed(iv, IV_BYTES).fixed(ciphertext, READ_STATE_CIPHERTEXT_BYTES).finish();
}

/** Decodes a blob's structure: exactly READ_STATE_BYTES, version 1. Throws a ProtocolError. */
export function decodeReadState(bytes: Uint8Array): DecodedReadState {
  if (bytes.length !== READ_STATE_BYTES) fail("malformed", `a read state is ${READ_STATE_BYTES} bytes, got ${bytes.length}`);
  const r = new Reader(bytes, "read state");
  const version = r.u8("version");
  if (version !== READ_STATE_VERSION) fail("unsupported_version", `read state version ${version}`);
  const generation = r.u32("generation");
  const iv = r.fixed(IV_BYTES, "iv");
  const ciphertext = r.fixed(READ_STATE_CIPHERTEXT_BYTES, "ciphertext");
  r.end();
  return { version: READ_STATE_VERSION, generation, iv, ciphertext };
}

/**
 * Opens a decoded blob of `conversationId` with the history key `k`. A blob of another generation is
 * `wrong_context` (the caller decides what an older or newer one means; it never opens one with the key
 * of another generation); an altered blob, or one sealed for another conversation, is `decrypt_failed`;
 * a position of 0 (nothing is at 0) is `malformed`.
 */
export async function openReadState(env: CryptoEnv, d: DecodedReadState, k: HistoryKeyOf, conversationId: ConversationId): Promise<ReadState> {
  if (d.generation !== k.generation) fail("wrong_context", `read state sealed under history generation ${d.generation}, not ${k.generation}`);
  const key = await readStateKey(env, k, conversationId);
  const plain = await aesGcmDecrypt(env, key, d.iv, readStateInfo(d.generation, conversationId), d.ciphertext);
  const r = new Reader(plain, "read state");
  const position = r.u64("position");
  if (position < 1) fail("malformed", "read state position must be at least 1");
  const deviceId = DeviceId.fromBytes(r.fixed(16, "deviceId"));
  const clientMessageId = ClientMessageId.fromBytes(r.fixed(16, "clientMessageId"));
  r.end();
  return { position, ref: { deviceId, clientMessageId } };
}
