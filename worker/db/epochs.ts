import { z } from "zod";
import type { ConversationId } from "../../protocol/ids.js";
import type { NewEpoch } from "../storage/conversation-store.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

/**
 * Stores a bundle only if its epoch is the conversation's next one (0 first, then the newest plus one), so
 * epochs advance by exactly one: nobody can jump to 2^32-1 and leave no number for the next epoch, and the
 * first writer of a number wins. With `membershipSeq` (a group), only while the group's last membership
 * entry is still at that position, in the same statement, so a change landing after the route compared
 * heads cannot slip an epoch for the old member set in. Returns whether it stored.
 */
export async function insertEpoch(db: D1Database, e: NewEpoch): Promise<boolean> {
  const r = await db
    .prepare(
      `INSERT INTO epochs (conversation_id, epoch, key_id, bundle, creator_device_id, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6
        WHERE ?2 = (SELECT COALESCE(MAX(epoch), -1) + 1 FROM epochs WHERE conversation_id = ?1)
          AND (?7 IS NULL OR (SELECT MAX(seq) FROM membership_entries WHERE conversation_id = ?1) = ?7)
       ON CONFLICT (conversation_id, epoch) DO NOTHING`,
    )
    .bind(e.conversationId, e.epoch, e.keyId, e.bundle, e.creatorDeviceId, e.createdAt, e.membershipSeq ?? null)
    .run();
  return r.meta.changes === 1;
}

const latestRow = z.object({ epoch: int.nonnegative().nullable() });

/** The newest stored epoch of a conversation, or undefined when it has none yet. */
export async function latestEpoch(db: D1Database, conversationId: ConversationId): Promise<number | undefined> {
  const row = await db.prepare("SELECT MAX(epoch) AS epoch FROM epochs WHERE conversation_id = ?1").bind(conversationId).first();
  return parseRow(latestRow, "epochs", row).epoch ?? undefined;
}

const keyRow = z.object({ key_id: blob });

export async function findEpochKeyId(db: D1Database, conversationId: ConversationId, epoch: number): Promise<Uint8Array | undefined> {
  const row = await db.prepare("SELECT key_id FROM epochs WHERE conversation_id = ?1 AND epoch = ?2").bind(conversationId, epoch).first();
  return row ? parseRow(keyRow, "epochs", row).key_id : undefined;
}

const keyIdRow = z.object({ epoch: int.nonnegative(), key_id: blob });

/** Every stored epoch of a conversation with its key id. */
export async function listEpochKeyIds(db: D1Database, conversationId: ConversationId): Promise<Map<number, Uint8Array>> {
  const { results } = await db.prepare("SELECT epoch, key_id FROM epochs WHERE conversation_id = ?1").bind(conversationId).all();
  return new Map(parseRows(keyIdRow, "epochs", results).map((r) => [r.epoch, r.key_id]));
}

const bundleRow = z.object({ epoch: int.nonnegative(), bundle: blob });

export async function listEpochs(db: D1Database, conversationId: ConversationId): Promise<{ epoch: number; bundle: Uint8Array }[]> {
  const { results } = await db.prepare("SELECT epoch, bundle FROM epochs WHERE conversation_id = ?1 ORDER BY epoch").bind(conversationId).all();
  return parseRows(bundleRow, "epochs", results);
}
