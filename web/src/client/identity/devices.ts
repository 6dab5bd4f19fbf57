import { fromBase64url, toBase64url, type DeviceId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice } from "../store/db.js";
import { defaultDeviceName, distinctDeviceName, openDeviceName, sealDeviceName } from "./device-names.js";
import type { AccountRow } from "../store/rows.js";
import { ClientError } from "../errors.js";
import { assertCurrentSecrets } from "./account-secrets.js";
import { stateOf } from "./logs.js";

/** One device of this account as Settings shows it. */
export interface DeviceView {
  readonly deviceId: DeviceId;
  /** The name its owner gave it (sealed under the history key), or undefined when none opens. */
  readonly name: string | undefined;
  readonly addedAt: number;
  readonly lastSeenAt: number | null;
  readonly revokedAt: number | null;
  readonly addedAtSeq: number;
  readonly current: boolean;
}

/**
 * Names this device `name` (sealed under the current history key). A default name (`isDefault`) that
 * another device of the account already has gets a number ("Chrome on Linux 2"); a name the person typed
 * is kept as typed. Never rejects: a device without a name is shown as unnamed.
 */
export async function nameThisDevice(ctx: ClientContext, account: AccountRow, deviceId: DeviceId, name: string, isDefault: boolean): Promise<string> {
  try {
    let chosen = name;
    if (isDefault) {
      const others = (await ctx.linkApi.devices()).devices.filter((d) => d.deviceId !== deviceId && d.sealedName !== null);
      const taken = await Promise.all(others.map((d) => openDeviceName(ctx.env, account, d.deviceId, fromBase64url(d.sealedName as string))));
      chosen = distinctDeviceName(name, taken.filter((t): t is string => t !== undefined));
    }
    await ctx.linkApi.setDeviceName(deviceId, await sealDeviceName(ctx.env, account, deviceId, chosen));
    return chosen;
  } catch (e) {
    console.warn("could not store this device's name:", e);
    return name;
  }
}

/** The account's devices from GET /api/devices, with their names opened; active ones first. */
export async function listDevices(ctx: ClientContext): Promise<DeviceView[]> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  const res = await ctx.linkApi.devices();
  const out: DeviceView[] = [];
  // A device that never named itself (the first one, made at sign-up) gets its default name now.
  const self = res.devices.find((d) => d.deviceId === device.deviceId);
  const selfName = self && self.sealedName === null ? await nameThisDevice(ctx, account, device.deviceId, defaultDeviceName(), true) : undefined;
  for (const d of res.devices) {
    out.push({
      deviceId: d.deviceId,
      name: d.deviceId === device.deviceId && selfName !== undefined ? selfName : d.sealedName ? await openDeviceName(ctx.env, account, d.deviceId, fromBase64url(d.sealedName)) : undefined,
      addedAt: d.createdAt,
      lastSeenAt: d.lastSeenAt,
      revokedAt: d.revokedAt,
      addedAtSeq: d.addedAtSeq,
      current: d.deviceId === device.deviceId,
    });
  }
  return out.sort((a, b) => Number(a.revokedAt !== null) - Number(b.revokedAt !== null) || a.addedAtSeq - b.addedAtSeq);
}

/** Longest device name, in characters (sealDeviceName keeps at most this many). */
export const MAX_DEVICE_NAME = 64;

/**
 * Renames one of the account's active devices: the name is sealed under the current history key, so
 * only the account's devices can read it. Needs the current keys (a name sealed under an old history
 * generation would be unreadable to devices that only hold the new one).
 */
export async function renameDevice(ctx: ClientContext, deviceId: DeviceId, name: string): Promise<void> {
  const trimmed = name.trim().replace(/\s+/g, " ");
  if (!trimmed) throw new ClientError("invalid_device_name", "a device name cannot be empty");
  if ([...trimmed].length > MAX_DEVICE_NAME) throw new ClientError("invalid_device_name", `a device name is at most ${MAX_DEVICE_NAME} characters`);
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  const state = await stateOf(ctx, account.accountId);
  assertCurrentSecrets(account, state);
  if (!state.devices.some((d) => d.deviceId === deviceId)) throw new ClientError("unknown_device", "that device is not active on this account");
  await ctx.linkApi.setDeviceName(deviceId, await sealDeviceName(ctx.env, account, deviceId, trimmed));
}
