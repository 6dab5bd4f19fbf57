import type { ConversationId } from "../../protocol/ids.js";

/** The newest sealed meta of each group (migration 0006). */

/**
 * Stores `meta` unless the stored one is of a later epoch (one of the same epoch is replaced: a rename).
 * One conditional upsert, so two racing renames cannot move the group back to an older epoch. Returns
 * whether it stored.
 */
export async function putGroupMeta(db: D1Database, m: { id: ConversationId; epoch: number; meta: Uint8Array; now: number }): Promise<boolean> {
  const r = await db
    .prepare(
      `INSERT INTO group_meta (conversation_id, epoch, meta, updated_at) VALUES (?1, ?2, ?3, ?4)
       ON CONFLICT (conversation_id) DO UPDATE SET epoch = excluded.epoch, meta = excluded.meta, updated_at = excluded.updated_at
       WHERE excluded.epoch >= group_meta.epoch`,
    )
    .bind(m.id, m.epoch, m.meta, m.now)
    .run();
  return r.meta.changes === 1;
}
