import type { RealtimeServerFrame } from "../../protocol/api.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import type { Bindings } from "../env.js";
import type { AccountHub } from "./account-hub.js";

/** The hub of one account: idFromName makes the same account always reach the same object. */
export function accountHub(env: Bindings, accountId: AccountId): DurableObjectStub<AccountHub> {
  return env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId));
}

/**
 * Pushes a frame to every connected device of each account. Never rejects: a push is a hint (the data
 * is already stored and clients sync by cursor), so a failing hub is logged and must not fail the
 * request that stored it. Run it under waitUntil so the response does not wait for it.
 */
export async function notifyAccounts(env: Bindings, accountIds: readonly AccountId[], frame: RealtimeServerFrame): Promise<void> {
  const results = await Promise.allSettled(accountIds.map((id) => accountHub(env, id).broadcast(frame)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error(`realtime push of ${frame.type} to account ${accountIds[i]} failed`, r.reason);
  });
}

/** Pushes a frame to every connected device of an account but `except` (the writer). Never rejects, like notifyAccounts. */
export async function notifyOtherDevices(env: Bindings, accountId: AccountId, except: DeviceId, frame: RealtimeServerFrame): Promise<void> {
  try {
    await accountHub(env, accountId).broadcastExcept(except, frame);
  } catch (e) {
    console.error(`realtime push of ${frame.type} to the other devices of ${accountId} failed`, e);
  }
}

/** Pushes a frame to the sockets of one device of an account. Never rejects, like notifyAccounts. */
export async function notifyDevice(env: Bindings, accountId: AccountId, deviceId: DeviceId, frame: RealtimeServerFrame): Promise<void> {
  try {
    await accountHub(env, accountId).sendToDevice(deviceId, frame);
  } catch (e) {
    console.error(`realtime push of ${frame.type} to device ${deviceId} failed`, e);
  }
}

/**
 * Closes the sockets of a revoked device. Never rejects: the revoke is already stored and the device's
 * sessions deleted, so it cannot reconnect. A socket a failing hub leaves open would still get pushes
 * (ciphertext under epochs that new epochs leave behind), hence the error log.
 */
export async function closeDeviceSockets(env: Bindings, accountId: AccountId, deviceId: DeviceId): Promise<void> {
  try {
    await accountHub(env, accountId).closeDevice(deviceId);
  } catch (e) {
    console.error(`closing the sockets of revoked device ${deviceId} failed`, e);
  }
}
