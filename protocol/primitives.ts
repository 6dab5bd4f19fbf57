import { bytesEqual, fromBase64url, isAllZero } from "./bytes.js";
import { Writer } from "./codec.js";
import { fail } from "./errors.js";
import type { CryptoEnv, Key, KeyPair } from "./subtle.js";

export const ED25519 = { name: "Ed25519" } as const;
export const X25519 = { name: "X25519" } as const;
export const PUBLIC_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;
export const IV_BYTES = 12;

/**
 * Each label's encoding (u32 length, UTF-8), made once: encoding it again cost an allocation per call
 * (about 2.5 µs in Chromium, issue 23). Labels are the constants of labels.ts; past LABELS_KEPT distinct
 * strings the rest are encoded per call, so a caller passing other strings cannot grow the map.
 */
const labelPrefixes = new Map<string, Uint8Array>();
const LABELS_KEPT = 128;

/** The u32-length-prefixed UTF-8 label that starts a labelled input. Read only: never hand it out to be changed. */
export function labelPrefix(label: string): Uint8Array {
  let prefix = labelPrefixes.get(label);
  if (!prefix) {
    prefix = new Writer(0).str(label).finish();
    if (labelPrefixes.size < LABELS_KEPT) labelPrefixes.set(label, prefix);
  }
  return prefix;
}

/** Label-prefixed input: u32-length-prefixed label, then each part length-prefixed. One allocation of the exact size. */
export function labelled(label: string, ...parts: readonly Uint8Array[]): Uint8Array {
  const prefix = labelPrefix(label);
  let size = prefix.length;
  for (const p of parts) size += 4 + p.length;
  const w = new Writer(size).fixed(prefix, prefix.length);
  for (const p of parts) w.vbytes(p);
  return w.finish();
}

/** SHA-256 over a labelled input (docs/PROTOCOL.md "Hashes"). */
export async function hashLabelled(env: CryptoEnv, label: string, ...parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await env.subtle.digest("SHA-256", labelled(label, ...parts)));
}

/** HKDF-SHA-256 (RFC 5869) to `length` bytes. */
export async function hkdf(env: CryptoEnv, ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Promise<Uint8Array> {
  const key = await env.subtle.importKey("raw", ikm, { name: "HKDF" }, false, ["deriveBits"]);
  return new Uint8Array(await env.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, length * 8));
}

export async function sign(env: CryptoEnv, privateKey: Key, input: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await env.subtle.sign(ED25519, privateKey, input));
}

/**
 * Imported Ed25519 verify keys by their raw bytes, per WebCrypto instance: a history holds thousands of
 * messages from a handful of devices, and importing the key again for each verify was a third of its
 * cost. Keyed by the bytes as a 32-character string (not the array, which a caller could change; not
 * hex, which cost 1.7 µs per verify in Chromium), and dropped whole past VERIFY_KEYS_KEPT so a stream of
 * forged keys cannot grow it.
 */
const verifyKeys = new WeakMap<CryptoEnv["subtle"], Map<string, VerifyKey>>();
const VERIFY_KEYS_KEPT = 1024;

/** An imported verify key: the import's promise, and the key itself once it is there (used without awaiting). */
interface VerifyKey {
  readonly imported: Promise<Key>;
  ready?: Key;
}

/**
 * The key verified last, checked first: a history page is mostly one sender's device, and comparing 32
 * bytes costs less than making the map's string key (issue 23). `bytes` is a copy of the caller's array.
 */
let lastKey: { readonly subtle: CryptoEnv["subtle"]; readonly bytes: Uint8Array; readonly key: VerifyKey } | undefined;

function verifyKey(env: CryptoEnv, publicKey: Uint8Array): VerifyKey {
  const last = lastKey;
  if (last && last.subtle === env.subtle && bytesEqual(last.bytes, publicKey)) return last.key;
  const key = verifyKeyFromMap(env, publicKey);
  lastKey = { subtle: env.subtle, bytes: publicKey.slice(), key };
  return key;
}

function verifyKeyFromMap(env: CryptoEnv, publicKey: Uint8Array): VerifyKey {
  let keys = verifyKeys.get(env.subtle);
  if (!keys) verifyKeys.set(env.subtle, (keys = new Map()));
  const id = String.fromCharCode.apply(null, publicKey as unknown as number[]);
  let key = keys.get(id);
  if (!key) {
    if (keys.size >= VERIFY_KEYS_KEPT) keys.clear();
    const entry: VerifyKey = { imported: env.subtle.importKey("raw", publicKey.slice(), ED25519, false, ["verify"]) };
    entry.imported.then(
      (k) => void (entry.ready = k),
      () => undefined,
    );
    keys.set(id, (key = entry));
  }
  return key;
}

const refused = (): false => false;

/**
 * Verifies an Ed25519 signature over `input` with a raw 32-byte public key. Never throws for bad keys.
 * Not an async function: with the key already imported (the common case) it is WebCrypto's own verify,
 * with no await of the key's promise before it (issue 23, one promise and resumption less per message).
 */
export function verify(env: CryptoEnv, publicKey: Uint8Array, signature: Uint8Array, input: Uint8Array): Promise<boolean> {
  return verifyOrReject(env, publicKey, signature, input).then(undefined, refused);
}

/**
 * verify, except that a key or signature WebCrypto refuses is a rejected promise instead of `false`: for a
 * caller that awaits it in a try and takes a rejection as `false` (openEnvelope), one promise less than
 * verify. Never throws; wrong lengths are `false`.
 */
export function verifyOrReject(env: CryptoEnv, publicKey: Uint8Array, signature: Uint8Array, input: Uint8Array): Promise<boolean> {
  if (publicKey.length !== PUBLIC_KEY_BYTES || signature.length !== SIGNATURE_BYTES) return Promise.resolve(false);
  try {
    const key = verifyKey(env, publicKey);
    if (key.ready) return env.subtle.verify(ED25519, key.ready, signature, input);
    return key.imported.then((k) => env.subtle.verify(ED25519, k, signature, input));
  } catch (err) {
    return Promise.reject(err);
  }
}

export async function exportPublic(env: CryptoEnv, publicKey: Key): Promise<Uint8Array> {
  return new Uint8Array((await env.subtle.exportKey("raw", publicKey)) as ArrayBuffer);
}

export async function generateSigningPair(env: CryptoEnv, extractable: boolean): Promise<KeyPair> {
  return (await env.subtle.generateKey(ED25519, extractable, ["sign", "verify"])) as KeyPair;
}

export async function generateBoxPair(env: CryptoEnv, extractable: boolean): Promise<KeyPair> {
  return (await env.subtle.generateKey(X25519, extractable, ["deriveBits"])) as KeyPair;
}

/**
 * X25519 shared secret with a raw peer public key. Low-order points (RFC 7748 section 6.1: the all-zero
 * output) are refused whether or not the runtime already rejects them.
 */
export async function x25519(env: CryptoEnv, privateKey: Key, peerPublic: Uint8Array): Promise<Uint8Array> {
  if (peerPublic.length !== PUBLIC_KEY_BYTES) fail("malformed", "X25519 public key must be 32 bytes");
  let shared: Uint8Array;
  try {
    const pub = await env.subtle.importKey("raw", peerPublic, X25519, true, []);
    shared = new Uint8Array(await env.subtle.deriveBits({ name: "X25519", public: pub }, privateKey, 256));
  } catch {
    return fail("low_order_point", "X25519 public key was refused (low-order or invalid point)");
  }
  if (isAllZero(shared)) fail("low_order_point", "X25519 shared secret is all zero (low-order point)");
  return shared;
}

/** PKCS#8 prefixes (RFC 8410) that wrap a 32-byte seed as an Ed25519 or X25519 private key. */
const PKCS8_PREFIX = {
  Ed25519: Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20),
  X25519: Uint8Array.of(0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20),
} as const;

/** The raw public key of a PKCS#8 private key, through a JWK export of a temporary extractable copy. */
export async function publicKeyOfPkcs8(env: CryptoEnv, kind: "Ed25519" | "X25519", pkcs8: Uint8Array): Promise<Uint8Array> {
  let temp: Key;
  try {
    temp = await env.subtle.importKey("pkcs8", pkcs8, { name: kind }, true, kind === "Ed25519" ? ["sign"] : ["deriveBits"]);
  } catch {
    return fail("malformed", `not a PKCS#8 ${kind} private key`);
  }
  const jwk = (await env.subtle.exportKey("jwk", temp)) as { x?: string };
  if (typeof jwk.x !== "string") fail("malformed", "runtime did not export the public key");
  return fromBase64url(jwk.x);
}

/** Imports a 32-byte seed as a private key and returns it with its raw public key. */
export async function importSeed(
  env: CryptoEnv,
  kind: "Ed25519" | "X25519",
  seed: Uint8Array,
  extractable = false,
): Promise<{ privateKey: Key; publicKey: Uint8Array }> {
  if (seed.length !== 32) fail("malformed", "seed must be 32 bytes");
  const pkcs8 = new Uint8Array(48);
  pkcs8.set(PKCS8_PREFIX[kind]);
  pkcs8.set(seed, 16);
  const usages = kind === "Ed25519" ? ["sign"] : ["deriveBits"];
  // The public half is only reachable through a JWK export of an extractable copy, which is then dropped.
  const temp = await env.subtle.importKey("pkcs8", pkcs8, { name: kind }, true, usages);
  const jwk = (await env.subtle.exportKey("jwk", temp)) as { x?: string };
  if (typeof jwk.x !== "string") fail("malformed", "runtime did not export the public key");
  const publicKey = fromBase64url(jwk.x);
  const privateKey = extractable ? temp : await env.subtle.importKey("pkcs8", pkcs8, { name: kind }, false, usages);
  pkcs8.fill(0);
  return { privateKey, publicKey };
}

export async function aesGcmEncrypt(env: CryptoEnv, key: Key, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv, additionalData: aad }, key, plaintext));
}

export async function aesGcmDecrypt(env: CryptoEnv, key: Key, iv: Uint8Array, aad: Uint8Array, ciphertext: Uint8Array): Promise<Uint8Array> {
  try {
    return new Uint8Array(await env.subtle.decrypt({ name: "AES-GCM", iv, additionalData: aad }, key, ciphertext));
  } catch {
    return fail("decrypt_failed", "AES-GCM authentication failed");
  }
}

export async function importAesKey(env: CryptoEnv, raw: Uint8Array, extractable: boolean, usages: string[]): Promise<Key> {
  return env.subtle.importKey("raw", raw, { name: "AES-GCM" }, extractable, usages);
}

/**
 * The key-encryption key of every "sealed to an X25519 public key" format: KEK = HKDF-SHA-256(IKM =
 * X25519(privateKey, peerPublic), salt = empty, info, 32 bytes), as a non-extractable AES-256-GCM key.
 * Each format passes its own labelled `info` and makes a fresh ephemeral key per KEK, so a fixed IV is safe.
 */
export async function sealingKey(env: CryptoEnv, privateKey: Key, peerPublic: Uint8Array, info: Uint8Array, usages: string[]): Promise<Key> {
  const raw = await hkdf(env, await x25519(env, privateKey, peerPublic), new Uint8Array(0), info, 32);
  const key = await importAesKey(env, raw, false, usages);
  raw.fill(0);
  return key;
}
