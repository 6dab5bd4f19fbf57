import { assertDeviceSecretsMatchLog, bytesEqual, fromBase64url, isProtocolError, openDeviceSecrets, sealDeviceSecrets } from "../../../../protocol/index.js";
import { exportAccountSecrets, holdsCurrentSecrets, keepReceivedSecrets, zeroSecrets } from "./account-secrets.js";
import { isApiError } from "../transport/api.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice, putAccount } from "../store/db.js";
import { ClientError } from "../errors.js";
import { withLock } from "../store/lock.js";
import { refreshLog, stateAt, stateOf } from "./logs.js";

/**
 * Keeping every device of the account on the current account keys (docs/PROTOCOL.md "Device-secrets
 * package"). A revoke rotates the identity key and moves the history key on; a recovery-key rotation moves
 * the history key on. The device that made the change seals the new secrets to each other active device;
 * each of those adopts them once they match its own verified log. The server can delay a package, never
 * forge one.
 */

/** Seals this device's current secrets to every other active device of the account and uploads them. */
export async function shareRotatedSecrets(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  const state = await stateOf(ctx, account.accountId);
  if (!holdsCurrentSecrets(account, state)) throw new ClientError("keys_pending", "this device does not hold the account's current keys");
  const others = state.devices.filter((d) => d.deviceId !== device.deviceId);
  if (!others.length) return;
  const secrets = await exportAccountSecrets(ctx.env, device, account);
  try {
    for (const d of others) {
      const sealed = await sealDeviceSecrets(ctx.env, { accountId: account.accountId, headSeq: state.head.seq, headHash: state.head.hash, senderDeviceId: device.deviceId, recipientDeviceId: d.deviceId, recipientBoxKey: d.boxKey, secrets });
      try {
        await ctx.linkApi.putDeviceSecrets(d.deviceId, sealed);
      } catch (e) {
        // A later rotation already reached that device: nothing to add.
        if (!isApiError(e, "stale_package")) throw e;
      }
    }
  } finally {
    zeroSecrets(secrets);
  }
}

export type KeyUpdate = "current" | "adopted" | "waiting";

/**
 * Adopts the secrets another device sealed to this one, if this device's keys are behind its log.
 * "waiting" when no package (or only one for an older rotation) is there yet. A package that does not
 * open or does not match the log is refused with `bad_secrets`, and nothing is stored.
 */
export function adoptRotatedSecrets(ctx: ClientContext): Promise<KeyUpdate> {
  return withLock("account-secrets", async () => {
    let account = await getAccount(ctx.db);
    const device = await getDevice(ctx.db);
    if (!account || !device) return "current";
    if (holdsCurrentSecrets(account, await stateOf(ctx, account.accountId))) return "current";
    let res;
    try {
      res = await ctx.linkApi.deviceSecrets();
    } catch (e) {
      if (isApiError(e, "not_found")) return "waiting";
      throw e;
    }
    try {
      const opened = await openDeviceSecrets(ctx.env, fromBase64url(res.package), { deviceId: device.deviceId, boxKey: device.boxKey, boxPublic: device.boxPublic });
      if (opened.headSeq > account.head.seq) {
        await refreshLog(ctx, account.accountId);
        account = (await getAccount(ctx.db))!;
      }
      const at = await stateAt(ctx, account.accountId, opened.headSeq);
      if (!at) throw new ClientError("bad_secrets", "the secrets cite a log position this device cannot verify");
      await assertDeviceSecretsMatchLog(ctx.env, opened, at);
      const now = await stateOf(ctx, account.accountId);
      // A package from before a later rotation opens fine but is no longer current: wait for the newer one.
      if (at.history.generation !== now.history.generation || !bytesEqual(at.identityKey, now.identityKey)) return "waiting";
      const kept = await keepReceivedSecrets(ctx.env, device, account.accountId, opened.secrets);
      const fresh = (await getAccount(ctx.db))!;
      await putAccount(ctx.db, { ...fresh, ...kept });
      return "adopted";
    } catch (e) {
      if (isProtocolError(e)) throw new ClientError("bad_secrets", `the account keys another device sent could not be accepted (${e.code}): ${e.message}`, { cause: e });
      throw e;
    }
  });
}
