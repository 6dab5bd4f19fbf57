import { bytesEqual, isAllZero } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId, DeviceId, parseUsername } from "./ids.js";
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

export const EntryKind = { genesis: 0, addDevice: 1 } as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Who made a signature on an entry; each kind requires an exact set of roles. */
export const SignerRole = { identity: 1, device: 2, recovery: 3, newDevice: 4 } as const;
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

export interface GenesisPayload {
  readonly username: string;
  readonly identityKey: Uint8Array;
  readonly recoverySigningKey: Uint8Array;
  readonly recoveryBoxKey: Uint8Array;
  readonly historyGeneration: number;
  readonly historyKey: Uint8Array;
  readonly deviceSigningKey: Uint8Array;
  readonly deviceBoxKey: Uint8Array;
}

export interface AddDevicePayload {
  readonly deviceSigningKey: Uint8Array;
  readonly deviceBoxKey: Uint8Array;
}

export interface DeviceRecord {
  readonly deviceId: DeviceId;
  readonly signingKey: Uint8Array;
  readonly boxKey: Uint8Array;
  readonly addedAtSeq: number;
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
  readonly devices: readonly DeviceRecord[];
  readonly head: LogHead;
  /** Hash of every entry, by position, so a later fetch can be checked against what was seen. */
  readonly entryHashes: readonly Uint8Array[];
}

const ZERO_HASH = new Uint8Array(HASH_BYTES);

export async function deviceIdOf(env: CryptoEnv, deviceSigningKey: Uint8Array): Promise<DeviceId> {
  const h = await hashLabelled(env, Label.deviceId, deviceSigningKey);
  return DeviceId.fromBytes(h.subarray(0, 16));
}

function encodeBody(e: Omit<LogEntry, "body" | "signatures">): Uint8Array {
  return new Writer().u8(e.version).u8(e.kind).u32(e.seq).fixed(e.prev, HASH_BYTES).u64(e.createdAt).vbytes(e.payload).finish();
}

export function encodeEntry(entry: LogEntry): Uint8Array {
  const w = new Writer().fixed(entry.body, entry.body.length).u8(entry.signatures.length);
  for (const s of entry.signatures) w.u8(s.role).fixed(s.key, PUBLIC_KEY_BYTES).fixed(s.signature, SIGNATURE_BYTES);
  return w.finish();
}

export function decodeEntry(bytes: Uint8Array): LogEntry {
  const r = new Reader(bytes, "log entry");
  const version = r.u8("version");
  if (version !== LOG_VERSION) fail("unsupported_version", `log entry version ${version}`);
  const kind = r.u8("kind");
  if (kind !== EntryKind.genesis && kind !== EntryKind.addDevice) fail("unsupported_version", `log entry kind ${kind}`);
  const seq = r.u32("seq");
  const prev = r.fixed(HASH_BYTES, "prev");
  const createdAt = r.u64("createdAt");
  const payload = r.vbytes(1, MAX_PAYLOAD_BYTES, "payload");
  const body = r.span(0);
  const count = r.u8("signature count");
  if (count < 1 || count > 4) fail("out_of_bounds", "log entry must carry 1 to 4 signatures");
  const signatures: EntrySignature[] = [];
  for (let i = 0; i < count; i++) {
    const role = r.u8("signature role");
    if (role < 1 || role > 4) fail("malformed", `unknown signer role ${role}`);
    signatures.push({ role: role as SignerRole, key: r.fixed(PUBLIC_KEY_BYTES, "signer key"), signature: r.fixed(SIGNATURE_BYTES, "signature") });
  }
  r.end();
  return { version: LOG_VERSION, kind, seq, prev, createdAt, payload, signatures, body };
}

export function encodeGenesisPayload(p: GenesisPayload): Uint8Array {
  return new Writer()
    .str(p.username)
    .fixed(p.identityKey, PUBLIC_KEY_BYTES)
    .fixed(p.recoverySigningKey, PUBLIC_KEY_BYTES)
    .fixed(p.recoveryBoxKey, PUBLIC_KEY_BYTES)
    .u32(p.historyGeneration)
    .fixed(p.historyKey, PUBLIC_KEY_BYTES)
    .fixed(p.deviceSigningKey, PUBLIC_KEY_BYTES)
    .fixed(p.deviceBoxKey, PUBLIC_KEY_BYTES)
    .finish();
}

export function decodeGenesisPayload(bytes: Uint8Array): GenesisPayload {
  const r = new Reader(bytes, "genesis payload");
  const rawName = r.str(32, "username");
  const username = parseUsername(rawName);
  if (username !== rawName) fail("malformed", "genesis username is not in canonical form");
  const p: GenesisPayload = {
    username,
    identityKey: r.fixed(PUBLIC_KEY_BYTES, "identityKey"),
    recoverySigningKey: r.fixed(PUBLIC_KEY_BYTES, "recoverySigningKey"),
    recoveryBoxKey: r.fixed(PUBLIC_KEY_BYTES, "recoveryBoxKey"),
    historyGeneration: r.u32("historyGeneration"),
    historyKey: r.fixed(PUBLIC_KEY_BYTES, "historyKey"),
    deviceSigningKey: r.fixed(PUBLIC_KEY_BYTES, "deviceSigningKey"),
    deviceBoxKey: r.fixed(PUBLIC_KEY_BYTES, "deviceBoxKey"),
  };
  r.end();
  if (p.historyGeneration !== 0) fail("malformed", "genesis must start history generation 0");
  return p;
}

export function encodeAddDevicePayload(p: AddDevicePayload): Uint8Array {
  return new Writer().fixed(p.deviceSigningKey, PUBLIC_KEY_BYTES).fixed(p.deviceBoxKey, PUBLIC_KEY_BYTES).finish();
}

export function decodeAddDevicePayload(bytes: Uint8Array): AddDevicePayload {
  const r = new Reader(bytes, "add-device payload");
  const p = { deviceSigningKey: r.fixed(PUBLIC_KEY_BYTES, "deviceSigningKey"), deviceBoxKey: r.fixed(PUBLIC_KEY_BYTES, "deviceBoxKey") };
  r.end();
  return p;
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
  const body = encodeBody(unsigned);
  const input = entrySigningInput(body);
  const signatures: EntrySignature[] = [];
  for (const s of signers) signatures.push({ role: s.role, key: s.publicKey, signature: await sign(env, s.privateKey, input) });
  const entry: LogEntry = { ...unsigned, signatures, body };
  return { entry, bytes: encodeEntry(entry) };
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
async function requireSignatures(env: CryptoEnv, entry: LogEntry, expected: ReadonlyArray<{ role: SignerRole; key: Uint8Array | "any-device" }>, state: AccountState | undefined): Promise<void> {
  if (entry.signatures.length !== expected.length) fail("bad_signature", `entry ${entry.seq} needs exactly ${expected.length} signatures`);
  const input = entrySigningInput(entry.body);
  for (const want of expected) {
    const found = entry.signatures.filter((s) => s.role === want.role);
    if (found.length !== 1) fail("bad_signature", `entry ${entry.seq} needs one signature of role ${want.role}`);
    const sig = found[0]!;
    if (want.key === "any-device") {
      if (!state?.devices.some((d) => bytesEqual(d.signingKey, sig.key))) fail("unknown_signer", `entry ${entry.seq} is co-signed by a device not on the log`);
    } else if (!bytesEqual(want.key, sig.key)) {
      fail("unknown_signer", `entry ${entry.seq} role ${want.role} signed by the wrong key`);
    }
    if (!(await verify(env, sig.key, sig.signature, input))) fail("bad_signature", `entry ${entry.seq} role ${want.role} signature does not verify`);
  }
}

async function applyGenesis(env: CryptoEnv, entry: LogEntry): Promise<AccountState> {
  if (entry.kind !== EntryKind.genesis || entry.seq !== 0 || !isAllZero(entry.prev)) fail("chain_broken", "the first entry must be a genesis at position 0");
  const p = decodeGenesisPayload(entry.payload);
  await requireSignatures(
    env,
    entry,
    [
      { role: SignerRole.identity, key: p.identityKey },
      { role: SignerRole.device, key: p.deviceSigningKey },
      { role: SignerRole.recovery, key: p.recoverySigningKey },
    ],
    undefined,
  );
  const hash = await entryHash(env, entry);
  return {
    accountId: AccountId.fromBytes(hash),
    username: p.username,
    identityKey: p.identityKey,
    recoverySigningKey: p.recoverySigningKey,
    recoveryBoxKey: p.recoveryBoxKey,
    history: { generation: p.historyGeneration, publicKey: p.historyKey },
    devices: [{ deviceId: await deviceIdOf(env, p.deviceSigningKey), signingKey: p.deviceSigningKey, boxKey: p.deviceBoxKey, addedAtSeq: 0 }],
    head: { seq: 0, hash },
    entryHashes: [hash],
  };
}

async function applyEntry(env: CryptoEnv, state: AccountState, entry: LogEntry): Promise<AccountState> {
  if (entry.seq !== state.head.seq + 1) fail("chain_broken", `expected entry ${state.head.seq + 1}, got ${entry.seq}`);
  if (!bytesEqual(entry.prev, state.head.hash)) fail("chain_broken", `entry ${entry.seq} does not chain to the previous entry`);
  let devices = state.devices;
  switch (entry.kind) {
    case EntryKind.addDevice: {
      const p = decodeAddDevicePayload(entry.payload);
      if (devices.some((d) => bytesEqual(d.signingKey, p.deviceSigningKey))) fail("malformed", "device is already on the log");
      await requireSignatures(
        env,
        entry,
        [
          { role: SignerRole.identity, key: state.identityKey },
          { role: SignerRole.device, key: "any-device" },
          { role: SignerRole.newDevice, key: p.deviceSigningKey },
        ],
        state,
      );
      devices = [...devices, { deviceId: await deviceIdOf(env, p.deviceSigningKey), signingKey: p.deviceSigningKey, boxKey: p.deviceBoxKey, addedAtSeq: entry.seq }];
      break;
    }
    default:
      fail("chain_broken", `entry kind ${entry.kind} is not allowed after genesis`);
  }
  const hash = await entryHash(env, entry);
  return { ...state, devices, head: { seq: entry.seq, hash }, entryHashes: [...state.entryHashes, hash] };
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
