import { bytesEqual, fromBase64url, unwrapSecret, wrapSecret, type AccountId, type AccountState, type CryptoEnv, type Key, type RecoverySecrets } from "../../../../protocol/index.js";
import { asCryptoKey } from "../env.js";
import { ClientError } from "../errors.js";
import { assertNonExtractable } from "./keystore.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";

/**
 * The account secrets (AIK, newest AHK) as they travel between devices (link, device-secrets package,
 * recovery blob): PKCS#8 bytes, made from temporary extractable copies and zeroed by the caller after use.
 */
export async function exportAccountSecrets(env: CryptoEnv, device: DeviceRow, account: AccountRow): Promise<RecoverySecrets> {
  const identity = await unwrapSecret(env, device.vaultKey, account.identityWrapped, "identity", account.accountId, true);
  const history = await unwrapSecret(env, device.vaultKey, account.historyWrapped, "history", account.accountId, true, account.historyGeneration);
  return { identityKey: await pkcs8(env, identity), historyGeneration: account.historyGeneration, historyKey: await pkcs8(env, history) };
}

export function zeroSecrets(s: RecoverySecrets): void {
  s.identityKey.fill(0);
  s.historyKey.fill(0);
}

async function pkcs8(env: CryptoEnv, key: Key): Promise<Uint8Array> {
  return new Uint8Array((await env.subtle.exportKey("pkcs8", key)) as ArrayBuffer);
}

/** True when this device holds the identity and newest history keys its verified log names. */
export function holdsCurrentSecrets(account: AccountRow, state: AccountState): boolean {
  return bytesEqual(account.identityPublic, state.identityKey) && account.historyGeneration === state.history.generation && bytesEqual(account.historyPublic, state.history.publicKey);
}

/**
 * Refuses to act with the account keys while another device's revoke or recovery-key rotation has moved
 * them on and this device has not received the new ones yet (key-updates.ts): what it signed would be refused.
 */
export function assertCurrentSecrets(account: AccountRow, state: AccountState): void {
  if (!holdsCurrentSecrets(account, state)) {
    throw new ClientError("keys_pending", "another device changed this account's keys and this device has not received the new ones yet; try again in a moment, or from that device");
  }
}

export interface KeptSecrets {
  readonly identityKey: CryptoKey;
  readonly identityPublic: Uint8Array;
  readonly identityWrapped: Uint8Array;
  readonly historyGeneration: number;
  readonly historyKey: CryptoKey;
  readonly historyPublic: Uint8Array;
  readonly historyWrapped: Uint8Array;
}

/**
 * The keystore procedure for received secrets: import as temporary extractable keys, wrap them under VK,
 * unwrap non-extractable usable copies from those bytes; the temporary keys are dropped and the received
 * bytes zeroed. The caller checks the returned public keys against the verified log.
 */
export async function keepReceivedSecrets(env: CryptoEnv, device: DeviceRow, accountId: AccountId, s: RecoverySecrets): Promise<KeptSecrets> {
  const identityTemp = await env.subtle.importKey("pkcs8", s.identityKey, { name: "Ed25519" }, true, ["sign"]);
  const historyTemp = await env.subtle.importKey("pkcs8", s.historyKey, { name: "X25519" }, true, ["deriveBits"]);
  zeroSecrets(s);
  const identityPublic = await publicOf(env, identityTemp);
  const historyPublic = await publicOf(env, historyTemp);
  const identityWrapped = await wrapSecret(env, device.vaultKey, identityTemp, "identity", accountId);
  const historyWrapped = await wrapSecret(env, device.vaultKey, historyTemp, "history", accountId, s.historyGeneration);
  const identityKey = asCryptoKey(await unwrapSecret(env, device.vaultKey, identityWrapped, "identity", accountId, false));
  const historyKey = asCryptoKey(await unwrapSecret(env, device.vaultKey, historyWrapped, "history", accountId, false, s.historyGeneration));
  assertNonExtractable(identityKey, historyKey);
  return { identityKey, identityPublic, identityWrapped, historyGeneration: s.historyGeneration, historyKey, historyPublic, historyWrapped };
}

async function publicOf(env: CryptoEnv, privateKey: Key): Promise<Uint8Array> {
  const jwk = (await env.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new ClientError("bad_secrets", "a received key has no public part");
  return fromBase64url(jwk.x);
}
