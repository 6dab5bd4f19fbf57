import type { AccountId } from "../../protocol/ids.js";
import type { Stores } from "../storage/stores.js";

/** An attachment not attached to a message within this long of its creation is deleted (issue 18). */
export const UNATTACHED_LIFETIME_MS = 24 * 60 * 60 * 1000;

/**
 * Deletes up to `limit` attachments that were never attached to a message and are past their lifetime,
 * only `accountId`'s when given: the row is tombstoned first (so no message can attach it any more),
 * then the R2 multipart upload is aborted or the object deleted, then the tombstone goes (nobody else
 * ever learnt the id). Returns how many were deleted.
 */
export async function sweepUnattached(stores: Stores, now: number, limit: number, accountId?: AccountId): Promise<number> {
  const expired = await stores.attachments.unattachedBefore(now - UNATTACHED_LIFETIME_MS, limit, accountId);
  let swept = 0;
  for (const a of expired) {
    if (!(await stores.attachments.expire(a.id, now))) continue;
    if (a.uploadId !== null) await stores.blobs.abortUpload(a.id, a.uploadId);
    else await stores.blobs.delete(a.id);
    await stores.attachments.remove(a.id);
    swept++;
  }
  return swept;
}
