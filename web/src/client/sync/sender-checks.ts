import { decodeBundle, type AccountId, type AccountState, type DeviceId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { stateAt, stateOf } from "../identity/logs.js";
import type { EpochRow } from "../store/rows.js";

/**
 * Who may have sent something under an epoch, shared by the two things that arrive signed by a member
 * device: envelopes (receive.ts) and typing frames (typing.ts).
 */

/** Only a member of the epoch holds its key legitimately: the sender must be one of its recipients. */
export function isEpochMember(epoch: EpochRow, accountId: AccountId): boolean {
  return decodeBundle(epoch.bundle).heads.some((h) => h.accountId === accountId);
}

/** The sender fields of a signed header: who, from which device, citing which position of its log. */
export interface SenderRef {
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  readonly senderLogSeq: number;
}

/**
 * The sender's log as the envelope must be judged: the current one, or, for a device removed since (a
 * revoked or reset laptop), the log cut at the head the envelope cites, where that device was active.
 * Its messages from before the removal stay readable; it cannot read or join epochs made after it.
 */
export async function senderState(ctx: ClientContext, h: SenderRef): Promise<{ state: AccountState; removed: boolean }> {
  const current = await stateOf(ctx, h.senderAccountId);
  if (current.devices.some((d) => d.deviceId === h.senderDeviceId) || h.senderLogSeq > current.head.seq) return { state: current, removed: false };
  return { state: (await stateAt(ctx, h.senderAccountId, h.senderLogSeq)) ?? current, removed: true };
}

/**
 * The signing key of `deviceId` if it is active on the account's current verified log (as stored: a
 * device linked a moment ago counts once the log push that announces it is applied). For what cites no
 * log position, such as a typing frame: judged against the log as it stands, so a removed device is out.
 */
export async function activeDeviceKey(ctx: ClientContext, accountId: AccountId, deviceId: DeviceId): Promise<Uint8Array | undefined> {
  return (await stateOf(ctx, accountId)).devices.find((d) => d.deviceId === deviceId)?.signingKey;
}
