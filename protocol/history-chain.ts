import { Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { IV_BYTES, PUBLIC_KEY_BYTES, X25519, exportPublic, generateBoxPair, importSeed, labelled, sealingKey } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * When the history key moves to generation g+1 (at revocation), the private key of generation g is sealed
 * to the public key of g+1 and published in the revoke entry. A device holding only the newest history
 * key can walk the chain back and open every archived epoch key. docs/PROTOCOL.md "History chain".
 */
const ZERO_IV = new Uint8Array(IV_BYTES);

function chainInfo(accountId: AccountId, previousGeneration: number, nextGeneration: number, nextPublic: Uint8Array, ephemeralKey: Uint8Array): Uint8Array {
  const gens = new Writer().u32(previousGeneration).u32(nextGeneration).finish();
  return labelled(Label.historyChain, AccountId.toBytes(accountId), gens, nextPublic, ephemeralKey);
}

function kek(env: CryptoEnv, privateKey: Key, peer: Uint8Array, info: Uint8Array): Promise<Key> {
  return sealingKey(env, privateKey, peer, info, ["wrapKey", "unwrapKey"]);
}

/** Seals generation `previousGeneration`'s (extractable) private key to the next generation's public key. */
export async function sealPreviousHistoryKey(
  env: CryptoEnv,
  p: { accountId: AccountId; previousGeneration: number; previousKey: Key; nextGeneration: number; nextPublic: Uint8Array },
): Promise<Uint8Array> {
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const info = chainInfo(p.accountId, p.previousGeneration, p.nextGeneration, p.nextPublic, eph.publicKey);
  const wrapped = new Uint8Array(await env.subtle.wrapKey("pkcs8", p.previousKey, await kek(env, eph.privateKey, p.nextPublic, info), { name: "AES-GCM", iv: ZERO_IV, additionalData: info }));
  const out = new Uint8Array(PUBLIC_KEY_BYTES + wrapped.length);
  out.set(eph.publicKey);
  out.set(wrapped, PUBLIC_KEY_BYTES);
  return out;
}

/**
 * Makes the next history-key generation (an extractable X25519 pair, for the keystore procedure) and
 * seals the previous generation's private key to it: the HistoryMove of a revoke, rotate-recovery or
 * reset entry, plus the new private key.
 */
export async function nextHistoryGeneration(
  env: CryptoEnv,
  p: { accountId: AccountId; previousGeneration: number; previousKey: Key },
): Promise<{ privateKey: Key; historyGeneration: number; historyKey: Uint8Array; sealedPreviousHistoryKey: Uint8Array }> {
  const pair = await generateBoxPair(env, true);
  const historyKey = await exportPublic(env, pair.publicKey);
  const historyGeneration = p.previousGeneration + 1;
  const sealedPreviousHistoryKey = await sealPreviousHistoryKey(env, { ...p, nextGeneration: historyGeneration, nextPublic: historyKey });
  return { privateKey: pair.privateKey, historyGeneration, historyKey, sealedPreviousHistoryKey };
}

/** Opens the previous generation's private key with the next generation's private key. */
export async function openPreviousHistoryKey(
  env: CryptoEnv,
  p: { accountId: AccountId; previousGeneration: number; nextGeneration: number; nextPublic: Uint8Array; nextKey: Key; sealed: Uint8Array },
  extractable = false,
): Promise<Key> {
  if (p.sealed.length <= PUBLIC_KEY_BYTES) fail("malformed", "sealed history key too short");
  const ephemeralKey = p.sealed.subarray(0, PUBLIC_KEY_BYTES);
  const info = chainInfo(p.accountId, p.previousGeneration, p.nextGeneration, p.nextPublic, ephemeralKey);
  const k = await kek(env, p.nextKey, ephemeralKey, info);
  try {
    return await env.subtle.unwrapKey("pkcs8", p.sealed.subarray(PUBLIC_KEY_BYTES), k, { name: "AES-GCM", iv: ZERO_IV, additionalData: info }, X25519, extractable, ["deriveBits"]);
  } catch {
    return fail("decrypt_failed", `history key generation ${p.previousGeneration} does not open with generation ${p.nextGeneration}`);
  }
}
