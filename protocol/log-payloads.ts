import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { DeviceId, parseUsername } from "./ids.js";
import { PUBLIC_KEY_BYTES } from "./primitives.js";

/** Payloads of each device-log entry kind. docs/PROTOCOL.md "Device log". */

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

/**
 * Bounds of the previous history key sealed to the next one: ephemeral key, then wrapped PKCS#8 + tag
 * (48-byte PKCS#8 today; the bound leaves room for encoders that include the public key).
 */
export const SEALED_HISTORY_KEY_MIN = 32 + 48 + 16;
export const SEALED_HISTORY_KEY_MAX = 32 + 128 + 16;

/** The tail of every entry that moves history to the next generation (revoke, rotate-recovery, reset). */
export interface HistoryMove {
  readonly historyGeneration: number;
  readonly historyKey: Uint8Array;
  readonly sealedPreviousHistoryKey: Uint8Array;
}

function writeHistoryMove(w: Writer, p: HistoryMove): Uint8Array {
  return w.u32(p.historyGeneration).fixed(p.historyKey, PUBLIC_KEY_BYTES).vbytes(p.sealedPreviousHistoryKey).finish();
}

function readHistoryMove(r: Reader): HistoryMove {
  return {
    historyGeneration: r.u32("historyGeneration"),
    historyKey: r.fixed(PUBLIC_KEY_BYTES, "historyKey"),
    sealedPreviousHistoryKey: r.vbytes(SEALED_HISTORY_KEY_MIN, SEALED_HISTORY_KEY_MAX, "sealedPreviousHistoryKey"),
  };
}

/**
 * Revoke (kind 2): removes one device and, in the same entry, moves the account to a new identity key and
 * a new history-key generation, whose public key gets the previous generation's private key sealed to it.
 */
export interface RevokePayload extends HistoryMove {
  readonly removedDeviceId: DeviceId;
  readonly newIdentityKey: Uint8Array;
}

export function encodeRevokePayload(p: RevokePayload): Uint8Array {
  const w = new Writer()
    .fixed(DeviceId.toBytes(p.removedDeviceId), 16)
    .fixed(p.newIdentityKey, PUBLIC_KEY_BYTES);
  return writeHistoryMove(w, p);
}

export function decodeRevokePayload(bytes: Uint8Array): RevokePayload {
  const r = new Reader(bytes, "revoke payload");
  const p: RevokePayload = {
    removedDeviceId: DeviceId.fromBytes(r.fixed(16, "removedDeviceId")),
    newIdentityKey: r.fixed(PUBLIC_KEY_BYTES, "newIdentityKey"),
    ...readHistoryMove(r),
  };
  r.end();
  return p;
}

/**
 * Leave (kind 6): a device signs itself out of the account (issue 21). Only the leaving device and the
 * current identity key sign it, so it cannot remove anyone else; the account keys stay as they are
 * (docs/decisions.md "Sign out"): the device that knew them deletes them, and a device the user no longer
 * trusts is removed from another one with a revoke, which rotates them.
 */
export interface LeavePayload {
  readonly leavingDeviceId: DeviceId;
}

export function encodeLeavePayload(p: LeavePayload): Uint8Array {
  return new Writer().fixed(DeviceId.toBytes(p.leavingDeviceId), 16).finish();
}

export function decodeLeavePayload(bytes: Uint8Array): LeavePayload {
  const r = new Reader(bytes, "leave payload");
  const p: LeavePayload = { leavingDeviceId: DeviceId.fromBytes(r.fixed(16, "leavingDeviceId")) };
  r.end();
  return p;
}

/**
 * Recover (kind 3): adds a device when no device is left, authorised by the recovery signing key and the
 * identity key (both opened from the recovery key) instead of an existing device. Same payload as add-device.
 */
export const encodeRecoverPayload = encodeAddDevicePayload;
export const decodeRecoverPayload = decodeAddDevicePayload;

/**
 * Rotate-recovery (kind 4): a new recovery key replaces the old one (whose signing and box keys stop
 * counting) and history moves to the next generation, so the old recovery key opens nothing new.
 */
export interface RotateRecoveryPayload extends HistoryMove {
  readonly recoverySigningKey: Uint8Array;
  readonly recoveryBoxKey: Uint8Array;
}

export function encodeRotateRecoveryPayload(p: RotateRecoveryPayload): Uint8Array {
  const w = new Writer()
    .fixed(p.recoverySigningKey, PUBLIC_KEY_BYTES)
    .fixed(p.recoveryBoxKey, PUBLIC_KEY_BYTES);
  return writeHistoryMove(w, p);
}

export function decodeRotateRecoveryPayload(bytes: Uint8Array): RotateRecoveryPayload {
  const r = new Reader(bytes, "rotate-recovery payload");
  const p: RotateRecoveryPayload = {
    recoverySigningKey: r.fixed(PUBLIC_KEY_BYTES, "recoverySigningKey"),
    recoveryBoxKey: r.fixed(PUBLIC_KEY_BYTES, "recoveryBoxKey"),
    ...readHistoryMove(r),
  };
  r.end();
  return p;
}

/**
 * Reset (kind 5): the recovery key takes the account back from every device at once, for a lost or
 * stolen device. It adds the device doing the reset, removes every other device, and moves the account
 * to a new identity key and the next history-key generation (the previous one sealed to it). Signed by the
 * recovery signing key, the new identity key and the new device only: no device signature is needed, so
 * no device can block it, and every device's identity key stops counting.
 */
export interface ResetPayload extends HistoryMove {
  readonly deviceSigningKey: Uint8Array;
  readonly deviceBoxKey: Uint8Array;
  readonly newIdentityKey: Uint8Array;
}

export function encodeResetPayload(p: ResetPayload): Uint8Array {
  const w = new Writer()
    .fixed(p.deviceSigningKey, PUBLIC_KEY_BYTES)
    .fixed(p.deviceBoxKey, PUBLIC_KEY_BYTES)
    .fixed(p.newIdentityKey, PUBLIC_KEY_BYTES);
  return writeHistoryMove(w, p);
}

export function decodeResetPayload(bytes: Uint8Array): ResetPayload {
  const r = new Reader(bytes, "reset payload");
  const p: ResetPayload = {
    deviceSigningKey: r.fixed(PUBLIC_KEY_BYTES, "deviceSigningKey"),
    deviceBoxKey: r.fixed(PUBLIC_KEY_BYTES, "deviceBoxKey"),
    newIdentityKey: r.fixed(PUBLIC_KEY_BYTES, "newIdentityKey"),
    ...readHistoryMove(r),
  };
  r.end();
  return p;
}
