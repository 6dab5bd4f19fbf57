import { bytesEqual, isAllZero } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId, ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { HASH_BYTES, IV_BYTES, SIGNATURE_BYTES, aesGcmDecrypt, aesGcmEncrypt, hkdf, importAesKey, labelled, sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Typing frames: "this device is typing in this conversation" (or stopped), relayed over the realtime
 * socket only and never stored. A fixed-size frame: a plaintext header (the AAD), AES-256-GCM of the
 * state under a key derived from the epoch key, and an Ed25519 signature by the sending device, so
 * neither the server nor another member can forge one. docs/PROTOCOL.md "Typing frame".
 */
export const TYPING_VERSION = 1;
export const TYPING_HEADER_BYTES = 109;
const GCM_TAG_BYTES = 16;
/** The sealed state is one byte; the GCM tag adds 16. */
const TYPING_CIPHERTEXT_BYTES = 1 + GCM_TAG_BYTES;
export const TYPING_FRAME_BYTES = TYPING_HEADER_BYTES + IV_BYTES + TYPING_CIPHERTEXT_BYTES + SIGNATURE_BYTES;
/** A receiver drops a frame sent longer ago than this (ms): the typing it reports is over. */
export const TYPING_MAX_AGE_MS = 10_000;
/** ... or further ahead of its own clock than this (ms): clocks differ, but not by this much. */
export const TYPING_MAX_SKEW_MS = 30_000;

export const TypingState = { typing: 1, stopped: 2 } as const;
export type TypingStateName = keyof typeof TypingState;

export interface TypingHeader {
  readonly version: typeof TYPING_VERSION;
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  /** The sender's clock when it sealed the frame, ms since the Unix epoch. */
  readonly sentAt: number;
}

export interface DecodedTypingFrame {
  readonly header: TypingHeader;
  readonly headerBytes: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * The second nonce the protocol reserves under an epoch key (the all-zero one is the key commitment's);
 * envelopes and group metadata draw random nonces, which hit it with probability 2^-96 each.
 */
const TYPING_KEY_IV = Uint8Array.of(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1);

function u32(n: number): Uint8Array {
  return new Writer().u32(n).finish();
}

function keyContext(conversationId: ConversationId, epoch: number, keyId: Uint8Array): Uint8Array {
  return labelled(Label.typingKey, ConversationId.toBytes(conversationId), u32(epoch), keyId);
}

/**
 * The typing key of one epoch: HKDF-SHA-256 (RFC 5869) with info = labelled("typing-key", conversation,
 * epoch, key id) over input keying material that CK itself produces, AES-GCM of 32 zero bytes under the
 * reserved nonce TYPING_KEY_IV with the same context as AAD. WebCrypto cannot run HKDF over a
 * non-extractable AES key, and every device holds CK only that way; the key commitment uses CK as a
 * PRF the same way. A separate key keeps typing frames (many, short-lived) off CK's nonce budget.
 */
export async function typingKey(env: CryptoEnv, p: { ck: Key; conversationId: ConversationId; epoch: number; keyId: Uint8Array }): Promise<Key> {
  if (p.keyId.length !== HASH_BYTES) fail("malformed", "key id must be 32 bytes");
  const context = keyContext(p.conversationId, p.epoch, p.keyId);
  const ikm = await aesGcmEncrypt(env, p.ck, TYPING_KEY_IV, context, new Uint8Array(32));
  const raw = await hkdf(env, ikm, new Uint8Array(0), context, 32);
  ikm.fill(0);
  const key = await importAesKey(env, raw, false, ["encrypt", "decrypt"]);
  raw.fill(0);
  return key;
}

export function encodeTypingHeader(h: TypingHeader): Uint8Array {
  return new Writer()
    .u8(h.version)
    .fixed(ConversationId.toBytes(h.conversationId), 16)
    .u32(h.epoch)
    .fixed(h.keyId, HASH_BYTES)
    .fixed(AccountId.toBytes(h.senderAccountId), 32)
    .fixed(DeviceId.toBytes(h.senderDeviceId), 16)
    .u64(h.sentAt)
    .finish();
}

/** Decodes a frame's structure (no keys needed): what the server checks before relaying one. */
export function decodeTypingFrame(bytes: Uint8Array): DecodedTypingFrame {
  if (bytes.length !== TYPING_FRAME_BYTES) fail("malformed", `a typing frame is ${TYPING_FRAME_BYTES} bytes, got ${bytes.length}`);
  const r = new Reader(bytes, "typing frame");
  const version = r.u8("version");
  if (version !== TYPING_VERSION) fail("unsupported_version", `typing frame version ${version}`);
  const header: TypingHeader = {
    version: TYPING_VERSION,
    conversationId: ConversationId.fromBytes(r.fixed(16, "conversationId")),
    epoch: r.u32("epoch"),
    keyId: r.fixed(HASH_BYTES, "keyId"),
    senderAccountId: AccountId.fromBytes(r.fixed(32, "senderAccountId")),
    senderDeviceId: DeviceId.fromBytes(r.fixed(16, "senderDeviceId")),
    sentAt: r.u64("sentAt"),
  };
  const headerBytes = r.span(0);
  const iv = r.fixed(IV_BYTES, "iv");
  if (isAllZero(iv) || bytesEqual(iv, TYPING_KEY_IV)) fail("malformed", "typing frame IV is a reserved nonce");
  const ciphertext = r.fixed(TYPING_CIPHERTEXT_BYTES, "ciphertext");
  const signature = r.fixed(SIGNATURE_BYTES, "signature");
  r.end();
  return { header, headerBytes, iv, ciphertext, signature };
}

function typingSigningInput(headerBytes: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return labelled(Label.typing, headerBytes, iv, ciphertext);
}

function typingAad(headerBytes: Uint8Array): Uint8Array {
  return labelled(Label.typingAad, headerBytes);
}

/**
 * Seals and signs a typing frame. `key` is typingKey() of the header's epoch; `signingKey` the device's
 * DSK. The version is fixed here.
 */
export async function sealTypingFrame(
  env: CryptoEnv,
  p: { header: Omit<TypingHeader, "version">; key: Key; signingKey: Key; state: TypingStateName },
): Promise<Uint8Array> {
  const headerBytes = encodeTypingHeader({ version: TYPING_VERSION, ...p.header });
  let iv = env.randomBytes(IV_BYTES);
  while (isAllZero(iv) || bytesEqual(iv, TYPING_KEY_IV)) iv = env.randomBytes(IV_BYTES);
  const ciphertext = await aesGcmEncrypt(env, p.key, iv, typingAad(headerBytes), Uint8Array.of(TypingState[p.state]));
  const signature = await sign(env, p.signingKey, typingSigningInput(headerBytes, iv, ciphertext));
  return new Writer().fixed(headerBytes, TYPING_HEADER_BYTES).fixed(iv, IV_BYTES).fixed(ciphertext, TYPING_CIPHERTEXT_BYTES).fixed(signature, SIGNATURE_BYTES).finish();
}

/**
 * Verifies and opens a typing frame, in this order: conversation, freshness against the receiver's
 * clock `now`, key id, signature by `senderSigningKey` (the raw Ed25519 key of the header's device,
 * which the caller found active on the sender's verified log), then decryption. Throws a ProtocolError;
 * returns the state.
 */
export async function openTypingFrame(
  env: CryptoEnv,
  f: DecodedTypingFrame,
  p: { conversationId: ConversationId; keyId: Uint8Array; key: Key; senderSigningKey: Uint8Array; now: number },
): Promise<TypingStateName> {
  const h = f.header;
  if (h.conversationId !== p.conversationId) fail("wrong_context", "typing frame is for another conversation");
  if (h.sentAt < p.now - TYPING_MAX_AGE_MS) fail("expired", "typing frame is stale");
  if (h.sentAt > p.now + TYPING_MAX_SKEW_MS) fail("expired", "typing frame is dated in the future");
  if (!bytesEqual(h.keyId, p.keyId)) fail("wrong_context", "typing frame names another epoch key");
  if (!(await verify(env, p.senderSigningKey, f.signature, typingSigningInput(f.headerBytes, f.iv, f.ciphertext)))) fail("bad_signature", "typing frame signature does not verify");
  const plain = await aesGcmDecrypt(env, p.key, f.iv, typingAad(f.headerBytes), f.ciphertext);
  if (plain[0] === TypingState.typing) return "typing";
  if (plain[0] === TypingState.stopped) return "stopped";
  return fail("malformed", `typing state ${plain[0]}`);
}
