import { bytesEqual, isAllZero } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId, DeviceId } from "./ids.js";
import { decodeAddDevicePayload, decodeGenesisPayload, decodeLeavePayload, decodeResetPayload, decodeRevokePayload, decodeRotateRecoveryPayload, encodeGenesisPayload, type GenesisPayload, type HistoryMove } from "./log-payloads.js";
import { Label } from "./labels.js";
import { HASH_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, hashLabelled, labelled, sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * The account's device log: append-only, hash-chained, each entry signed. Entry 0 (genesis) fixes the
 * account: its hash is the account id. docs/PROTOCOL.md "Device log".
 */
export const LOG_VERSION = 1;
export const MAX_LOG_ENTRIES = 10_000;
export const MAX_PAYLOAD_BYTES = 4096;

export const EntryKind = { genesis: 0, addDevice: 1, revoke: 2, recover: 3, rotateRecovery: 4, reset: 5, leave: 6 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Who made a signature on an entry; each kind requires an exact set of roles. */
export const SignerRole = { identity: 1, device: 2, recovery: 3, newDevice: 4, newIdentity: 5, newRecovery: 6 } as const;
export type SignerRole = (typeof SignerRole)[keyof typeof SignerRole];

export interface EntrySignature {
  readonly role: SignerRole;
  readonly key: Uint8Array;
  readonly signature: Uint8Array;
}

export interface LogEntry {
  readonly version: typeof LOG_VERSION;
  readonly kind: EntryKind;
  readonly seq: number;
  readonly prev: Uint8Array;
  readonly createdAt: number;
  readonly payload: Uint8Array;
  readonly signatures: readonly EntrySignature[];
  /** The exact bytes every signature covers and the entry hash is taken over. */
  readonly body: Uint8Array;
}

export interface DeviceRecord {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly boxKey: Uint8Array;
  readonly addedAtSeq: number;
}

export interface HistoryGeneration {
  readonly generation: number;
  readonly publicKey: Uint8Array;
  readonly sealedPrevious?: Uint8Array;
}

export interface LogHead {
  readonly seq: number;
  readonly hash: Uint8Array;
}

/** What a verified log says about an account right now. */
export interface AccountState {
  readonly accountId: AccountId;
  readonly username: string;
  readonly identityKey: Uint8Array;
  readonly recoverySigningKey: Uint8Array;
  readonly recoveryBoxKey: Uint8Array;
  readonly history: { readonly generation: number; readonly publicKey: Uint8Array };
  /**
   * Every history-key generation, oldest first. From generation 1 on, each carries the previous
   * generation's private key sealed to it, so the newest key opens the whole archive.
   */
  readonly historyChain: readonly HistoryGeneration[];
  readonly devices: readonly DeviceRecord[];
  /** Devices removed by revoke, reset and leave entries, with the position of the entry that removed them. */
  readonly removedDevices: readonly { readonly deviceId: DeviceId; readonly removedAtSeq: number }[];
  readonly head: LogHead;
  /** Hash of every entry, by position, so a later fetch can be checked against what was seen. */
  readonly entryHashes: readonly Uint8Array[];
}

const ZERO_HASH = new Uint8Array(HASH_BYTES);

export async function deviceIdOf(env: CryptoEnv, deviceSigningKey: Uint8Array): Promise<DeviceId> {
  const h = await hashLabelled(env, Label.deviceId, deviceSigningKey);
  return DeviceId.fromBytes(h.subarray(0, 16));
}

export type EntryFields = Omit<LogEntry, "body" | "signatures">;

/** The signed part of an entry. */
export function encodeEntryBody(e: EntryFields): Uint8Array {
  return new Writer().u8(e.version).u8(e.kind).u32(e.seq).fixed(e.prev, HASH_BYTES).u64(e.createdAt).vbytes(e.payload).finish();
}

export function encodeEntry(entry: LogEntry): Uint8Array {
  const w = new Writer().fixed(entry.body, entry.body.length).u8(entry.signatures.length);
  for (const s of entry.signatures) w.u8(s.role).fixed(s.key, PUBLIC_KEY_BYTES).fixed(s.signature, SIGNATURE_BYTES);
  return w.finish();
}

function readBody(r: Reader): EntryFields {
  const version = r.u8("version");
  if (version !== LOG_VERSION) fail("unsupported_version", `log entry version ${version}`);
  const kind = r.u8("kind");
  if (!(Object.values(EntryKind) as number[]).includes(kind)) fail("unsupported_version", `log entry kind ${kind}`);
  return { version: LOG_VERSION, kind: kind as EntryKind, seq: r.u32("seq"), prev: r.fixed(HASH_BYTES, "prev"), createdAt: r.u64("createdAt"), payload: r.vbytes(1, MAX_PAYLOAD_BYTES, "payload") };
}

/** Decodes an unsigned body (as a new device sends it for co-signing while linking). */
export function decodeEntryBody(body: Uint8Array): EntryFields {
  const r = new Reader(body, "log entry body");
  const fields = readBody(r);
  r.end();
  return fields;
}

export function decodeEntry(bytes: Uint8Array): LogEntry {
  const r = new Reader(bytes, "log entry");
  const fields = readBody(r);
  const body = r.span(0);
  const count = r.u8("signature count");
  if (count < 1 || count > 4) fail("out_of_bounds", "log entry must carry 1 to 4 signatures");
  const signatures: EntrySignature[] = [];
  for (let i = 0; i < count; i++) {
    const role = r.u8("signature role");
    if (!(Object.values(SignerRole) as number[]).includes(role)) fail("malformed", `unknown signer role ${role}`);
    signatures.push({ role: role as SignerRole, key: r.fixed(PUBLIC_KEY_BYTES, "signer key"), signature: r.fixed(SIGNATURE_BYTES, "signature") });
  }
  r.end();
  return { ...fields, signatures, body };
}

export function entrySigningInput(body: Uint8Array): Uint8Array {
  return labelled(Label.logEntry, body);
}

export async function entryHash(env: CryptoEnv, entry: LogEntry): Promise<Uint8Array> {
  return hashLabelled(env, Label.entryHash, entry.body);
}

export interface Signer {
  readonly role: SignerRole;
  readonly privateKey: Key;
  readonly publicKey: Uint8Array;
}

/** Builds and signs an entry; every signer signs the same labelled body. */
export async function makeEntry(
  env: CryptoEnv,
  fields: { kind: EntryKind; seq: number; prev: Uint8Array; createdAt: number; payload: Uint8Array },
  signers: readonly Signer[],
): Promise<{ entry: LogEntry; bytes: Uint8Array }> {
  const unsigned = { version: LOG_VERSION, ...fields } as const;
  const body = encodeEntryBody(unsigned);
  const input = entrySigningInput(body);
  const signatures: EntrySignature[] = [];
  for (const s of signers) signatures.push({ role: s.role, key: s.publicKey, signature: await sign(env, s.privateKey, input) });
  const entry: LogEntry = { ...unsigned, signatures, body };
  return { entry, bytes: encodeEntry(entry) };
}

/** One signature over an entry body, for entries whose signers are on different devices (linking). */
export async function signEntryBody(env: CryptoEnv, body: Uint8Array, signer: Signer): Promise<EntrySignature> {
  return { role: signer.role, key: signer.publicKey, signature: await sign(env, signer.privateKey, entrySigningInput(body)) };
}

/** Joins a body and its signatures into the entry's wire bytes (checked later by verifyLog). */
export function assembleEntry(body: Uint8Array, signatures: readonly EntrySignature[]): Uint8Array {
  return encodeEntry({ ...decodeEntryBody(body), signatures, body });
}

/** The genesis entry; its hash is the new account's id. */
export async function makeGenesis(
  env: CryptoEnv,
  payload: GenesisPayload,
  keys: { identity: Key; device: Key; recovery: Key },
  createdAt: number,
): Promise<{ bytes: Uint8Array; accountId: AccountId }> {
  const { entry, bytes } = await makeEntry(
    env,
    { kind: EntryKind.genesis, seq: 0, prev: ZERO_HASH, createdAt, payload: encodeGenesisPayload(payload) },
    [
      { role: SignerRole.identity, privateKey: keys.identity, publicKey: payload.identityKey },
      { role: SignerRole.device, privateKey: keys.device, publicKey: payload.deviceSigningKey },
      { role: SignerRole.recovery, privateKey: keys.recovery, publicKey: payload.recoverySigningKey },
    ],
  );
  return { bytes, accountId: AccountId.fromBytes(await entryHash(env, entry)) };
}

/** Checks that `entry` carries exactly the expected signers (by role and key) and that each verifies. */
/** A role's required signer: one exact key, or any active device (optionally but one). */
type Expected = { role: SignerRole; key: Uint8Array } | { role: SignerRole; activeDeviceOf: AccountState; except?: DeviceId };

/** Checks that `entry` carries exactly the expected signers (by role and key) and that each verifies. */
async function requireSignatures(env: CryptoEnv, entry: LogEntry, expected: readonly Expected[]): Promise<void> {
  if (entry.signatures.length !== expected.length) fail("bad_signature", `entry ${entry.seq} needs exactly ${expected.length} signatures`);
  const input = entrySigningInput(entry.body);
  for (const want of expected) {
    const found = entry.signatures.filter((s) => s.role === want.role);
    if (found.length !== 1) fail("bad_signature", `entry ${entry.seq} needs one signature of role ${want.role}`);
    const sig = found[0]!;
    if ("key" in want) {
      if (!bytesEqual(want.key, sig.key)) fail("unknown_signer", `entry ${entry.seq} role ${want.role} signed by the wrong key`);
    } else {
      const device = want.activeDeviceOf.devices.find((d) => bytesEqual(d.signingKey, sig.key));
      if (!device || device.deviceId === want.except) fail("unknown_signer", `entry ${entry.seq} is co-signed by a device that is not active on the log`);
    }
    if (!(await verify(env, sig.key, sig.signature, input))) fail("bad_signature", `entry ${entry.seq} role ${want.role} signature does not verify`);
  }
}

async function applyGenesis(env: CryptoEnv, entry: LogEntry): Promise<AccountState> {
  if (entry.kind !== EntryKind.genesis || entry.seq !== 0 || !isAllZero(entry.prev)) fail("chain_broken", "the first entry must be a genesis at position 0");
  const p = decodeGenesisPayload(entry.payload);
  await requireSignatures(env, entry, [
    { role: SignerRole.identity, key: p.identityKey },
    { role: SignerRole.device, key: p.deviceSigningKey },
    { role: SignerRole.recovery, key: p.recoverySigningKey },
  ]);
  const hash = await entryHash(env, entry);
  const history = { generation: p.historyGeneration, publicKey: p.historyKey };
  return {
    accountId: AccountId.fromBytes(hash),
    username: p.username,
    identityKey: p.identityKey,
    recoverySigningKey: p.recoverySigningKey,
    recoveryBoxKey: p.recoveryBoxKey,
    history,
    historyChain: [history],
    devices: [{ deviceId: await deviceIdOf(env, p.deviceSigningKey), signingKey: p.deviceSigningKey, boxKey: p.deviceBoxKey, addedAtSeq: 0 }],
    removedDevices: [],
    head: { seq: 0, hash },
    entryHashes: [hash],
  };
}

async function newDevice(env: CryptoEnv, state: AccountState, p: { deviceSigningKey: Uint8Array; deviceBoxKey: Uint8Array }, seq: number): Promise<DeviceRecord> {
  const deviceId = await deviceIdOf(env, p.deviceSigningKey);
  // A removed device never comes back under the same key: it would regain access silently.
  if (state.devices.some((d) => d.deviceId === deviceId) || state.removedDevices.some((d) => d.deviceId === deviceId)) fail("malformed", "device is already on the log");
  return { deviceId, signingKey: p.deviceSigningKey, boxKey: p.deviceBoxKey, addedAtSeq: seq };
}

/** The history fields after an entry that moves history to the next generation (revoke, rotate-recovery, reset). */
function moveHistory(state: AccountState, p: HistoryMove, kind: string): Pick<AccountState, "history" | "historyChain"> {
  if (p.historyGeneration !== state.history.generation + 1) fail("malformed", `${kind} must move history to generation ${state.history.generation + 1}`);
  return {
    history: { generation: p.historyGeneration, publicKey: p.historyKey },
    historyChain: [...state.historyChain, { generation: p.historyGeneration, publicKey: p.historyKey, sealedPrevious: p.sealedPreviousHistoryKey }],
  };
}

async function applyEntry(env: CryptoEnv, state: AccountState, entry: LogEntry): Promise<AccountState> {
  if (entry.seq !== state.head.seq + 1) fail("chain_broken", `expected entry ${state.head.seq + 1}, got ${entry.seq}`);
  if (!bytesEqual(entry.prev, state.head.hash)) fail("chain_broken", `entry ${entry.seq} does not chain to the previous entry`);
  let next: Omit<AccountState, "head" | "entryHashes">;
  switch (entry.kind) {
    case EntryKind.addDevice:
    case EntryKind.recover: {
      const p = decodeAddDevicePayload(entry.payload);
      const device = await newDevice(env, state, p, entry.seq);
      // Add-device is vouched for by an active device; recover, when no device is left, by the recovery key.
      const voucher: Expected = entry.kind === EntryKind.addDevice ? { role: SignerRole.device, activeDeviceOf: state } : { role: SignerRole.recovery, key: state.recoverySigningKey };
      await requireSignatures(env, entry, [{ role: SignerRole.identity, key: state.identityKey }, voucher, { role: SignerRole.newDevice, key: p.deviceSigningKey }]);
      next = { ...state, devices: [...state.devices, device] };
      break;
    }
    case EntryKind.revoke: {
      const p = decodeRevokePayload(entry.payload);
      if (!state.devices.some((d) => d.deviceId === p.removedDeviceId)) fail("malformed", "revoke names a device that is not active");
      const moved = moveHistory(state, p, "revoke");
      if (bytesEqual(p.newIdentityKey, state.identityKey)) fail("malformed", "revoke must rotate the identity key");
      await requireSignatures(env, entry, [
        { role: SignerRole.identity, key: state.identityKey },
        { role: SignerRole.newIdentity, key: p.newIdentityKey },
        { role: SignerRole.device, activeDeviceOf: state, except: p.removedDeviceId },
      ]);
      next = {
        ...state,
        identityKey: p.newIdentityKey,
        ...moved,
        devices: state.devices.filter((d) => d.deviceId !== p.removedDeviceId),
        removedDevices: [...state.removedDevices, { deviceId: p.removedDeviceId, removedAtSeq: entry.seq }],
      };
      break;
    }
    case EntryKind.leave: {
      const p = decodeLeavePayload(entry.payload);
      const leaving = state.devices.find((d) => d.deviceId === p.leavingDeviceId);
      if (!leaving) fail("malformed", "leave names a device that is not active");
      // The last device cannot leave: an account with no device could be reached only by recovery.
      if (state.devices.length < 2) fail("malformed", "the last device of an account cannot leave it");
      // Only the leaving device itself signs, with the identity key: a device removes no other this way.
      await requireSignatures(env, entry, [
        { role: SignerRole.identity, key: state.identityKey },
        { role: SignerRole.device, key: leaving.signingKey },
      ]);
      next = {
        ...state,
        devices: state.devices.filter((d) => d.deviceId !== p.leavingDeviceId),
        removedDevices: [...state.removedDevices, { deviceId: p.leavingDeviceId, removedAtSeq: entry.seq }],
      };
      break;
    }
    case EntryKind.rotateRecovery: {
      const p = decodeRotateRecoveryPayload(entry.payload);
      const moved = moveHistory(state, p, "rotate-recovery");
      if (bytesEqual(p.recoverySigningKey, state.recoverySigningKey)) fail("malformed", "rotate-recovery must replace the recovery key");
      await requireSignatures(env, entry, [
        { role: SignerRole.identity, key: state.identityKey },
        { role: SignerRole.device, activeDeviceOf: state },
        { role: SignerRole.newRecovery, key: p.recoverySigningKey },
      ]);
      next = {
        ...state,
        recoverySigningKey: p.recoverySigningKey,
        recoveryBoxKey: p.recoveryBoxKey,
        ...moved,
      };
      break;
    }
    case EntryKind.reset: {
      const p = decodeResetPayload(entry.payload);
      const device = await newDevice(env, state, p, entry.seq);
      const moved = moveHistory(state, p, "reset");
      if (bytesEqual(p.newIdentityKey, state.identityKey)) fail("malformed", "reset must rotate the identity key");
      // The recovery key outranks devices: no device signs, so none can block or undo it.
      await requireSignatures(env, entry, [
        { role: SignerRole.recovery, key: state.recoverySigningKey },
        { role: SignerRole.newIdentity, key: p.newIdentityKey },
        { role: SignerRole.newDevice, key: p.deviceSigningKey },
      ]);
      next = {
        ...state,
        identityKey: p.newIdentityKey,
        ...moved,
        devices: [device],
        removedDevices: [...state.removedDevices, ...state.devices.map((d) => ({ deviceId: d.deviceId, removedAtSeq: entry.seq }))],
      };
      break;
    }
    default:
      fail("chain_broken", `entry kind ${entry.kind} is not allowed after genesis`);
  }
  const hash = await entryHash(env, entry);
  return { ...next, head: { seq: entry.seq, hash }, entryHashes: [...state.entryHashes, hash] };
}

/**
 * Verifies a whole log from genesis. With `expectedAccountId`, a genesis that hashes to anything else
 * is refused (a server serving a different genesis for a known username).
 */
export async function verifyLog(env: CryptoEnv, entries: readonly Uint8Array[], expectedAccountId?: AccountId): Promise<AccountState> {
  if (entries.length < 1 || entries.length > MAX_LOG_ENTRIES) fail("out_of_bounds", `a log holds 1 to ${MAX_LOG_ENTRIES} entries`);
  let state = await applyGenesis(env, decodeEntry(entries[0]!));
  if (expectedAccountId !== undefined && state.accountId !== expectedAccountId) fail("identity_mismatch", "genesis does not hash to the expected account id");
  for (let i = 1; i < entries.length; i++) state = await applyEntry(env, state, decodeEntry(entries[i]!));
  return state;
}

/**
 * Refuses a log that contradicts one seen before: shorter (went backwards) or different at a position
 * both have (a fork). docs/PROTOCOL.md "Log consistency".
 */
export function assertLogExtends(previous: { head: LogHead; entryHashes?: readonly Uint8Array[] }, next: AccountState): void {
  if (next.head.seq < previous.head.seq) fail("log_conflict", `log went backwards from ${previous.head.seq} to ${next.head.seq}`);
  const atSeen = next.entryHashes[previous.head.seq];
  if (!atSeen || !bytesEqual(atSeen, previous.head.hash)) fail("log_conflict", `two different entries at position ${previous.head.seq}`);
}

export function findDevice(state: AccountState, deviceId: DeviceId): DeviceRecord | undefined {
  return state.devices.find((d) => d.deviceId === deviceId);
}
