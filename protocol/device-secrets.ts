import { bytesEqual } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import type { AccountState } from "./device-log.js";
import { fail } from "./errors.js";
import { AccountId, DeviceId, DEVICE_ID_BYTES } from "./ids.js";
import { Label } from "./labels.js";
import { HASH_BYTES, IV_BYTES, PUBLIC_KEY_BYTES, aesGcmDecrypt, aesGcmEncrypt, importSeed, labelled, publicKeyOfPkcs8, sealingKey } from "./primitives.js";
import { decodeAccountSecrets, encodeAccountSecrets, type RecoverySecrets } from "./recovery-blob.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * A device-secrets package: the account's new secrets (identity key, newest history key) sealed by the
 * device that rotated them (a revoke or a recovery-key rotation) to the box key of one other active
 * device of the account, which the server keeps until that device fetches it. docs/PROTOCOL.md
 * "Device-secrets package". The recipient accepts it only if the keys inside are the ones its verified
 * log names at the cited head, so the server can withhold a package but never plant one.
 */
export const DEVICE_SECRETS_VERSION = 1;
const ZERO_IV = new Uint8Array(IV_BYTES);
const HEADER_BYTES = 1 + 32 + 4 + HASH_BYTES + 2 * DEVICE_ID_BYTES + PUBLIC_KEY_BYTES;

export interface DeviceSecretsHeader {
  readonly accountId: AccountId;
  /** The log position (and its hash) whose keys the package holds. */
  readonly headSeq: number;
  readonly headHash: Uint8Array;
  readonly senderDeviceId: DeviceId;
  readonly recipientDeviceId: DeviceId;
  readonly ephemeralKey: Uint8Array;
}

function header(h: DeviceSecretsHeader): Uint8Array {
  return new Writer()
    .u8(DEVICE_SECRETS_VERSION)
    .fixed(AccountId.toBytes(h.accountId), 32)
    .u32(h.headSeq)
    .fixed(h.headHash, HASH_BYTES)
    .fixed(DeviceId.toBytes(h.senderDeviceId), DEVICE_ID_BYTES)
    .fixed(DeviceId.toBytes(h.recipientDeviceId), DEVICE_ID_BYTES)
    .fixed(h.ephemeralKey, PUBLIC_KEY_BYTES)
    .finish();
}

/** HKDF info and AEAD associated data: the label, the whole header and the recipient's box key. */
function info(h: DeviceSecretsHeader, recipientBoxKey: Uint8Array): Uint8Array {
  return labelled(Label.deviceSecrets, header(h), recipientBoxKey);
}

/** package = header || vbytes AES-256-GCM(KEK, zero IV, AAD = info, account secrets); one fresh ephemeral key each. */
export async function sealDeviceSecrets(
  env: CryptoEnv,
  p: Omit<DeviceSecretsHeader, "ephemeralKey"> & { recipientBoxKey: Uint8Array; secrets: RecoverySecrets },
): Promise<Uint8Array> {
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const h: DeviceSecretsHeader = { accountId: p.accountId, headSeq: p.headSeq, headHash: p.headHash, senderDeviceId: p.senderDeviceId, recipientDeviceId: p.recipientDeviceId, ephemeralKey: eph.publicKey };
  const i = info(h, p.recipientBoxKey);
  const kek = await sealingKey(env, eph.privateKey, p.recipientBoxKey, i, ["encrypt"]);
  const plain = encodeAccountSecrets(p.secrets);
  const ct = await aesGcmEncrypt(env, kek, ZERO_IV, i, plain);
  plain.fill(0);
  return new Writer().fixed(header(h), HEADER_BYTES).vbytes(ct).finish();
}

export function decodeDeviceSecretsHeader(bytes: Uint8Array): DeviceSecretsHeader & { ciphertext: Uint8Array } {
  const r = new Reader(bytes, "device secrets");
  const version = r.u8("version");
  if (version !== DEVICE_SECRETS_VERSION) fail("unsupported_version", `device secrets version ${version}`);
  const h: DeviceSecretsHeader = {
    accountId: AccountId.fromBytes(r.fixed(32, "accountId")),
    headSeq: r.u32("headSeq"),
    headHash: r.fixed(HASH_BYTES, "headHash"),
    senderDeviceId: DeviceId.fromBytes(r.fixed(DEVICE_ID_BYTES, "senderDeviceId")),
    recipientDeviceId: DeviceId.fromBytes(r.fixed(DEVICE_ID_BYTES, "recipientDeviceId")),
    ephemeralKey: r.fixed(PUBLIC_KEY_BYTES, "ephemeralKey"),
  };
  const ciphertext = r.vbytes(16 + 40, 1024, "ciphertext");
  r.end();
  return { ...h, ciphertext };
}

/**
 * Opens a package addressed to this device. The caller must still check that the keys inside match its
 * verified log at `headSeq` (same hash), which is what makes the package trustworthy.
 */
export async function openDeviceSecrets(
  env: CryptoEnv,
  bytes: Uint8Array,
  recipient: { deviceId: DeviceId; boxKey: Key; boxPublic: Uint8Array },
): Promise<DeviceSecretsHeader & { secrets: RecoverySecrets }> {
  const h = decodeDeviceSecretsHeader(bytes);
  if (h.recipientDeviceId !== recipient.deviceId) fail("wrong_context", "these secrets are sealed to another device");
  const i = info(h, recipient.boxPublic);
  const plain = await aesGcmDecrypt(env, await sealingKey(env, recipient.boxKey, h.ephemeralKey, i, ["decrypt"]), ZERO_IV, i, h.ciphertext);
  const secrets = decodeAccountSecrets(plain);
  plain.fill(0);
  const { ciphertext: _ciphertext, ...rest } = h;
  return { ...rest, secrets };
}

/**
 * What makes a package trustworthy: `state` is the recipient's verified log of its own account cut at the
 * package's head. The head must be that log's entry, the sender an active device there, and the keys
 * inside exactly the identity and newest history keys the log names at that point.
 */
export async function assertDeviceSecretsMatchLog(env: CryptoEnv, opened: DeviceSecretsHeader & { secrets: RecoverySecrets }, state: AccountState): Promise<void> {
  if (opened.accountId !== state.accountId) fail("wrong_context", "these secrets belong to another account");
  if (opened.headSeq !== state.head.seq || !bytesEqual(opened.headHash, state.head.hash)) fail("log_conflict", "these secrets cite a log head this device did not verify");
  if (!state.devices.some((d) => d.deviceId === opened.senderDeviceId)) fail("unknown_signer", "these secrets come from a device that is not active on the log");
  const identity = await publicKeyOfPkcs8(env, "Ed25519", opened.secrets.identityKey);
  const history = await publicKeyOfPkcs8(env, "X25519", opened.secrets.historyKey);
  if (!bytesEqual(identity, state.identityKey)) fail("identity_mismatch", "the identity key inside is not the one the log names");
  if (opened.secrets.historyGeneration !== state.history.generation || !bytesEqual(history, state.history.publicKey)) fail("identity_mismatch", "the history key inside is not the one the log names");
}
