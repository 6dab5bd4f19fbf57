import { bytesEqual } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import type { AccountState } from "./device-log.js";
import { fail } from "./errors.js";
import { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { IV_BYTES, PUBLIC_KEY_BYTES, aesGcmDecrypt, aesGcmEncrypt, importSeed, labelled, sealingKey } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * The recovery blob: the account's current secrets (identity key, newest history key) sealed to the
 * recovery box key RBK, kept by the server and re-sealed by a device at every rotation. Only the holder of
 * the recovery key can open it. docs/PROTOCOL.md "Recovery blob".
 */
export const RECOVERY_BLOB_VERSION = 1;
const ZERO_IV = new Uint8Array(IV_BYTES);

export interface RecoverySecrets {
  /** PKCS#8 of the account identity key (Ed25519). */
  readonly identityKey: Uint8Array;
  readonly historyGeneration: number;
  /** PKCS#8 of the newest history key (X25519). */
  readonly historyKey: Uint8Array;
}

export interface RecoveryBlobHeader {
  readonly accountId: AccountId;
  /** Grows with every re-seal, so a server cannot serve an older blob as current unnoticed by devices. */
  readonly counter: number;
  readonly ephemeralKey: Uint8Array;
}

function header(h: RecoveryBlobHeader): Uint8Array {
  return new Writer().u8(RECOVERY_BLOB_VERSION).fixed(AccountId.toBytes(h.accountId), 32).u32(h.counter).fixed(h.ephemeralKey, PUBLIC_KEY_BYTES).finish();
}

function info(h: RecoveryBlobHeader, recoveryBoxKey: Uint8Array): Uint8Array {
  return labelled(Label.recoveryBlob, header(h), recoveryBoxKey);
}

function blobKey(env: CryptoEnv, privateKey: Key, peer: Uint8Array, i: Uint8Array): Promise<Key> {
  return sealingKey(env, privateKey, peer, i, ["encrypt", "decrypt"]);
}

/** The secrets both the recovery blob and a device-secrets package carry (docs/PROTOCOL.md "Account secrets"). */
export function encodeAccountSecrets(s: RecoverySecrets): Uint8Array {
  return new Writer().vbytes(s.identityKey).u32(s.historyGeneration).vbytes(s.historyKey).finish();
}

export function decodeAccountSecrets(bytes: Uint8Array): RecoverySecrets {
  const r = new Reader(bytes, "account secrets");
  const s = { identityKey: r.vbytes(16, 256, "identityKey"), historyGeneration: r.u32("historyGeneration"), historyKey: r.vbytes(16, 256, "historyKey") };
  r.end();
  return s;
}

/** blob = header (u8 version, account id, u32 counter, E public) || vbytes AES-256-GCM(KEK, zero nonce, AAD = info, secrets). */
export async function sealRecoveryBlob(env: CryptoEnv, p: { accountId: AccountId; counter: number; recoveryBoxKey: Uint8Array; secrets: RecoverySecrets }): Promise<Uint8Array> {
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const h = { accountId: p.accountId, counter: p.counter, ephemeralKey: eph.publicKey };
  const i = info(h, p.recoveryBoxKey);
  // Each blob has a fresh ephemeral key, hence a fresh KEK: the fixed nonce is never reused.
  const ct = await aesGcmEncrypt(env, await blobKey(env, eph.privateKey, p.recoveryBoxKey, i), ZERO_IV, i, encodeAccountSecrets(p.secrets));
  return new Writer().fixed(header(h), 69).vbytes(ct).finish();
}

export function decodeRecoveryBlobHeader(blob: Uint8Array): RecoveryBlobHeader & { ciphertext: Uint8Array } {
  const r = new Reader(blob, "recovery blob");
  const version = r.u8("version");
  if (version !== RECOVERY_BLOB_VERSION) fail("unsupported_version", `recovery blob version ${version}`);
  const h = { accountId: AccountId.fromBytes(r.fixed(32, "accountId")), counter: r.u32("counter"), ephemeralKey: r.fixed(PUBLIC_KEY_BYTES, "ephemeralKey") };
  const ciphertext = r.vbytes(16 + 40, 1024, "ciphertext");
  r.end();
  return { ...h, ciphertext };
}

/**
 * Opens a blob with the recovery box key derived from the recovery key. The caller must then accept
 * only a log whose genesis hashes to the returned account id and names this RBK.
 */
export async function openRecoveryBlob(env: CryptoEnv, blob: Uint8Array, recoveryBox: { privateKey: Key; publicKey: Uint8Array }): Promise<RecoveryBlobHeader & { secrets: RecoverySecrets }> {
  const h = decodeRecoveryBlobHeader(blob);
  const i = info(h, recoveryBox.publicKey);
  const plain = await aesGcmDecrypt(env, await blobKey(env, recoveryBox.privateKey, h.ephemeralKey, i), ZERO_IV, i, h.ciphertext);
  return { accountId: h.accountId, counter: h.counter, ephemeralKey: h.ephemeralKey, secrets: decodeAccountSecrets(plain) };
}

/**
 * A restore accepts only the account the blob is bound to, and only if that account's genesis names the
 * recovery box key the user's recovery key derives: a server cannot swap in another account's blob or log.
 */
export function assertRecoveryMatches(state: AccountState, blob: RecoveryBlobHeader, recoveryBoxPublic: Uint8Array): void {
  if (state.accountId !== blob.accountId) fail("identity_mismatch", "the recovery blob belongs to another account than this log");
  if (!bytesEqual(state.recoveryBoxKey, recoveryBoxPublic)) fail("identity_mismatch", "this account was not set up with this recovery key");
}
