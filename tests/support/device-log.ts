import { toBase64url } from "../../protocol/bytes.js";
import { EntryKind, SignerRole, deviceIdOf, makeEntry, verifyLog, type AccountState, type Signer } from "../../protocol/device-log.js";
import { sealPreviousHistoryKey } from "../../protocol/history-chain.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import { encodeAddDevicePayload, encodeLeavePayload, encodeRevokePayload } from "../../protocol/log-payloads.js";
import { exportPublic, generateBoxPair, generateSigningPair } from "../../protocol/primitives.js";
import type { KeyPair } from "../../protocol/subtle.js";
import type { TestAccount } from "./account.js";
import type { ApiClient } from "./api-client.js";
import { testCrypto } from "./crypto-env.js";

/**
 * Device-log entries after genesis (add-device, revoke, leave), built and signed with protocol code as a
 * client builds them. Runtime-neutral (globalThis.crypto only), so worker, unit and e2e tests share it.
 */

/** One device's keys: the signing key (DSK) and box key (DBK), with their raw public halves. */
export interface TestDevice {
  readonly deviceId: DeviceId;
  readonly signing: KeyPair;
  readonly box: KeyPair;
  readonly signingPublic: Uint8Array;
  readonly boxPublic: Uint8Array;
}

/** A new device's keys, not yet on any log. */
export async function makeDevice(): Promise<TestDevice> {
  const signing = await generateSigningPair(testCrypto, false);
  const box = await generateBoxPair(testCrypto, false);
  const signingPublic = await exportPublic(testCrypto, signing.publicKey);
  return { deviceId: await deviceIdOf(testCrypto, signingPublic), signing, box, signingPublic, boxPublic: await exportPublic(testCrypto, box.publicKey) };
}

/** The account's first device, as a TestDevice. */
export function genesisDevice(account: TestAccount): TestDevice {
  const d = account.state.devices[0];
  if (!d) throw new Error("genesis has no device");
  return { deviceId: d.deviceId, signing: account.keys.deviceSigning, box: account.keys.deviceBox, signingPublic: d.signingKey, boxPublic: d.boxKey };
}

/**
 * The same account seen from another of its devices: logIn, signedLogin and makeEnvelope then act as
 * that device. Pass the current log state so envelopes cite the right head.
 */
export function asDevice(account: TestAccount, device: TestDevice, state: AccountState = account.state): TestAccount {
  return { ...account, deviceId: device.deviceId, state, keys: { ...account.keys, deviceSigning: device.signing, deviceBox: device.box } };
}

/** An account's log as its devices hold it: the entries, their verified state and the current account keys. */
export interface AccountLog {
  readonly accountId: AccountId;
  readonly entries: readonly Uint8Array[];
  readonly state: AccountState;
  /** The current identity key (AIK) and history key (AHK): a revoke rotates both. */
  readonly identity: KeyPair;
  readonly history: KeyPair;
}

export function accountLog(account: TestAccount): AccountLog {
  return { accountId: account.accountId, entries: [account.genesis], state: account.state, identity: account.keys.identity, history: account.keys.history };
}

/** An entry built on a log, not yet stored anywhere. */
export interface DraftEntry {
  readonly bytes: Uint8Array;
  readonly b64: string;
  readonly seq: number;
  /** The log with this entry appended, verified (throws if the entry is not valid there). */
  next(): Promise<AccountLog>;
}

async function signer(role: SignerRole, pair: KeyPair): Promise<Signer> {
  return { role, privateKey: pair.privateKey, publicKey: await exportPublic(testCrypto, pair.publicKey) };
}

function draft(log: AccountLog, bytes: Uint8Array, seq: number, keys: { identity: KeyPair; history: KeyPair }): DraftEntry {
  return {
    bytes,
    b64: toBase64url(bytes),
    seq,
    async next() {
      const entries = [...log.entries, bytes];
      return { accountId: log.accountId, entries, state: await verifyLog(testCrypto, entries, log.accountId), ...keys };
    },
  };
}

export interface EntryOptions {
  /** Sign as the identity with this key instead of the account's current AIK (to make a refused entry). */
  readonly identity?: KeyPair;
  /** Build at this position instead of the next one. */
  readonly seq?: number;
  readonly createdAt?: number;
}

/** An add-device entry for `device`, signed by the AIK, the active device `cosigner` and `device` itself. */
export async function addDeviceEntry(log: AccountLog, device: TestDevice, cosigner: TestDevice, o: EntryOptions = {}): Promise<DraftEntry> {
  const seq = o.seq ?? log.state.head.seq + 1;
  const { bytes } = await makeEntry(
    testCrypto,
    {
      kind: EntryKind.addDevice,
      seq,
      prev: log.state.entryHashes[seq - 1] ?? log.state.head.hash,
      createdAt: o.createdAt ?? Date.now(),
      payload: encodeAddDevicePayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic }),
    },
    [await signer(SignerRole.identity, o.identity ?? log.identity), await signer(SignerRole.device, cosigner.signing), await signer(SignerRole.newDevice, device.signing)],
  );
  return draft(log, bytes, seq, { identity: log.identity, history: log.history });
}

/**
 * A revoke entry removing `removed`, co-signed by the other active device `cosigner`: it rotates the
 * identity key and moves the history key to the next generation, sealing the previous one to it.
 */
export async function revokeEntry(log: AccountLog, removed: DeviceId, cosigner: TestDevice, o: EntryOptions = {}): Promise<DraftEntry> {
  const seq = o.seq ?? log.state.head.seq + 1;
  const newIdentity = await generateSigningPair(testCrypto, true);
  const newHistory = await generateBoxPair(testCrypto, true);
  const generation = log.state.history.generation;
  const nextPublic = await exportPublic(testCrypto, newHistory.publicKey);
  const sealed = await sealPreviousHistoryKey(testCrypto, { accountId: log.accountId, previousGeneration: generation, previousKey: log.history.privateKey, nextGeneration: generation + 1, nextPublic });
  const newIdentitySigner = await signer(SignerRole.newIdentity, newIdentity);
  const { bytes } = await makeEntry(
    testCrypto,
    {
      kind: EntryKind.revoke,
      seq,
      prev: log.state.entryHashes[seq - 1] ?? log.state.head.hash,
      createdAt: o.createdAt ?? Date.now(),
      payload: encodeRevokePayload({ removedDeviceId: removed, newIdentityKey: newIdentitySigner.publicKey, historyGeneration: generation + 1, historyKey: nextPublic, sealedPreviousHistoryKey: sealed }),
    },
    [await signer(SignerRole.identity, o.identity ?? log.identity), newIdentitySigner, await signer(SignerRole.device, cosigner.signing)],
  );
  return draft(log, bytes, seq, { identity: newIdentity, history: newHistory });
}

/** A leave entry (kind 6): `leaving` signs itself out, with the AIK; the account keys stay. `signer` overrides who signs as the device. */
export async function leaveEntry(log: AccountLog, leaving: TestDevice, o: EntryOptions & { signer?: TestDevice } = {}): Promise<DraftEntry> {
  const seq = o.seq ?? log.state.head.seq + 1;
  const { bytes } = await makeEntry(
    testCrypto,
    {
      kind: EntryKind.leave,
      seq,
      prev: log.state.entryHashes[seq - 1] ?? log.state.head.hash,
      createdAt: o.createdAt ?? Date.now(),
      payload: encodeLeavePayload({ leavingDeviceId: leaving.deviceId }),
    },
    [await signer(SignerRole.identity, o.identity ?? log.identity), await signer(SignerRole.device, (o.signer ?? leaving).signing)],
  );
  return draft(log, bytes, seq, { identity: log.identity, history: log.history });
}

/** POST /api/accounts/:accountId/log as the session `cookie`. */
export function postLogEntry(api: ApiClient, cookie: string, accountId: AccountId, entry: { b64: string }): Promise<Response> {
  return api.call("POST", `/api/accounts/${accountId}/log`, { cookie, json: { entry: entry.b64 } });
}
