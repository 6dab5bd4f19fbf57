import { concat, utf8 } from "./bytes.js";
import { fail } from "./errors.js";
import { hkdf } from "./primitives.js";
import { P256_POINT_BYTES, PUSH_AUTH_BYTES } from "./push.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Message encryption for Web Push: RFC 8291 keys over the RFC 8188 "aes128gcm" content coding, one
 * record. WebCrypto only (ECDH P-256, HKDF-SHA-256, AES-128-GCM). The labels are the RFCs' own, not ours:
 * a push service and a browser must read the same bytes. docs/PROTOCOL.md "Push payload" gives the layout.
 */

const ECDH_P256 = { name: "ECDH", namedCurve: "P-256" } as const;
/** RFC 8188 section 2.1: salt 16 | rs uint32 | idlen 1 | keyid idlen. RFC 8291 section 4: keyid is the sender's 65-byte key. */
export const PUSH_SALT_BYTES = 16;
export const PUSH_HEADER_BYTES = PUSH_SALT_BYTES + 4 + 1 + P256_POINT_BYTES;
const TAG_BYTES = 16;
/** RFC 8188 section 2: a record holds at least one byte of delimiter and the 16-byte tag, plus one. */
export const MIN_RECORD_SIZE = 18;
/** RFC 8291 section 4 / RFC 8030 section 7.2: push services need only accept 4096 bytes of body. */
export const MAX_PUSH_BODY_BYTES = 4096;
/** The record size we write (RFC 8291's example uses the same): one record always fits in it. */
export const DEFAULT_RECORD_SIZE = 4096;
/** RFC 8188 section 2: 0x02 ends the last record's plaintext (0x01 would end a non-final one). */
const LAST_RECORD_DELIMITER = 0x02;

const KEY_INFO = utf8("WebPush: info\0"); // RFC 8291 section 3.4
const CEK_INFO = utf8("Content-Encoding: aes128gcm\0"); // RFC 8188 section 2.2
const NONCE_INFO = utf8("Content-Encoding: nonce\0"); // RFC 8188 section 2.3

/** The user agent's side of a subscription: PushSubscription.getKey("p256dh") and getKey("auth"). */
export interface PushReceiverPublic {
  readonly p256dh: Uint8Array;
  readonly auth: Uint8Array;
}

/** What decrypts: the user agent's ECDH private key, its public point and the auth secret. */
export interface PushReceiverKeys extends PushReceiverPublic {
  readonly privateKey: Key;
}

/** Test hooks: RFC 8291 Appendix A fixes the sender's key pair and the salt. Never set in production. */
export interface PushEncryptOptions {
  readonly ephemeral?: { readonly privateKey: Key; readonly publicKey: Uint8Array };
  readonly salt?: Uint8Array;
  readonly recordSize?: number;
}

async function importPoint(env: CryptoEnv, point: Uint8Array): Promise<Key> {
  if (point.length !== P256_POINT_BYTES || point[0] !== 0x04) fail("malformed", `a P-256 public key is ${P256_POINT_BYTES} bytes starting 0x04`);
  try {
    return await env.subtle.importKey("raw", point, ECDH_P256, true, []);
  } catch {
    return fail("malformed", "the P-256 public key is not a point on the curve");
  }
}

async function ecdh(env: CryptoEnv, privateKey: Key, peer: Uint8Array): Promise<Uint8Array> {
  const publicKey = await importPoint(env, peer);
  return new Uint8Array(await env.subtle.deriveBits({ name: "ECDH", public: publicKey }, privateKey, 256));
}

/**
 * RFC 8291 section 3.4 then RFC 8188 section 2.2-2.3: IKM = HKDF(salt = auth, ikm = ECDH secret,
 * info = "WebPush: info\0" | ua_public | as_public, 32); CEK and nonce from HKDF(salt, IKM, ...).
 */
async function contentKeys(env: CryptoEnv, p: { secret: Uint8Array; auth: Uint8Array; uaPublic: Uint8Array; asPublic: Uint8Array; salt: Uint8Array }) {
  const ikm = await hkdf(env, p.secret, p.auth, concat(KEY_INFO, p.uaPublic, p.asPublic), 32);
  const cekBytes = await hkdf(env, ikm, p.salt, CEK_INFO, 16);
  const nonce = await hkdf(env, ikm, p.salt, NONCE_INFO, 12);
  const cek = await env.subtle.importKey("raw", cekBytes, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
  ikm.fill(0);
  cekBytes.fill(0);
  return { cek, nonce };
}

function checkReceiver(r: PushReceiverPublic): void {
  if (r.auth.length !== PUSH_AUTH_BYTES) fail("malformed", `the auth secret is ${PUSH_AUTH_BYTES} bytes`);
}

/**
 * Encrypts one push message for a subscription: the whole aes128gcm body (header with the sender's
 * ephemeral public key as keyid, then one record: plaintext, 0x02, no padding). A fresh ephemeral P-256
 * key and salt per message unless the test hooks set them. Refuses a body over MAX_PUSH_BODY_BYTES.
 */
export async function encryptPushPayload(env: CryptoEnv, plaintext: Uint8Array, to: PushReceiverPublic, opts: PushEncryptOptions = {}): Promise<Uint8Array> {
  checkReceiver(to);
  const rs = opts.recordSize ?? DEFAULT_RECORD_SIZE;
  const recordBytes = plaintext.length + 1 + TAG_BYTES;
  if (!Number.isInteger(rs) || rs < MIN_RECORD_SIZE || rs > 0xffffffff) fail("out_of_bounds", `record size ${rs} is outside ${MIN_RECORD_SIZE}..2^32-1`);
  if (recordBytes > rs) fail("out_of_bounds", `${plaintext.length} bytes of plaintext do not fit one record of ${rs} bytes`);
  if (PUSH_HEADER_BYTES + recordBytes > MAX_PUSH_BODY_BYTES) fail("out_of_bounds", `a push body is at most ${MAX_PUSH_BODY_BYTES} bytes; ${plaintext.length} bytes of plaintext make more`);
  const salt = opts.salt ?? env.randomBytes(PUSH_SALT_BYTES);
  if (salt.length !== PUSH_SALT_BYTES) fail("malformed", `the salt is ${PUSH_SALT_BYTES} bytes`);
  const ephemeral = opts.ephemeral ?? (await freshEphemeral(env));
  const secret = await ecdh(env, ephemeral.privateKey, to.p256dh);
  const { cek, nonce } = await contentKeys(env, { secret, auth: to.auth, uaPublic: to.p256dh, asPublic: ephemeral.publicKey, salt });
  secret.fill(0);
  // Sequence number 0: the nonce is used as derived (RFC 8188 section 2.3, XOR with 0).
  const record = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv: nonce }, cek, concat(plaintext, Uint8Array.of(LAST_RECORD_DELIMITER))));
  const header = new Uint8Array(PUSH_HEADER_BYTES);
  header.set(salt, 0);
  new DataView(header.buffer).setUint32(PUSH_SALT_BYTES, rs);
  header[PUSH_SALT_BYTES + 4] = P256_POINT_BYTES;
  header.set(ephemeral.publicKey, PUSH_SALT_BYTES + 5);
  return concat(header, record);
}

async function freshEphemeral(env: CryptoEnv): Promise<{ privateKey: Key; publicKey: Uint8Array }> {
  const pair = (await env.subtle.generateKey(ECDH_P256, false, ["deriveBits"])) as { privateKey: Key; publicKey: Key };
  return { privateKey: pair.privateKey, publicKey: new Uint8Array((await env.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer) };
}

/**
 * Decrypts an aes128gcm push body with the user agent's keys (what a browser does; here for tests and
 * the test push service). Refuses, as ProtocolErrors: a body over MAX_PUSH_BODY_BYTES or shorter than
 * a header and one record ("malformed"), idlen other than 65 ("malformed"), rs below 18 or smaller than
 * the record ("out_of_bounds"), a failed tag ("decrypt_failed"), and a record not ended by 0x02 ("malformed").
 */
export async function decryptPushPayload(env: CryptoEnv, body: Uint8Array, keys: PushReceiverKeys): Promise<Uint8Array> {
  checkReceiver(keys);
  if (body.length > MAX_PUSH_BODY_BYTES) fail("malformed", `a push body is at most ${MAX_PUSH_BODY_BYTES} bytes`);
  if (body.length < PUSH_SALT_BYTES + 5) fail("malformed", "the push body is shorter than its header");
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const rs = view.getUint32(PUSH_SALT_BYTES);
  const idlen = body[PUSH_SALT_BYTES + 4];
  if (idlen !== P256_POINT_BYTES) fail("malformed", `keyid must be the sender's ${P256_POINT_BYTES}-byte P-256 key, not ${idlen} bytes (RFC 8291 section 4)`);
  if (rs < MIN_RECORD_SIZE) fail("out_of_bounds", `record size ${rs} is below ${MIN_RECORD_SIZE}`);
  const record = body.subarray(PUSH_HEADER_BYTES);
  if (record.length < TAG_BYTES + 1) fail("malformed", "the push body is shorter than a header and one record");
  if (record.length > rs) fail("out_of_bounds", `the record is ${record.length} bytes, over the record size ${rs}: a push message is one record`);
  const salt = body.subarray(0, PUSH_SALT_BYTES);
  const asPublic = body.subarray(PUSH_SALT_BYTES + 5, PUSH_HEADER_BYTES);
  const secret = await ecdh(env, keys.privateKey, asPublic);
  const { cek, nonce } = await contentKeys(env, { secret, auth: keys.auth, uaPublic: keys.p256dh, asPublic, salt });
  secret.fill(0);
  let padded: Uint8Array;
  try {
    padded = new Uint8Array(await env.subtle.decrypt({ name: "AES-GCM", iv: nonce }, cek, record));
  } catch {
    return fail("decrypt_failed", "the push record does not authenticate: wrong keys or altered bytes");
  }
  // RFC 8188 section 2: the delimiter is the last non-zero byte; zeros after it are padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end -= 1;
  if (end < 0 || padded[end] !== LAST_RECORD_DELIMITER) fail("malformed", "the push record does not end with the last-record delimiter 0x02");
  return padded.slice(0, end);
}
