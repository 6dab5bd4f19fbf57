import { fromBase64url, toBase64url } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { verifyLog } from "./device-log.js";
import { accountFingerprint } from "./fingerprint.js";
import type { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { HASH_BYTES, IV_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, aesGcmDecrypt, aesGcmEncrypt, hkdf, importAesKey, importSeed, labelled, x25519 } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Linking a new device (N) from an existing one (O). N shows a QR code holding a link offer; O scans it;
 * both derive directional channel keys from X25519 of their ephemeral keys, salted with the offer's
 * secret; the server relays only frames it cannot read. docs/PROTOCOL.md "Linking a device".
 */
/**
 * Version 2: the accept carries the account's genesis entry instead of a bare id and username (version 1
 * let whoever answered the code first name any account). Offers and frames of version 1 are refused.
 */
export const LINK_VERSION = 2;
export const LINK_OFFER_PREFIX = "sealed-link:";
/** An offer is refused this long after it was made (N refreshes its QR code every minute). */
export const LINK_OFFER_LIFETIME_MS = 5 * 60_000;
const CLOCK_SKEW_MS = 60_000;
export const LINK_ID_BYTES = 16;
export const LINK_SECRET_BYTES = 32;
export const MAX_LINK_FRAME_BYTES = 64 * 1024;
/** A genesis entry is at most 578 bytes (docs/PROTOCOL.md "Device log"); the accept allows up to this. */
export const MAX_LINK_GENESIS_BYTES = 1024;

export interface LinkOffer {
  readonly linkId: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly secret: Uint8Array;
  readonly createdAt: number;
}

export function encodeLinkOffer(o: LinkOffer): string {
  const bytes = new Writer().u8(LINK_VERSION).fixed(o.linkId, LINK_ID_BYTES).fixed(o.ephemeralKey, PUBLIC_KEY_BYTES).fixed(o.secret, LINK_SECRET_BYTES).u64(o.createdAt).finish();
  return LINK_OFFER_PREFIX + toBase64url(bytes);
}

/** Parses the text of a QR code or pasted link, refusing anything stale, from the future, or malformed. */
export function parseLinkOffer(text: string, now: number): LinkOffer {
  const trimmed = text.trim();
  if (!trimmed.startsWith(LINK_OFFER_PREFIX)) fail("malformed", "this is not a Sealed link code");
  const r = new Reader(fromBase64url(trimmed.slice(LINK_OFFER_PREFIX.length)), "link offer");
  const version = r.u8("version");
  if (version !== LINK_VERSION) fail("unsupported_version", `link offer version ${version}`);
  const offer = { linkId: r.fixed(LINK_ID_BYTES, "linkId"), ephemeralKey: r.fixed(PUBLIC_KEY_BYTES, "ephemeralKey"), secret: r.fixed(LINK_SECRET_BYTES, "secret"), createdAt: r.u64("createdAt") };
  r.end();
  if (offer.createdAt > now + CLOCK_SKEW_MS) fail("expired", "this link code is from the future: check the clocks of both devices");
  if (now - offer.createdAt > LINK_OFFER_LIFETIME_MS) fail("expired", "this link code has expired: show a fresh one on the new device");
  return offer;
}

/** N's side of an offer: the ephemeral private key stays with N, everything else goes into the QR code. */
export async function createLinkOffer(env: CryptoEnv, linkId: Uint8Array, now: number): Promise<{ offer: LinkOffer; ephemeralPrivate: Key; text: string }> {
  if (linkId.length !== LINK_ID_BYTES) fail("malformed", "link id must be 16 bytes");
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const offer: LinkOffer = { linkId, ephemeralKey: eph.publicKey, secret: env.randomBytes(LINK_SECRET_BYTES), createdAt: now };
  return { offer, ephemeralPrivate: eph.privateKey, text: encodeLinkOffer(offer) };
}

/** O's ephemeral key pair, made after scanning. */
export async function createLinkResponder(env: CryptoEnv): Promise<{ ephemeralPrivate: Key; ephemeralKey: Uint8Array }> {
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  return { ephemeralPrivate: eph.privateKey, ephemeralKey: eph.publicKey };
}

export type LinkRole = "new" | "existing";
const DIRECTION = { new: 1, existing: 2 } as const;

/** One side's view of the channel: a key and a counter per direction. */
export interface LinkChannel {
  readonly role: LinkRole;
  readonly linkId: Uint8Array;
  readonly sendKey: Key;
  readonly receiveKey: Key;
  sendSeq: number;
  receiveSeq: number;
}

/**
 * keys = HKDF(X25519(own ephemeral, peer ephemeral), salt = offer secret,
 *             info = labelled("sealed/link/v1", link id, N's ephemeral, O's ephemeral), 64 bytes):
 * the first 32 bytes key N->O frames, the last 32 O->N, so a frame can never be reflected back.
 */
export async function deriveLinkChannel(
  env: CryptoEnv,
  p: { role: LinkRole; offer: LinkOffer; ownPrivate: Key; newEphemeral: Uint8Array; existingEphemeral: Uint8Array },
): Promise<LinkChannel> {
  const peer = p.role === "new" ? p.existingEphemeral : p.newEphemeral;
  const shared = await x25519(env, p.ownPrivate, peer);
  const okm = await hkdf(env, shared, p.offer.secret, labelled(Label.link, p.offer.linkId, p.newEphemeral, p.existingEphemeral), 64);
  const toExisting = await importAesKey(env, okm.subarray(0, 32), false, ["encrypt", "decrypt"]);
  const toNew = await importAesKey(env, okm.subarray(32, 64), false, ["encrypt", "decrypt"]);
  okm.fill(0);
  shared.fill(0);
  return p.role === "new"
    ? { role: "new", linkId: p.offer.linkId, sendKey: toExisting, receiveKey: toNew, sendSeq: 0, receiveSeq: 0 }
    : { role: "existing", linkId: p.offer.linkId, sendKey: toNew, receiveKey: toExisting, sendSeq: 0, receiveSeq: 0 };
}

/** Messages inside the channel, in protocol order. */
export type LinkMessage =
  /** N -> O, first: proves N holds the channel key; names the device and its public keys (nothing secret). */
  | { type: "hello"; deviceName: string; deviceSigningKey: Uint8Array; deviceBoxKey: Uint8Array }
  /**
   * O -> N, after the user on O accepted: proves O holds the channel key; names the account to join by its
   * genesis entry, whose hash is the account id and which holds the username (verifyLinkAccept).
   */
  | { type: "accept"; genesis: Uint8Array }
  /** O -> N: the account secrets (PKCS#8), and the log head N must build on. */
  | { type: "secrets"; identityKey: Uint8Array; historyGeneration: number; historyKey: Uint8Array; headSeq: number; headHash: Uint8Array }
  /** N -> O: N's add-device entry body and its own (new device) signature over it. */
  | { type: "request"; entryBody: Uint8Array; signature: Uint8Array }
  /** O -> N: the co-signed entry was stored at this position. */
  | { type: "done"; seq: number };

const TYPE = { hello: 1, accept: 2, secrets: 3, request: 4, done: 5 } as const;

export function encodeLinkMessage(m: LinkMessage): Uint8Array {
  const w = new Writer().u8(TYPE[m.type]);
  switch (m.type) {
    case "hello":
      return w.str(m.deviceName).fixed(m.deviceSigningKey, PUBLIC_KEY_BYTES).fixed(m.deviceBoxKey, PUBLIC_KEY_BYTES).finish();
    case "accept":
      return w.vbytes(m.genesis).finish();
    case "secrets":
      return w.vbytes(m.identityKey).u32(m.historyGeneration).vbytes(m.historyKey).u32(m.headSeq).fixed(m.headHash, HASH_BYTES).finish();
    case "request":
      return w.vbytes(m.entryBody).fixed(m.signature, SIGNATURE_BYTES).finish();
    case "done":
      return w.u32(m.seq).finish();
  }
}

export function decodeLinkMessage(bytes: Uint8Array): LinkMessage {
  const r = new Reader(bytes, "link message");
  const type = r.u8("type");
  let m: LinkMessage;
  switch (type) {
    case TYPE.hello:
      m = { type: "hello", deviceName: r.str(64, "deviceName"), deviceSigningKey: r.fixed(PUBLIC_KEY_BYTES, "deviceSigningKey"), deviceBoxKey: r.fixed(PUBLIC_KEY_BYTES, "deviceBoxKey") };
      break;
    case TYPE.accept:
      m = { type: "accept", genesis: r.vbytes(1, MAX_LINK_GENESIS_BYTES, "genesis") };
      break;
    case TYPE.secrets:
      m = { type: "secrets", identityKey: r.vbytes(16, 256, "identityKey"), historyGeneration: r.u32("historyGeneration"), historyKey: r.vbytes(16, 256, "historyKey"), headSeq: r.u32("headSeq"), headHash: r.fixed(HASH_BYTES, "headHash") };
      break;
    case TYPE.request:
      m = { type: "request", entryBody: r.vbytes(1, 8192, "entryBody"), signature: r.fixed(SIGNATURE_BYTES, "signature") };
      break;
    case TYPE.done:
      m = { type: "done", seq: r.u32("seq") };
      break;
    default:
      return fail("unsupported_version", `link message type ${type}`);
  }
  r.end();
  return m;
}

/** The account an accept names, proven: a genesis entry that verifies on its own, and its hash. */
export interface LinkAccount {
  readonly accountId: AccountId;
  readonly username: string;
  readonly fingerprint: string;
}

/**
 * Verifies the genesis entry of an accept (self-signed by the keys it names, kind genesis at position 0)
 * and returns the account it proves: its id is the entry's hash, so a sender cannot pair one account's id
 * with another's name. The new device then joins exactly this id (its log must verify under it).
 */
export async function verifyLinkAccept(env: CryptoEnv, m: Extract<LinkMessage, { type: "accept" }>): Promise<LinkAccount> {
  const state = await verifyLog(env, [m.genesis]);
  return { accountId: state.accountId, username: state.username, fingerprint: accountFingerprint(state.accountId) };
}

function frameAad(linkId: Uint8Array, direction: number, seq: number): Uint8Array {
  return labelled(Label.linkFrame, linkId, Uint8Array.of(direction), new Writer().u32(seq).finish());
}

function frameNonce(direction: number, seq: number): Uint8Array {
  const iv = new Uint8Array(IV_BYTES);
  iv[0] = direction;
  new DataView(iv.buffer).setUint32(8, seq);
  return iv;
}

/** frame = u8 version || u8 direction || u32 seq || AES-256-GCM(direction key, nonce(direction, seq), AAD, message). */
export async function sealLinkFrame(env: CryptoEnv, ch: LinkChannel, m: LinkMessage): Promise<Uint8Array> {
  const direction = DIRECTION[ch.role];
  const seq = ch.sendSeq++;
  const ct = await aesGcmEncrypt(env, ch.sendKey, frameNonce(direction, seq), frameAad(ch.linkId, direction, seq), encodeLinkMessage(m));
  return new Writer().u8(LINK_VERSION).u8(direction).u32(seq).fixed(ct, ct.length).finish();
}

/** Opens the next frame from the peer: right direction, next sequence number, authentic. */
export async function openLinkFrame(env: CryptoEnv, ch: LinkChannel, frame: Uint8Array): Promise<LinkMessage> {
  if (frame.length > MAX_LINK_FRAME_BYTES) fail("out_of_bounds", "link frame too large");
  const r = new Reader(frame, "link frame");
  const version = r.u8("version");
  if (version !== LINK_VERSION) fail("unsupported_version", `link frame version ${version}`);
  const direction = r.u8("direction");
  const expected = ch.role === "new" ? DIRECTION.existing : DIRECTION.new;
  if (direction !== expected) fail("wrong_context", "link frame travels the wrong way (reflected)");
  const seq = r.u32("seq");
  if (seq !== ch.receiveSeq) fail(seq < ch.receiveSeq ? "replay" : "malformed", `link frame ${seq} out of order (expected ${ch.receiveSeq})`);
  const ct = frame.subarray(r.offset);
  if (ct.length < 17) fail("malformed", "link frame too short");
  const plain = await aesGcmDecrypt(env, ch.receiveKey, frameNonce(direction, seq), frameAad(ch.linkId, direction, seq), ct);
  ch.receiveSeq++;
  return decodeLinkMessage(plain);
}
