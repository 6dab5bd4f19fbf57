import { toBase64url } from "../../protocol/bytes.js";
import { EntryKind, SignerRole, makeEntry, verifyLog } from "../../protocol/device-log.js";
import { sealPreviousHistoryKey } from "../../protocol/history-chain.js";
import { encodeRecoverPayload, encodeResetPayload } from "../../protocol/log-payloads.js";
import { KDF_DEFAULTS, derivePassphraseKeys, sealPassphraseBlob, type Argon2id, type KdfParams } from "../../protocol/passphrase.js";
import { exportPublic, generateBoxPair, generateSigningPair } from "../../protocol/primitives.js";
import { sealRecoveryBlob } from "../../protocol/recovery-blob.js";
import type { RecoveryKeys } from "../../protocol/recovery-key.js";
import type { AccountLog, DraftEntry, TestDevice } from "./device-log.js";
import { testCrypto } from "./crypto-env.js";

/**
 * Recovery artefacts built with protocol code as a client builds them: the recovery blob, the
 * passphrase blob and the recover (kind 3) entry. Runtime-neutral, like the other support builders.
 */

/** The account's current secrets (identity key, newest history key) sealed to its recovery box key. */
export async function recoveryBlobFor(log: AccountLog, recovery: RecoveryKeys, counter: number): Promise<Uint8Array> {
  const identityKey = new Uint8Array((await testCrypto.subtle.exportKey("pkcs8", log.identity.privateKey)) as ArrayBuffer);
  const historyKey = new Uint8Array((await testCrypto.subtle.exportKey("pkcs8", log.history.privateKey)) as ArrayBuffer);
  return sealRecoveryBlob(testCrypto, {
    accountId: log.accountId,
    counter,
    recoveryBoxKey: recovery.box.publicKey,
    secrets: { identityKey, historyGeneration: log.state.history.generation, historyKey },
  });
}

/** A passphrase blob with the minimum (version 1) parameters, and the access token the server hashes. */
export async function passphraseBlobFor(
  log: AccountLog,
  argon2id: Argon2id,
  passphrase: string,
  recoveryKey: Uint8Array,
  params: KdfParams = { ...KDF_DEFAULTS, salt: testCrypto.randomBytes(16) },
): Promise<{ blob: Uint8Array; accessToken: Uint8Array }> {
  const keys = await derivePassphraseKeys(testCrypto, argon2id, passphrase, log.accountId, params);
  const blob = await sealPassphraseBlob(testCrypto, { accountId: log.accountId, params, keys, recoveryKey });
  return { blob, accessToken: keys.accessToken };
}

/** A recover entry adding `device`, signed by the AIK, the recovery signing key and the device itself. */
export async function recoverEntry(log: AccountLog, device: TestDevice, recovery: RecoveryKeys): Promise<DraftEntry> {
  const seq = log.state.head.seq + 1;
  const { bytes } = await makeEntry(
    testCrypto,
    { kind: EntryKind.recover, seq, prev: log.state.head.hash, createdAt: Date.now(), payload: encodeRecoverPayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic }) },
    [
      { role: SignerRole.identity, privateKey: log.identity.privateKey, publicKey: await exportPublic(testCrypto, log.identity.publicKey) },
      { role: SignerRole.recovery, privateKey: recovery.signing.privateKey, publicKey: recovery.signing.publicKey },
      { role: SignerRole.newDevice, privateKey: device.signing.privateKey, publicKey: device.signingPublic },
    ],
  );
  return {
    bytes,
    b64: toBase64url(bytes),
    seq,
    async next() {
      const entries = [...log.entries, bytes];
      return { ...log, entries, state: await verifyLog(testCrypto, entries, log.accountId) };
    },
  };
}

/**
 * A reset entry (kind 5): the recovery key takes the account back, adding `device`, removing every other
 * device and rotating the identity and history keys. Signed by the recovery key, the new AIK and `device`.
 */
export async function resetEntry(log: AccountLog, device: TestDevice, recovery: RecoveryKeys): Promise<DraftEntry> {
  const seq = log.state.head.seq + 1;
  const identity = await generateSigningPair(testCrypto, true);
  const history = await generateBoxPair(testCrypto, true);
  const identityPublic = await exportPublic(testCrypto, identity.publicKey);
  const historyPublic = await exportPublic(testCrypto, history.publicKey);
  const generation = log.state.history.generation + 1;
  const sealed = await sealPreviousHistoryKey(testCrypto, { accountId: log.accountId, previousGeneration: generation - 1, previousKey: log.history.privateKey, nextGeneration: generation, nextPublic: historyPublic });
  const { bytes } = await makeEntry(
    testCrypto,
    {
      kind: EntryKind.reset,
      seq,
      prev: log.state.head.hash,
      createdAt: Date.now(),
      payload: encodeResetPayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic, newIdentityKey: identityPublic, historyGeneration: generation, historyKey: historyPublic, sealedPreviousHistoryKey: sealed }),
    },
    [
      { role: SignerRole.recovery, privateKey: recovery.signing.privateKey, publicKey: recovery.signing.publicKey },
      { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
      { role: SignerRole.newDevice, privateKey: device.signing.privateKey, publicKey: device.signingPublic },
    ],
  );
  return {
    bytes,
    b64: toBase64url(bytes),
    seq,
    async next() {
      const entries = [...log.entries, bytes];
      return { ...log, entries, state: await verifyLog(testCrypto, entries, log.accountId), identity, history };
    },
  };
}
