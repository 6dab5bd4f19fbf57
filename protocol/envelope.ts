import { bytesEqual, isAllZero } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { decodeBody, encodePaddedBody, type KnownContent, type MessageBody } from "./content.js";
import { fail } from "./errors.js";
import type { AccountState } from "./device-log.js";
import { AccountId, ClientMessageId, ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { MAX_PADDED_BYTES, padInto, unpadView } from "./padding.js";
import { ED25519, HASH_BYTES, IV_BYTES, SIGNATURE_BYTES, hashLabelled, labelPrefix, labelled, verifyOrReject } from "./primitives.js";
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
  return writeHeader(new Writer(HEADER_BYTES), h).finish();
}

function writeHeader(w: Writer, h: EnvelopeHeader): Writer {
  return w
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
    .fixed(ClientMessageId.toBytes(h.clientMessageId), 16);
}

/**
 * The id a header field read last, by its bytes: a receiver meets the same conversation, account and
 * device over and over, and comparing 16 or 32 bytes costs less than a base64url string and its garbage
 * (issue 23). Holds one id and a copy of its bytes; a different id replaces them.
 */
class LastId<T extends string> {
  private bytes: Uint8Array | undefined;
  private id: T | undefined;
  constructor(private readonly parser: { fromBytes(bytes: Uint8Array): T }) {}

  of(view: Uint8Array): T {
    if (this.id !== undefined && this.bytes !== undefined && bytesEqual(this.bytes, view)) return this.id;
    const id = this.parser.fromBytes(view);
    this.bytes = view.slice();
    this.id = id;
    return id;
  }
}
const lastConversationId = new LastId(ConversationId);
const lastAccountId = new LastId(AccountId);
const lastDeviceId = new LastId(DeviceId);

function readHeader(r: Reader): EnvelopeHeader {
  const version = r.u8("version");
  if (version !== ENVELOPE_VERSION) fail("unsupported_version", `envelope version ${version}`);
  const h: EnvelopeHeader = {
    version: ENVELOPE_VERSION,
    // The ids are read as views of the reader's buffer: they become strings at once (decodeEnvelope
    // reads its own private copy), so a copy of each was garbage (issue 23).
    conversationId: lastConversationId.of(r.fixedView(16, "conversationId")),
    epoch: r.u32("epoch"),
    keyId: r.fixed(HASH_BYTES, "keyId"),
    senderAccountId: lastAccountId.of(r.fixedView(32, "senderAccountId")),
    senderDeviceId: lastDeviceId.of(r.fixedView(16, "senderDeviceId")),
    senderLogSeq: r.u32("senderLogSeq"),
    senderLogHead: r.fixed(HASH_BYTES, "senderLogHead"),
    counter: r.u32("counter"),
    prevHash: r.fixed(HASH_BYTES, "prevHash"),
    clientMessageId: ClientMessageId.fromBytes(r.fixedView(16, "clientMessageId")),
  };
  if (h.counter < 1) fail("malformed", "envelope counter starts at 1");
  if ((h.counter === 1) !== isAllZero(h.prevHash)) fail("malformed", "only the first envelope of a device has no previous hash");
  return h;
}

/**
 * Parses an envelope. The header's fields are copies (or strings); headerBytes, iv, ciphertext and
 * signature are views of `bytes`, not copies: a private copy of every received envelope was an
 * allocation the floor does not make, and its garbage collection the largest part of what openEnvelope
 * cost beyond its WebCrypto calls (issue 23). A caller that keeps those views keeps `bytes` unchanged.
 * openEnvelope does not depend on that: it verifies the header as parsed (encoded again, byte for byte
 * the same) and copies the IV and ciphertext for both its WebCrypto calls at once, so what it judges is
 * what the signature covers even if `bytes` changed since.
 */
export function decodeEnvelope(bytes: Uint8Array): DecodedEnvelope {
  const r = new Reader(bytes, "envelope");
  const header = readHeader(r);
  const headerBytes = bytes.subarray(0, r.offset);
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
 * The AEAD associated data, labelled(envelopeAad, header), then the signing input, envelopeSigningInput,
 * written into the front of `work` (openEnvelope's reused work buffer): AAD_LENGTH() bytes of AAD, then
 * the signing input up to `used`, which must be envelopeInputsLength(ciphertext). The header is encoded from the parsed header `h`, not copied from
 * the envelope's bytes: the encoding is canonical (every byte is a field), so it is the same bytes, and
 * the signature then covers exactly the header the checks judged.
 */
function envelopeInputs(work: Uint8Array, used: number, h: EnvelopeHeader, iv: Uint8Array, ciphertext: Uint8Array): void {
  const aadPrefix = labelPrefix(Label.envelopeAad);
  const signingPrefix = labelPrefix(Label.envelope);
  const aadLength = AAD_LENGTH();
  const w = writeHeaderCached(new Writer(work).fixed(aadPrefix, aadPrefix.length).u32(HEADER_BYTES), h);
  if (w.length !== aadLength) throw new Error("the envelope header has an unexpected length");
  w.fixed(signingPrefix, signingPrefix.length).u32(HEADER_BYTES).skip(HEADER_BYTES).vbytes(iv).vbytes(ciphertext);
  // Exactly `used` bytes written into a buffer at least that long: the Writer never had to grow, so
  // everything is in `work` (no finish(), which would copy a buffer written only in part).
  if (w.length !== used || used > work.length) throw new Error("envelope inputs do not fit their work buffer");
  work.copyWithin(aadLength + signingPrefix.length + 4, aadLength - HEADER_BYTES, aadLength);
}

function envelopeInputsLength(ciphertext: Uint8Array): number {
  return labelPrefix(Label.envelopeAad).length + labelPrefix(Label.envelope).length + 4 * 4 + 2 * HEADER_BYTES + IV_BYTES + ciphertext.length;
}

export async function envelopeHash(env: CryptoEnv, bytes: Uint8Array): Promise<Uint8Array> {
  return hashLabelled(env, Label.envelopeHash, bytes);
}

/** Encrypts and signs a message. The caller supplies the header fields; the version is fixed here. */
export function sealEnvelope(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key; body: KnownContent },
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  // Not async: an async function returning sealPadded's promise settled it through three more ticks.
  // Errors thrown before the crypto starts (an oversized text, a bad id) still come back as a rejection.
  try {
    return sealPadded(env, p, (alloc) => encodePaddedBody(p.body, alloc));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * sealEnvelope for a body already encoded: for tests and tools that seal a kind this version cannot
 * build (content.ts encodeBodyFrame), as a newer app would.
 */
export function sealEncodedBody(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key; body: Uint8Array },
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  try {
    return sealPadded(env, p, (alloc) => padInto(p.body, alloc));
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * Work buffers of sealPadded and openEnvelope, reused: in Chromium a fresh typed array over 64 bytes costs an allocation
 * and, later, garbage collection (issue 23). One is taken for one seal or open and given back, zeroed, when it
 * ends, so calls running at once never share one; at most WORK_KEPT are kept, none over WORK_MAX_BYTES.
 * takeWork hands out a whole buffer (at least `size` bytes; callers use the front) so that giving it back
 * makes no view and takes no array apart (issue 23: each cost garbage per message).
 */
const spareWork: Uint8Array[] = [];
const WORK_KEPT = 4;
const WORK_MIN_BYTES = 4096;
const WORK_MAX_BYTES = 64 * 1024;

function takeWork(size: number): Uint8Array {
  // Most calls find the last one big enough: pop it without searching.
  const last = spareWork.length - 1;
  if (last >= 0 && spareWork[last]!.length >= size) return spareWork.pop()!;
  for (let i = 0; i < last; i++) {
    const b = spareWork[i]!;
    if (b.length >= size) {
      spareWork[i] = spareWork[last]!;
      spareWork.pop();
      return b;
    }
  }
  return new Uint8Array(Math.max(size, WORK_MIN_BYTES));
}

/** Gives back a buffer takeWork handed out, of which the first `used` bytes were written. */
function giveBackWork(work: Uint8Array, used: number): void {
  work.fill(0, 0, used);
  if (work.length <= WORK_MAX_BYTES && spareWork.length < WORK_KEPT) spareWork.push(work);
}

/**
 * The raw bytes of the header's ids by their base64url text, for the ids a device sends under again and
 * again (its conversation, account and device): decoding them on every send cost a fresh array each. The
 * arrays only ever go into Writer.fixed (copied), never out; past IDS_KEPT the map is dropped whole, so
 * no caller can grow it. Each id is decoded (and its length checked) the first time, as before.
 */
const idBytes = new Map<string, Uint8Array>();
const IDS_KEPT = 256;

function cachedIdBytes<T extends string>(id: T, parser: { toBytes(id: T): Uint8Array }): Uint8Array {
  let bytes = idBytes.get(id);
  if (!bytes) {
    if (idBytes.size >= IDS_KEPT) idBytes.clear();
    bytes = parser.toBytes(id);
    idBytes.set(id, bytes);
  }
  return bytes;
}

/**
 * Seals a body that `writeBody` pads into the array it is given. Everything the envelope's crypto reads
 * is written into one reused work buffer up front, the ciphertext and signature copied in as they
 * arrive (where there were eight allocations, issue 23):
 *
 *   padded body || labelled(envelopeAad, header) || envelopeSigningInput(header, iv, ciphertext)
 *     || labelled(envelopeHash, envelope)
 *
 * The envelope (header || iv || u32 length || ciphertext || signature) is the tail of the last part and
 * is returned as a copy of its own. The padded plaintext is zeroed as soon as it is encrypted.
 *
 * The three WebCrypto calls (AES-GCM, Ed25519 sign, SHA-256) are awaited here directly, not through the
 * async helpers of primitives.ts: each helper was one more promise and resumption per call (issue 23).
 */
function sealPadded(
  env: CryptoEnv,
  p: { header: Omit<EnvelopeHeader, "version">; ck: Key; signingKey: Key },
  writeBody: (alloc: (size: number) => Uint8Array) => Uint8Array,
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  const header: EnvelopeHeader = { version: ENVELOPE_VERSION, ...p.header };
  let work: Uint8Array | undefined;
  let bodyLength = 0;
  const padded = writeBody((size) => {
    bodyLength = size;
    work = takeWork(size + sealWorkLength(size + GCM_TAG_BYTES));
    return work.subarray(0, size);
  });
  if (!work || padded.buffer !== work.buffer || padded.byteOffset !== 0 || padded.length !== bodyLength) throw new Error("the body was not written into the work buffer");
  return sealInWork(env, p, header, work, padded);
}

const AAD_LENGTH = () => labelPrefix(Label.envelopeAad).length + 4 + HEADER_BYTES;

/** Bytes of the work buffer after the padded body: AAD, signing input and hash input (which ends with the envelope). */
function sealWorkLength(ctLength: number): number {
  const envLength = HEADER_BYTES + IV_BYTES + 4 + ctLength + SIGNATURE_BYTES;
  const signingLength = labelPrefix(Label.envelope).length + 4 + HEADER_BYTES + 4 + IV_BYTES + 4 + ctLength;
  return AAD_LENGTH() + signingLength + labelPrefix(Label.envelopeHash).length + 4 + envLength;
}

async function sealInWork(
  env: CryptoEnv,
  p: { ck: Key; signingKey: Key },
  header: EnvelopeHeader,
  work: Uint8Array,
  padded: Uint8Array,
): Promise<{ bytes: Uint8Array; header: EnvelopeHeader; hash: Uint8Array }> {
  const bodyLength = padded.length;
  const ctLength = bodyLength + GCM_TAG_BYTES;
  const used = bodyLength + sealWorkLength(ctLength);
  try {
    const aadPrefix = labelPrefix(Label.envelopeAad);
    const signingPrefix = labelPrefix(Label.envelope);
    const hashPrefix = labelPrefix(Label.envelopeHash);
    const aadLength = AAD_LENGTH();
    const envLength = HEADER_BYTES + IV_BYTES + 4 + ctLength + SIGNATURE_BYTES;
    const signingLength = signingPrefix.length + 4 + HEADER_BYTES + 4 + IV_BYTES + 4 + ctLength;
    let iv = env.randomBytes(IV_BYTES);
    while (isAllZero(iv)) iv = env.randomBytes(IV_BYTES);
    const buf = work.subarray(bodyLength, used);
    const w = new Writer(buf);
    writeHeaderCached(w.fixed(aadPrefix, aadPrefix.length).u32(HEADER_BYTES), header);
    w.fixed(signingPrefix, signingPrefix.length).u32(HEADER_BYTES).skip(HEADER_BYTES).vbytes(iv).u32(ctLength).skip(ctLength);
    const signingCtAt = w.length - ctLength;
    w.fixed(hashPrefix, hashPrefix.length).u32(envLength).skip(HEADER_BYTES).fixed(iv, IV_BYTES).u32(ctLength).skip(ctLength + SIGNATURE_BYTES);
    if (w.finish() !== buf) throw new Error("the envelope outgrew its work buffer");
    const envAt = buf.length - envLength;
    const headerBytes = buf.subarray(aadLength - HEADER_BYTES, aadLength);
    buf.set(headerBytes, aadLength + signingPrefix.length + 4);
    buf.set(headerBytes, envAt);

    const ciphertext = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv, additionalData: buf.subarray(0, aadLength) }, p.ck, padded));
    padded.fill(0);
    if (ciphertext.length !== ctLength) throw new Error("AES-GCM returned an unexpected length");
    buf.set(ciphertext, signingCtAt);
    buf.set(ciphertext, envAt + HEADER_BYTES + IV_BYTES + 4);
    const signature = new Uint8Array(await env.subtle.sign(ED25519, p.signingKey, buf.subarray(aadLength, aadLength + signingLength)));
    if (signature.length !== SIGNATURE_BYTES) throw new Error("Ed25519 returned an unexpected length");
    buf.set(signature, buf.length - SIGNATURE_BYTES);
    const hash = new Uint8Array(await env.subtle.digest("SHA-256", buf.subarray(aadLength + signingLength)));
    return { bytes: buf.slice(envAt), header, hash };
  } finally {
    giveBackWork(work, used);
  }
}

/** writeHeader, with the ids a device sends under repeatedly taken from cachedIdBytes. */
function writeHeaderCached(w: Writer, h: EnvelopeHeader): Writer {
  return w
    .u8(h.version)
    .fixed(cachedIdBytes(h.conversationId, ConversationId), 16)
    .u32(h.epoch)
    .fixed(h.keyId, HASH_BYTES)
    .fixed(cachedIdBytes(h.senderAccountId, AccountId), 32)
    .fixed(cachedIdBytes(h.senderDeviceId, DeviceId), 16)
    .u32(h.senderLogSeq)
    .fixed(h.senderLogHead, HASH_BYTES)
    .u32(h.counter)
    .fixed(h.prevHash, HASH_BYTES)
    .fixed(ClientMessageId.toBytes(h.clientMessageId), 16);
}

/**
 * Verifies and decrypts an envelope, in the order of docs/PROTOCOL.md "Receiving a message": context,
 * sender device on the verified log, cited log head, signature, key id, then decryption.
 */
export function openEnvelope(
  env: CryptoEnv,
  e: DecodedEnvelope,
  p: { conversationId: ConversationId; sender: AccountState; ck: Key; keyId: Uint8Array },
): Promise<MessageBody> {
  // Not an async function awaiting the other: that was one more promise to settle per message.
  try {
    return startOpenEnvelope(env, e, p);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * openEnvelope in two steps, for a caller that opens many envelopes in order (a history page): the checks
 * up to the cited log head are made at once and THROW at once (so a caller can react to unknown_head
 * before it starts the next envelope), then the signature, key id and AEAD are judged in the returned
 * promise, in that order, exactly as openEnvelope does. The caller can start the next envelope's checks
 * and crypto before this one's crypto is done, so many verifies and decrypts are in flight at once.
 */
export function startOpenEnvelope(
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
  return verifyAndDecrypt(env, e, device.signingKey, p);
}

/** What a failed AEAD decrypt settles to in verifyAndDecrypt (a rejection would go unhandled while the verify is awaited). */
const DECRYPT_FAILED = Symbol("decrypt failed");
const decryptFailed = (): typeof DECRYPT_FAILED => DECRYPT_FAILED;
const refusedSignature = (): false => false;

function verifyAndDecrypt(env: CryptoEnv, e: DecodedEnvelope, signingKey: Uint8Array, p: { ck: Key; keyId: Uint8Array }): Promise<MessageBody> {
  // Verify and decrypt run at once (WebCrypto queues both; awaiting each in turn pays two round trips),
  // and are judged in the order of the checks: the signature first, then the key id, then the AEAD. The
  // plaintext is not looked at unless the signature verified.
  // The AAD and signing input go in a reused work buffer, given back once both calls are done. The
  // decrypt is WebCrypto's own call, not primitives.ts's async aesGcmDecrypt: one promise less (issue 23).
  const used = envelopeInputsLength(e.ciphertext);
  const work = takeWork(used);
  let signed: Promise<boolean> | undefined;
  let opened: Promise<ArrayBuffer | typeof DECRYPT_FAILED>;
  try {
    // decodeEnvelope refused these; its views may have changed since (see there), so again, at no cost.
    if (e.iv.length !== IV_BYTES || isAllZero(e.iv)) fail("malformed", "envelope IV must be 12 bytes, not all zero");
    envelopeInputs(work, used, e.header, e.iv, e.ciphertext);
    const aadLength = AAD_LENGTH();
    // verifyOrReject: a refused key or signature rejects, taken as "does not verify" in judgeOpened.
    signed = verifyOrReject(env, signingKey, e.signature, work.subarray(aadLength, used));
    opened = env.subtle.decrypt({ name: "AES-GCM", iv: e.iv, additionalData: work.subarray(0, aadLength) }, p.ck, e.ciphertext).then(undefined, decryptFailed);
  } catch (err) {
    signed?.then(undefined, refusedSignature);
    giveBackWork(work, used);
    return Promise.reject(err);
  }
  return judgeOpened(e.header, p.keyId, signed, opened, work, used);
}

async function judgeOpened(
  h: EnvelopeHeader,
  keyId: Uint8Array,
  signed: Promise<boolean>,
  opened: Promise<ArrayBuffer | typeof DECRYPT_FAILED>,
  work: Uint8Array,
  used: number,
): Promise<MessageBody> {
  let ok: boolean;
  let padded: ArrayBuffer | typeof DECRYPT_FAILED;
  try {
    ok = await signed;
  } catch {
    ok = false;
  } finally {
    padded = await opened;
    giveBackWork(work, used);
  }
  if (!ok) fail("bad_signature", "envelope signature does not verify");
  if (!bytesEqual(h.keyId, keyId)) fail("wrong_context", "envelope names another epoch key");
  if (padded === DECRYPT_FAILED) fail("decrypt_failed", "AES-GCM authentication failed");
  // decodeBody copies what it keeps, so a view of the decrypted buffer (ours alone) is enough.
  return decodeBody(unpadView(new Uint8Array(padded)));
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
