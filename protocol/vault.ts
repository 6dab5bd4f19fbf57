import { utf8 } from "./bytes.js";
import { Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { IV_BYTES, labelled } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Account secrets at rest on a device: PKCS#8 wrapped under the device's non-extractable vault key with
 * AES-GCM, AAD naming the role and account, so a wrapped identity key never opens as a history key or
 * for another account. docs/PROTOCOL.md "Vault".
 */
export type SecretRole = "identity" | "history";
const ALGORITHMS: Record<SecretRole, { name: string }> = { identity: { name: "Ed25519" }, history: { name: "X25519" } };
const USAGES: Record<SecretRole, string[]> = { identity: ["sign"], history: ["deriveBits"] };

function aad(role: SecretRole, accountId: AccountId, generation: number): Uint8Array {
  return labelled(Label.vault, utf8(role), AccountId.toBytes(accountId), new Writer().u32(generation).finish());
}

/** Returns IV (12 bytes) || wrapped PKCS#8. `secret` must be extractable. */
export async function wrapSecret(env: CryptoEnv, vaultKey: Key, secret: Key, role: SecretRole, accountId: AccountId, generation = 0): Promise<Uint8Array> {
  const iv = env.randomBytes(IV_BYTES);
  const wrapped = new Uint8Array(await env.subtle.wrapKey("pkcs8", secret, vaultKey, { name: "AES-GCM", iv, additionalData: aad(role, accountId, generation) }));
  const out = new Uint8Array(IV_BYTES + wrapped.length);
  out.set(iv);
  out.set(wrapped, IV_BYTES);
  return out;
}

export async function unwrapSecret(env: CryptoEnv, vaultKey: Key, sealed: Uint8Array, role: SecretRole, accountId: AccountId, extractable: boolean, generation = 0): Promise<Key> {
  if (sealed.length <= IV_BYTES + 16) fail("malformed", "wrapped secret too short");
  try {
    return await env.subtle.unwrapKey(
      "pkcs8",
      sealed.subarray(IV_BYTES),
      vaultKey,
      { name: "AES-GCM", iv: sealed.subarray(0, IV_BYTES), additionalData: aad(role, accountId, generation) },
      ALGORITHMS[role],
      extractable,
      USAGES[role],
    );
  } catch {
    return fail("decrypt_failed", `wrapped ${role} key does not open with this vault key`);
  }
}
