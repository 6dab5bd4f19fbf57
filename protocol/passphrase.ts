import { utf8 } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { IV_BYTES, aesGcmDecrypt, aesGcmEncrypt, hkdf, importAesKey, labelled } from "./primitives.js";
import { RECOVERY_KEY_BYTES } from "./recovery-key.js";
import type { CryptoEnv } from "./subtle.js";

/**
 * An optional passphrase protecting the recovery key. Argon2id (supplied by the host: hash-wasm in the
 * browser, never run by the worker) stretches the passphrase; HKDF splits the output into a wrapping key
 * and an access token. The server keeps the wrapped recovery key and a hash of the token, and releases
 * the wrapped key only to the right token. docs/PROTOCOL.md "Passphrase".
 */
export const PASSPHRASE_BLOB_VERSION = 1;

/** Version 1 parameters, and the bounds every decoder enforces so a server cannot downgrade them. */
export const KDF_DEFAULTS = { memoryKiB: 65_536, iterations: 3, parallelism: 1 } as const;
export const KDF_BOUNDS = { memoryKiB: [65_536, 1_048_576], iterations: [3, 10], parallelism: [1, 4] } as const;
export const KDF_SALT_BYTES = 16;

export interface KdfParams {
  readonly memoryKiB: number;
  readonly iterations: number;
  readonly parallelism: number;
  readonly salt: Uint8Array;
}

export type Argon2id = (p: { password: Uint8Array; salt: Uint8Array; memoryKiB: number; iterations: number; parallelism: number; length: number }) => Promise<Uint8Array>;

/** Refuses parameters below (a downgrade) or above (a denial of service) the version's bounds. */
export function checkKdfParams(p: KdfParams): void {
  for (const name of ["memoryKiB", "iterations", "parallelism"] as const) {
    const [min, max] = KDF_BOUNDS[name];
    if (!Number.isInteger(p[name]) || p[name] < min) fail("out_of_bounds", `Argon2id ${name} ${p[name]} is below the minimum ${min}: refusing a KDF downgrade`);
    if (p[name] > max) fail("out_of_bounds", `Argon2id ${name} ${p[name]} is above the maximum ${max}`);
  }
  if (p.salt.length !== KDF_SALT_BYTES) fail("malformed", "Argon2id salt must be 16 bytes");
}

export interface PassphraseKeys {
  readonly wrapKey: Uint8Array;
  readonly accessToken: Uint8Array;
}

/** Passphrases are NFKC-normalised so the same words typed on another keyboard give the same key. */
export async function derivePassphraseKeys(env: CryptoEnv, argon2id: Argon2id, passphrase: string, accountId: AccountId, params: KdfParams): Promise<PassphraseKeys> {
  checkKdfParams(params);
  if (passphrase.length === 0) fail("out_of_bounds", "the passphrase is empty");
  const stretched = await argon2id({ password: utf8(passphrase.normalize("NFKC")), salt: params.salt, memoryKiB: params.memoryKiB, iterations: params.iterations, parallelism: params.parallelism, length: 32 });
  const id = AccountId.toBytes(accountId);
  const wrapKey = await hkdf(env, stretched, new Uint8Array(0), labelled(Label.passphraseWrap, id), 32);
  const accessToken = await hkdf(env, stretched, new Uint8Array(0), labelled(Label.passphraseAccess, id), 32);
  stretched.fill(0);
  return { wrapKey, accessToken };
}

function header(accountId: AccountId, p: KdfParams): Uint8Array {
  return new Writer().u8(PASSPHRASE_BLOB_VERSION).fixed(AccountId.toBytes(accountId), 32).u32(p.memoryKiB).u32(p.iterations).u8(p.parallelism).fixed(p.salt, KDF_SALT_BYTES).finish();
}

/** blob = header (version, account id, m, t, p, salt) || nonce || AES-256-GCM(wrapKey, nonce, AAD = header, RK). */
export async function sealPassphraseBlob(env: CryptoEnv, p: { accountId: AccountId; params: KdfParams; keys: PassphraseKeys; recoveryKey: Uint8Array }): Promise<Uint8Array> {
  checkKdfParams(p.params);
  if (p.recoveryKey.length !== RECOVERY_KEY_BYTES) fail("malformed", "recovery key must be 16 bytes");
  const h = header(p.accountId, p.params);
  const nonce = env.randomBytes(IV_BYTES);
  const ct = await aesGcmEncrypt(env, await importAesKey(env, p.keys.wrapKey, false, ["encrypt"]), nonce, h, p.recoveryKey);
  return new Writer().fixed(h, h.length).fixed(nonce, IV_BYTES).fixed(ct, ct.length).finish();
}

/** Reads the public part (what the client needs before running Argon2id), with bounds enforced. */
export function decodePassphraseBlob(blob: Uint8Array): { accountId: AccountId; params: KdfParams; header: Uint8Array; nonce: Uint8Array; ciphertext: Uint8Array } {
  const r = new Reader(blob, "passphrase blob");
  const version = r.u8("version");
  if (version !== PASSPHRASE_BLOB_VERSION) fail("unsupported_version", `passphrase blob version ${version}`);
  const accountId = AccountId.fromBytes(r.fixed(32, "accountId"));
  const params = { memoryKiB: r.u32("memoryKiB"), iterations: r.u32("iterations"), parallelism: r.u8("parallelism"), salt: r.fixed(KDF_SALT_BYTES, "salt") };
  checkKdfParams(params);
  const headerBytes = r.span(0);
  const nonce = r.fixed(IV_BYTES, "nonce");
  const ciphertext = r.fixed(RECOVERY_KEY_BYTES + 16, "ciphertext");
  r.end();
  return { accountId, params, header: headerBytes, nonce, ciphertext };
}

export async function openPassphraseBlob(env: CryptoEnv, blob: Uint8Array, keys: PassphraseKeys): Promise<{ accountId: AccountId; recoveryKey: Uint8Array }> {
  const b = decodePassphraseBlob(blob);
  const rk = await aesGcmDecrypt(env, await importAesKey(env, keys.wrapKey, false, ["decrypt"]), b.nonce, b.header, b.ciphertext);
  return { accountId: b.accountId, recoveryKey: rk };
}
