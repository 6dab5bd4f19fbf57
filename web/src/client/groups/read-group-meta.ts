import { decodeBundle, decodeSealedGroupMeta, fromBase64url, openGroupMeta } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { epochFor } from "../conversations/epochs.js";
import { ClientError } from "../errors.js";
import { getGroup, updateGroup } from "../store/db.js";
import type { ConversationRow } from "../store/rows.js";
import { isNewer, withName } from "./group-meta.js";
import { memberDeviceKeys } from "./membership.js";
import { assertActiveNow } from "../identity/logs.js";

/**
 * Reading the group name the server lists (the write side is group-meta.ts). Apart from it because it
 * needs the epoch keys (conversations/epochs.ts), which in turn reseal the name at each new epoch.
 */

/** Opens a sealed name the server listed and keeps it if it is newer than the one stored. */
export async function readGroupMeta(ctx: ClientContext, conv: ConversationRow, sealedB64: string): Promise<void> {
  const bytes = fromBase64url(sealedB64);
  const header = decodeSealedGroupMeta(bytes);
  const g = await getGroup(ctx.db, conv.id);
  if (!g || !isNewer(g, header.epoch, header.createdAt)) return;
  const epoch = await epochFor(ctx, conv, header.epoch);
  if (typeof epoch === "string") return;
  // Only a member of that epoch holds its key legitimately; the signature says which one wrote it.
  if (!decodeBundle(epoch.bundle).heads.some((h) => h.accountId === header.author.accountId)) throw new ClientError("not_member", "the group name was sealed by someone outside that epoch");
  // A name newer than the one held is news: its author device must be active now, not only at the head
  // it cites (a revoked device still holds the keys of the epochs it was in).
  await assertActiveNow(ctx, header.author.accountId, header.author.deviceId, "the group name");
  const meta = await openGroupMeta(ctx.env, bytes, { conversationId: conv.id, epoch: epoch.epoch, keyId: epoch.keyId, ck: epoch.ck, deviceKeyAt: memberDeviceKeys(ctx) });
  await updateGroup(ctx.db, conv.id, (now) => {
    const fresh = now ?? g;
    return isNewer(fresh, header.epoch, header.createdAt) ? withName(fresh, meta.name, header.author.accountId, header.epoch, header.createdAt) : undefined;
  });
}
