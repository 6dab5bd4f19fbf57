import { sealGroupMeta, type AccountId, type ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice, getGroup, updateGroup } from "../store/db.js";
import { ClientError } from "../errors.js";
import { stateOf } from "../identity/logs.js";
import type { EpochRow, GroupRow } from "../store/rows.js";

/**
 * The group's name (DESIGN "Messages": group names are encrypted under the group key). It is sealed
 * under an epoch's CK and signed by the member device that set it; the server keeps the newest and lists
 * it with the conversation. Each new epoch reseals the current name, so members who can read only from
 * that epoch on see it too. An older sealed name (by epoch, then by time within one epoch) never
 * replaces a newer one.
 */

/**
 * The row with a newer name. `namedBy`/`namedAt` record a rename: the name changed from one this device
 * had already read (not the first name it sees, and not a reseal of the same name under a new epoch).
 */
export function withName(g: GroupRow, name: string, by: AccountId, epoch: number, at: number): GroupRow {
  const changed = g.name !== undefined && g.name !== name ? { namedBy: by, namedAt: at } : {};
  return { ...g, name, metaEpoch: epoch, metaAt: at, ...changed };
}

/** True when a meta sealed at (epoch, at) is newer than the one the group row holds. */
export function isNewer(g: GroupRow, epoch: number, at: number): boolean {
  if (g.metaEpoch === undefined) return true;
  return epoch > g.metaEpoch || (epoch === g.metaEpoch && at > (g.metaAt ?? -1));
}

/** Seals `name` (or the stored one) under the epoch and posts it as the group's newest meta. */
export async function publishGroupMeta(ctx: ClientContext, id: ConversationId, epoch: EpochRow, name?: string): Promise<void> {
  const g = await getGroup(ctx.db, id);
  const value = name ?? g?.name;
  if (!g || value === undefined) return;
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  const own = await stateOf(ctx, account.accountId);
  const createdAt = ctx.now();
  const sealed = await sealGroupMeta(ctx.env, {
    conversationId: id,
    epoch: epoch.epoch,
    keyId: epoch.keyId,
    author: { accountId: account.accountId, deviceId: device.deviceId, logSeq: own.head.seq, logHead: own.head.hash },
    createdAt,
    ck: epoch.ck,
    signingKey: device.signingKey,
    meta: { name: value },
  });
  await ctx.api.putGroupMeta(id, sealed);
  await updateGroup(ctx.db, id, (now) => {
    const fresh = now ?? g;
    return isNewer(fresh, epoch.epoch, createdAt) ? withName(fresh, value, account.accountId, epoch.epoch, createdAt) : undefined;
  });
}
