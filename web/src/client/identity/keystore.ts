import {
  deviceIdOf,
  exportPublic,
  generateBoxPair,
  generateSigningPair,
  unwrapSecret,
  wrapSecret,
  type AccountId,
  type CryptoEnv,
  type KeyPair,
} from "../../../../protocol/index.js";
import { getDevice, putDevice, type SealedDb } from "../store/db.js";
import { asCryptoKey } from "../env.js";
import type { DeviceRow } from "../store/rows.js";

/**
 * The device's keys (DESIGN "Keys"): DSK, DBK and VK are generated non-extractable and never leave the
 * device. Account secrets (AIK, AHK) follow the keystore procedure: generated extractable, wrapped under
 * VK, a non-extractable copy unwrapped for use, the extractable original dropped. Nothing extractable is
 * ever written to IndexedDB (rows.ts refuses it).
 */

/** Refuses to go on with a key that script could read out. */
export function assertNonExtractable(...keys: CryptoKey[]): void {
  for (const k of keys) if (k.extractable) throw new TypeError(`refusing to keep an extractable ${k.algorithm.name} key`);
}

/** Makes this device's DSK (Ed25519), DBK (X25519) and VK (AES-256-GCM), all non-extractable. */
export async function createDeviceKeys(env: CryptoEnv, now: number): Promise<DeviceRow> {
  const signing = await generateSigningPair(env, false);
  const box = await generateBoxPair(env, false);
  const vault = asCryptoKey((await env.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["wrapKey", "unwrapKey"])) as CryptoKey);
  const signingKey = asCryptoKey(signing.privateKey);
  const boxKey = asCryptoKey(box.privateKey);
  assertNonExtractable(signingKey, boxKey, vault);
  const signingPublic = await exportPublic(env, signing.publicKey);
  return {
    id: "self",
    deviceId: await deviceIdOf(env, signingPublic),
    signingKey,
    signingPublic,
    boxKey,
    boxPublic: await exportPublic(env, box.publicKey),
    vaultKey: vault,
    createdAt: now,
  };
}

/** The device's keys, made and stored on first use. */
export async function ensureDevice(db: SealedDb, env: CryptoEnv, now: number): Promise<DeviceRow> {
  const existing = await getDevice(db);
  if (existing) return existing;
  const row = await createDeviceKeys(env, now);
  // Two tabs may race here; the first stored device wins and the other's keys are discarded.
  return db.transaction("rw", db.device, async () => {
    const again = await getDevice(db);
    if (again) return again;
    await putDevice(db, row);
    return row;
  });
}

/** Fresh account secrets, extractable only until `sealAccountSecrets` has wrapped them. */
export interface AccountSecretsDraft {
  readonly identity: KeyPair;
  readonly identityPublic: Uint8Array;
  readonly history: KeyPair;
  readonly historyPublic: Uint8Array;
}

export async function draftAccountSecrets(env: CryptoEnv): Promise<AccountSecretsDraft> {
  const identity = await generateSigningPair(env, true);
  const history = await generateBoxPair(env, true);
  return { identity, identityPublic: await exportPublic(env, identity.publicKey), history, historyPublic: await exportPublic(env, history.publicKey) };
}

export interface SealedAccountSecrets {
  readonly identityKey: CryptoKey;
  readonly identityWrapped: Uint8Array;
  readonly historyKey: CryptoKey;
  readonly historyWrapped: Uint8Array;
}

/**
 * Wraps AIK and AHK (generation 0) under VK, bound to the account id, and returns non-extractable
 * usable copies unwrapped from those very bytes (so a wrap that would not open is caught now).
 */
export async function sealAccountSecrets(env: CryptoEnv, vaultKey: CryptoKey, draft: AccountSecretsDraft, accountId: AccountId): Promise<SealedAccountSecrets> {
  const identityWrapped = await wrapSecret(env, vaultKey, draft.identity.privateKey, "identity", accountId);
  const historyWrapped = await wrapSecret(env, vaultKey, draft.history.privateKey, "history", accountId, 0);
  const identityKey = asCryptoKey(await unwrapSecret(env, vaultKey, identityWrapped, "identity", accountId, false));
  const historyKey = asCryptoKey(await unwrapSecret(env, vaultKey, historyWrapped, "history", accountId, false, 0));
  assertNonExtractable(identityKey, historyKey);
  return { identityKey, identityWrapped, historyKey, historyWrapped };
}
