import { assertLogExtends, fromBase64url, verifyLog, type DeviceId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice } from "../store/db.js";
import { clearOwnLogAlarm } from "./own-log.js";
import { clearDrafts } from "../conversations/drafts.js";

/**
 * Issue 15 item 7: the server can refuse a login for any reason, so a refusal alone is never proof that
 * this device was removed. Proof is this device's own device log, fetched without a session (the
 * recovery lookup serves it, docs/API.md "Recovery"), verified against the account id, extending the
 * log this device already verified, and no longer listing this device (a revoke, or a reset that
 * signed out every other device). Only then is wiping the keys and history right.
 */
export async function removalProven(ctx: ClientContext): Promise<boolean> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) return false;
  try {
    const res = await ctx.recoveryApi.lookup(account.username);
    if (res.accountId !== account.accountId) return false;
    const next = await verifyLog(ctx.env, res.log.map(fromBase64url), account.accountId);
    assertLogExtends({ head: account.head }, next);
    return !next.devices.some((d) => d.deviceId === device.deviceId);
  } catch (e) {
    // Unreachable, no recovery data, a forged or shortened log: none of it proves anything.
    console.warn("could not confirm this device's removal from its own log:", e);
    return false;
  }
}

/** Where the removed device's id is kept for the "removed" screen (and the e2e tests that read it). */
export const REMOVED_DEVICE_KEY = "sealed-removed-device";

/**
 * Deletes this device's keys and local history. `removed`: its own log showed it removed, so the id is
 * kept for the notice. The own-log alarm and the unsent drafts belong to this account: a new account here
 * starts clean, and no draft outlives the history it was written in.
 */
export async function wipeDevice(ctx: ClientContext, o: { removed: boolean }): Promise<DeviceId | undefined> {
  const device = await getDevice(ctx.db).catch(() => undefined);
  if (o.removed && device && typeof localStorage !== "undefined") localStorage.setItem(REMOVED_DEVICE_KEY, device.deviceId);
  clearOwnLogAlarm();
  clearDrafts();
  await ctx.db.delete().catch((e: unknown) => console.error("could not delete local data:", e));
  return device?.deviceId;
}
