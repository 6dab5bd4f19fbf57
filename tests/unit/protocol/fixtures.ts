// Real accounts and conversations built with the protocol itself, on Node's WebCrypto.
import {
  ConversationId,
  ClientMessageId,
  cryptoEnvFrom,
  createEpochBundle,
  deriveRecoveryKeys,
  directMembershipHead,
  exportPublic,
  generateBoxPair,
  generateRecoveryKey,
  generateSigningPair,
  makeGenesis,
  makeEntry,
  EntryKind,
  SignerRole,
  encodeAddDevicePayload,
  encodeRevokePayload,
  sealPreviousHistoryKey,
  verifyLog,
  type AccountState,
  type CryptoEnv,
  type KeyPair,
  type DeviceId,
} from "../../../protocol/index.js";

export const env: CryptoEnv = cryptoEnvFrom(globalThis.crypto);

export interface TestDevice {
  deviceId: DeviceId;
  signing: KeyPair;
  box: KeyPair;
  signingPub: Uint8Array;
  boxPub: Uint8Array;
}

export interface TestAccount {
  username: string;
  identity: KeyPair;
  history: KeyPair;
  device: TestDevice;
  log: Uint8Array[];
  state: AccountState;
  /** The recovery signing and box keys derived from the account's recovery key. */
  recovery: Awaited<ReturnType<typeof deriveRecoveryKeys>>;
}

export async function makeDevice(): Promise<Omit<TestDevice, "deviceId">> {
  const signing = await generateSigningPair(env, false);
  const box = await generateBoxPair(env, false);
  return { signing, box, signingPub: await exportPublic(env, signing.publicKey), boxPub: await exportPublic(env, box.publicKey) };
}

export async function makeAccount(username: string): Promise<TestAccount> {
  const identity = await generateSigningPair(env, true);
  const history = await generateBoxPair(env, true);
  const d = await makeDevice();
  const recovery = await deriveRecoveryKeys(env, generateRecoveryKey(env));
  const { bytes } = await makeGenesis(
    env,
    {
      username,
      identityKey: await exportPublic(env, identity.publicKey),
      recoverySigningKey: recovery.signing.publicKey,
      recoveryBoxKey: recovery.box.publicKey,
      historyGeneration: 0,
      historyKey: await exportPublic(env, history.publicKey),
      deviceSigningKey: d.signingPub,
      deviceBoxKey: d.boxPub,
    },
    { identity: identity.privateKey, device: d.signing.privateKey, recovery: recovery.signing.privateKey },
    1_700_000_000_000,
  );
  const state = await verifyLog(env, [bytes]);
  return { username, identity, history, device: { ...d, deviceId: state.devices[0]!.deviceId }, log: [bytes], state, recovery };
}

/** Appends an add-device entry, signed by the identity key, an existing device and the new device. */
export async function addDevice(a: TestAccount): Promise<TestDevice> {
  const d = await makeDevice();
  const { bytes } = await makeEntry(
    env,
    { kind: EntryKind.addDevice, seq: a.state.head.seq + 1, prev: a.state.head.hash, createdAt: 1_700_000_001_000, payload: encodeAddDevicePayload({ deviceSigningKey: d.signingPub, deviceBoxKey: d.boxPub }) },
    [
      { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) },
      { role: SignerRole.device, privateKey: a.device.signing.privateKey, publicKey: a.device.signingPub },
      { role: SignerRole.newDevice, privateKey: d.signing.privateKey, publicKey: d.signingPub },
    ],
  );
  a.log.push(bytes);
  a.state = await verifyLog(env, a.log);
  return { ...d, deviceId: a.state.devices.at(-1)!.deviceId };
}

export function randomConversationId(): ConversationId {
  return ConversationId.fromBytes(env.randomBytes(16));
}

export function randomClientMessageId(): ClientMessageId {
  return ClientMessageId.fromBytes(env.randomBytes(16));
}

export async function makeDirectEpoch(alice: TestAccount, bob: TestAccount, epoch = 0, conversationId = randomConversationId()) {
  const membershipHead = await directMembershipHead(env, alice.state.accountId, bob.state.accountId);
  const made = await createEpochBundle(env, {
    conversationId,
    epoch,
    creator: { accountId: alice.state.accountId, deviceId: alice.device.deviceId, signingKey: alice.device.signing.privateKey },
    membershipHead,
    members: [alice.state, bob.state],
    createdAt: 1_700_000_002_000,
  });
  const members = new Map([
    [alice.state.accountId, alice.state],
    [bob.state.accountId, bob.state],
  ]);
  return { ...made, conversationId, membershipHead, members };
}

/**
 * Appends a revoke entry: removes `removed`, rotates the identity key, moves history to the next
 * generation with the previous private key sealed to it; co-signed by `cosigner` (an active device).
 */
export async function revokeDevice(a: TestAccount, removed: TestDevice, cosigner: TestDevice = a.device) {
  const newIdentity = await generateSigningPair(env, true);
  const newHistory = await generateBoxPair(env, true);
  const previousGeneration = a.state.history.generation;
  const nextPublic = await exportPublic(env, newHistory.publicKey);
  const sealed = await sealPreviousHistoryKey(env, { accountId: a.state.accountId, previousGeneration, previousKey: a.history.privateKey, nextGeneration: previousGeneration + 1, nextPublic });
  const { bytes } = await makeEntry(
    env,
    {
      kind: EntryKind.revoke,
      seq: a.state.head.seq + 1,
      prev: a.state.head.hash,
      createdAt: 1_700_000_005_000,
      payload: encodeRevokePayload({ removedDeviceId: removed.deviceId, newIdentityKey: await exportPublic(env, newIdentity.publicKey), historyGeneration: previousGeneration + 1, historyKey: nextPublic, sealedPreviousHistoryKey: sealed }),
    },
    [
      { role: SignerRole.identity, privateKey: a.identity.privateKey, publicKey: await exportPublic(env, a.identity.publicKey) },
      { role: SignerRole.newIdentity, privateKey: newIdentity.privateKey, publicKey: await exportPublic(env, newIdentity.publicKey) },
      { role: SignerRole.device, privateKey: cosigner.signing.privateKey, publicKey: cosigner.signingPub },
    ],
  );
  const oldIdentity = a.identity;
  const oldHistory = a.history;
  a.log.push(bytes);
  a.state = await verifyLog(env, a.log);
  a.identity = newIdentity;
  a.history = newHistory;
  return { bytes, oldIdentity, oldHistory };
}
