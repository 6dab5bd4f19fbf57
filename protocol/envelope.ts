import { bytesEqual, isAllZero } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { decodeBody, encodePaddedBody, type KnownContent, type MessageBody } from "./content.js";
import { fail } from "./errors.js";
import type { AccountState } from "./device-log.js";
import { AccountId, ClientMessageId, ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { MAX_PADDED_BYTES, pad, unpadView } from "./padding.js";
import { HASH_BYTES, IV_BYTES, SIGNATURE_BYTES, aesGcmDecrypt, aesGcmEncrypt, hashLabelled, labelPrefix, labelled, sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Message envelopes: a signed header, AES-256-GCM of the padded body with the header as associated
 * data, and an Ed25519 signature by the sending device. docs/PROTOCOL.md "Message envelope".
 */
export const ENVELOPE_VERSION = 1;
export const HEADER_BYTES = 189;
export const GCM_TAG_BYTES = 16;

export interface EnvelopeHeader {
  readonly version: typeof ENVELOPE_VERSION;
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  /** The sender's device-log head when it sent, so receivers learn of newer entries. */
  readonly senderLogSeq: number;
  readonly senderLogHead: Uint8Array;
  /** Per sending device and conversation, starting at 1. */
  readonly counter: number;
  /** Hash of the sender device's previous envelope in this conversation, zeros for the first. */
  readonly prevHash: Uint8Array;
  readonly clientMessageId: ClientMessageId;
}

export interface DecodedEnvelope {
  readonly header: EnvelopeHeader;
  readonly headerBytes: Uint8Array;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
  readonly signature: Uint8Array;
}

export function encodeHeader(h: EnvelopeHeader): Uint8Array {
  return new Writer(HEADER_BYTES)
    .u8(h.version)
    .fixed(ConversationId.toBytes(h.conversationId), 16)
    .u32(h.epoch)
    .fixed(h.keyId, HASH_BYTES)
    .fixed(AccountId.toBytes(h.senderAccountId), 32)
    .fixed(DeviceId.toBytes(h.senderDeviceId), 16)
    .u32(h.senderLogSeq)
    .fixed(h.senderLogHead, HASH_BYTES)
    .u32(h.counter)
    .fixed(h.prevHash, HASH_BYTES)
    .fixed(ClientMessageId.toBytes(h.clientMessageId), 16)
    .finish();
}

function readHeader(r: Reader): EnvelopeHeader {
  const version = r.u8("version");
  if (version !== ENVELOPE_VERSION) fail("unsupported_version", `envelope version ${version}`);
  const h: EnvelopeHeader = {
    version: ENVELOPE_VERSION,
    conversationId: ConversationId.fromBytes(r.fixed(16, "conversationId")),
    epoch: r.u32("epoch"),
    keyId: r.fixed(HASH_BYTES, "keyId"),
    senderAccountId: AccountId.fromBytes(r.fixed(32, "senderAccountId")),
    senderDeviceId: DeviceId.fromBytes(r.fixed(16, "senderDeviceId")),
    senderLogSeq: r.u32("senderLogSeq"),
    senderLogHead: r.fixed(HASH_BYTES, "senderLogHead"),
    counter: r.u32("counter"),
    prevHash: r.fixed(HASH_BYTES, "prevHash"),
    clientMessageId: ClientMessageId.fromBytes(r.fixed(16, "clientMessageId")),
  };
  if (h.counter < 1) fail("malformed", "envelope counter starts at 1");
  if ((h.counter === 1) !== isAllZero(h.prevHash)) fail("malformed", "only the first envelope of a device has no previous hash");
  return h;
}

/**
 * Parses an envelope. Nothing returned aliases `bytes`: the header's fields are copies, and headerBytes,
 * iv, ciphertext and signature are views of one private copy of the envelope (one allocation, not one
 * per field: issue 23, per-message cost).
 */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  const own = bytes.slice();
  const r = new Reader(own, "envelope");
  const header = readHeader(r);
  const headerBytes = own.subarray(0, r.offset);
  const iv = r.fixedView(IV_BYTES, "iv");
  // The all-zero nonce is reserved for key commitments.
  if (isAllZero(iv)) fail("malformed", "envelope IV must not be all zero");
  const ciphertext = r.vbytesView(256 + GCM_TAG_BYTES, MAX_PADDED_BYTES + GCM_TAG_BYTES, "ciphertext");
  const signature = r.fixedView(SIGNATURE_BYTES, "signature");
  r.end();
  return { header, headerBytes, iv, ciphertext, signature };
}

export function encodeEnvelope(e: Omit<DecodedEnvelope, "header">): Uint8Array {
  const size = HEADER_BYTES + IV_BYTES + 4 + e.ciphertext.length + SIGNATURE_BYTES;
  return new Writer(size).fixed(e.headerBytes, HEADER_BYTES).fixed(e.iv, IV_BYTES).vbytes(e.ciphertext).fixed(e.signature, SIGNATURE_BYTES).finish();
}

export function envelopeSigningInput(headerBytes: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array {
  return labelled(Label.envelope, headerBytes, iv, ciphertext);
}

/**
 * The AEAD associated data, labelled(envelopeAad, header), and the signing input, envelopeSigningInput,
 * as two views of one buffer: one allocation for both. The ciphertext is copied in when given; sealing
 * gives only its length and copies it in at `ciphertextAt` once encrypted.
 */
function envelopeInputs(headerBytes: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array | number) {
  const aadPrefix = labelPrefix(Label.envelopeAad);
  const signingPrefix = labelPrefix(Label.envelope);
  const ciphertextLength = typeof ciphertext === "number" ? ciphertext : ciphertext.length;
  const aadLength = aadPrefix.length + 4 + headerBytes.length;
  const size = aadLength + signingPrefix.length + 4 + headerBytes.length + 4 + iv.length + 4 + ciphertextLength;
  const w = new Writer(size).fixed(aadPrefix, aadPrefix.length).vbytes(headerBytes).fixed(signingPrefix, signingPrefix.length).vbytes(headerBytes).vbytes(iv);
  if (typeof ciphertext === "number") w.u32(ciphertextLength).skip(ciphertextLength);
  else w.vbytes(ciphertext);
  const buf = w.finish();
  return { buf, aad: buf.subarray(0, aadLength), signingInput: buf.subarray(aadLength), ciphertextAt: size - ciphertextLength };
}

export async function envelopeHash(env: CryptoEnv, bytes: Uint8Array): Promise<Uint8Array> {
  return hashLabelled(env, Label.envelopeHash, bytes);
}

/** Encrypts and signs a message. The caller supplies the header fields; the version is fixed here. */
export async function sealEnvelope(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key; body: KnownContent },
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  return sealPadded(env, p, encodePaddedBody(p.body));
}

/**
 * sealEnvelope for a body already encoded: for tests and tools that seal a kind this version cannot
 * build (content.ts encodeBodyFrame), as a newer app would.
 */
export async function sealEncodedBody(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key; body: Uint8Array },
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  return sealPadded(env, p, pad(p.body));
}

async function sealPadded(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key },
  padded: Uint8Array,
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  const header: EnvelopeHeader = { version: ENVELOPE_VERSION, ...p.header };
  const headerBytes = encodeHeader(header);
  let iv = env.randomBytes(IV_BYTES);
  while (isAllZero(iv)) iv = env.randomBytes(IV_BYTES);
  const inputs = envelopeInputs(headerBytes, iv, padded.length + GCM_TAG_BYTES);
  const ciphertext = await aesGcmEncrypt(env, p.ck, iv, inputs.aad, padded);
  if (ciphertext.length !== padded.length + GCM_TAG_BYTES) throw new Error("AES-GCM returned an unexpected length");
  inputs.buf.set(ciphertext, inputs.ciphertextAt);
  const signature = await sign(env, p.signingKey, inputs.signingInput);
  const bytes = encodeEnvelope({ headerBytes, iv, ciphertext, signature });
  return { bytes, header, hash: await envelopeHash(env, bytes) };
}

/**
 * Verifies and decrypts an envelope, in the order of docs/PROTOCOL.md "Receiving a message": context,
 * sender device on the verified log, cited log head, signature, key id, then decryption.
 */
export async function openEnvelope(
  env: CryptoEnv,
  e: DecodedEnvelope,
  p: { conversationId: ConversationId; sender: AccountState; ck: Key; keyId: Uint8Array },
): Promise<MessageBody> {
  const h = e.header;
  if (h.conversationId !== p.conversationId) fail("wrong_context", "envelope is for another conversation");
  if (h.senderAccountId !== p.sender.accountId) fail("wrong_context", "envelope sender is not the given account");
  const device = p.sender.devices.find((d) => d.deviceId === h.senderDeviceId);
  if (!device) fail("unknown_signer", "envelope sender device is not on the sender's log");
  if (h.senderLogSeq > p.sender.head.seq) fail("unknown_head", "envelope cites a newer sender log head");
  const seen = p.sender.entryHashes[h.senderLogSeq];
  if (!seen || !bytesEqual(seen, h.senderLogHead)) fail("log_conflict", "envelope cites a log entry that contradicts the verified log");
  // Verify and decrypt run at once (WebCrypto queues both; awaiting each in turn pays two round trips),
  // and are judged in the order of the checks: the signature first, then the key id, then the AEAD. The
  // plaintext is not looked at unless the signature verified.
  const inputs = envelopeInputs(e.headerBytes, e.iv, e.ciphertext);
  const signed = verify(env, device.signingKey, e.signature, inputs.signingInput);
  const opened = aesGcmDecrypt(env, p.ck, e.iv, inputs.aad, e.ciphertext).then(
    (padded) => ({ padded }),
    (error: unknown) => ({ error }),
  );
  if (!(await signed)) fail("bad_signature", "envelope signature does not verify");
  if (!bytesEqual(h.keyId, p.keyId)) fail("wrong_context", "envelope names another epoch key");
  const result = await opened;
  if ("error" in result) throw result.error;
  // decodeBody copies what it keeps, so a view of the decrypted buffer (ours alone) is enough.
  return decodeBody(unpadView(result.padded));
}

/** Per sending device: the last counter and envelope hash seen in one conversation. */
export interface SenderChain {
  readonly counter: number;
  readonly hash: Uint8Array;
}

/**
 * Advances a sender's chain. A counter at or below the last one is a replay (refused); a jump is a gap
 * and a previous-hash mismatch means the server dropped or altered messages (both shown, not refused).
 */
export function advanceChain(
  prev: SenderChain | undefined,
  header: EnvelopeHeader,
  hash: Uint8Array,
  opts: { messageIdSeen?: boolean } = {},
): { chain: SenderChain; missing: number; broken: boolean } {
  // The same client message id under a new counter is a resend of a message already shown.
  if (opts.messageIdSeen) fail("replay", "client message id was already seen");
  const last = prev?.counter ?? 0;
  if (header.counter <= last) fail("replay", `envelope counter ${header.counter} was already seen`);
  const missing = header.counter - last - 1;
  const broken = missing === 0 && prev !== undefined && !bytesEqual(prev.hash, header.prevHash);
  return { chain: { counter: header.counter, hash }, missing, broken };
}

/**
 * Epochs only move forward: a client sends under, and accepts as current, nothing older than the newest
 * epoch it has verified for the conversation (a server presenting an old epoch after a removal).
 */
export function assertCurrentEpoch(newestVerified: number | undefined, epoch: number): void {
  if (newestVerified !== undefined && epoch < newestVerified) fail("stale_epoch", `epoch ${epoch} is older than the newest verified epoch ${newestVerified}`);
}
