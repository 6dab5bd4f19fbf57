/** This browser's own account and device, which every recovery setting needs (restore needs neither). */
import type { ClientContext } from "../context.js";
import { getAccount, getDevice } from "../store/db.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";
import { RecoveryError } from "./recovery-error.js";

export async function requireSelf(ctx: ClientContext): Promise<{ account: AccountRow; device: DeviceRow }> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new RecoveryError("no_recovery", "this device has no account");
  return { account, device };
}
