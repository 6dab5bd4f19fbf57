/**
 * The recovery blob (docs/PROTOCOL.md "Recovery blob"): the account's current identity key and newest
 * history key, sealed to the recovery box key and stored on the server with a counter. Every device
 * re-seals it after sign-up, after every rotation and after a restore; only a device holding the
 * account's current keys may.
 */
import { sealRecoveryBlob, type AccountState } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { exportAccountSecrets, holdsCurrentSecrets, zeroSecrets } from "../identity/account-secrets.js";
import { stateOf } from "../identity/logs.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";
import { isApiError } from "../transport/api.js";
import { RecoveryError } from "./recovery-error.js";
import { requireSelf } from "./self.js";

/** Seals the current AIK and newest AHK to the recovery box key of `state` at `counter`. */
async function sealCurrent(ctx: ClientContext, account: AccountRow, device: DeviceRow, state: AccountState, counter: number): Promise<Uint8Array> {
  if (!holdsCurrentSecrets(account, state)) {
    throw new RecoveryError("stale_device", "this device's account keys are older than the account's log: it must not re-seal recovery");
  }
  const secrets = await exportAccountSecrets(ctx.env, device, account);
  try {
    return await sealRecoveryBlob(ctx.env, { accountId: account.accountId, counter, recoveryBoxKey: state.recoveryBoxKey, secrets });
  } finally {
    zeroSecrets(secrets);
  }
}

/**
 * Re-seals the account's current secrets into a new recovery blob (stored counter + 1) and uploads it.
 * Call after sign-up, after every rotation (revoke, rotate-recovery) and after a restore. Retries once
 * when another device re-sealed meanwhile (409 stale_blob). Returns the counter stored.
 */
export async function resealRecoveryBlob(ctx: ClientContext): Promise<number> {
  const { account, device } = await requireSelf(ctx);
  const state = await stateOf(ctx, account.accountId);
  for (let attempt = 0; ; attempt++) {
    const { counter } = await ctx.recoveryApi.status();
    const blob = await sealCurrent(ctx, account, device, state, counter + 1);
    try {
      await ctx.recoveryApi.putBlob(blob);
      return counter + 1;
    } catch (e) {
      if (attempt === 0 && isApiError(e, "stale_blob")) continue;
      throw e;
    }
  }
}
