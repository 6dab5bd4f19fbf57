import { z } from "zod";
import { accountIdSchema, attachmentIdSchema, conversationIdSchema, type AttachmentId } from "../../protocol/api.js";
import type { AccountId } from "../../protocol/ids.js";
import type { AttachmentRecord, NewAttachment, StoredPart } from "../storage/attachment-store.js";
import { int, parseRow, parseRows } from "./rows.js";

const attachmentRow = z.object({
  id: attachmentIdSchema,
  conversation_id: conversationIdSchema,
  uploader_account_id: accountIdSchema,
  size: int.positive(),
  part_size: int.positive(),
  upload_id: z.string().nullable(),
  created_at: int,
  completed_at: int.nullable(),
  message_seq: int.positive().nullable(),
  deleted_at: int.nullable(),
});

const COLUMNS = "id, conversation_id, uploader_account_id, size, part_size, upload_id, created_at, completed_at, message_seq, deleted_at";

function toRecord(r: z.output<typeof attachmentRow>): AttachmentRecord {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    uploaderAccountId: r.uploader_account_id,
    size: r.size,
    partSize: r.part_size,
    uploadId: r.upload_id,
    createdAt: r.created_at,
    completedAt: r.completed_at,
    messageSeq: r.message_seq,
    deletedAt: r.deleted_at,
  };
}

/** Inserts the attachment only if the uploader's live total stays within the quota: one statement, so two racing creations see each other. */
export async function insertAttachment(db: D1Database, a: NewAttachment): Promise<"created" | "over_quota"> {
  const res = await db
    .prepare(
      `INSERT INTO attachments (id, conversation_id, uploader_account_id, size, part_size, upload_id, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7
        WHERE (SELECT COALESCE(SUM(size), 0) FROM attachments WHERE uploader_account_id = ?3 AND deleted_at IS NULL) + ?4 <= ?8`,
    )
    .bind(a.id, a.conversationId, a.uploaderAccountId, a.size, a.partSize, a.uploadId, a.now, a.quota)
    .run();
  return res.meta.changes === 1 ? "created" : "over_quota";
}

export async function findAttachment(db: D1Database, id: AttachmentId): Promise<AttachmentRecord | undefined> {
  const row = await db.prepare(`SELECT ${COLUMNS} FROM attachments WHERE id = ?1`).bind(id).first();
  return row ? toRecord(parseRow(attachmentRow, "attachments", row)) : undefined;
}

const partRow = z.object({ part: int.positive(), etag: z.string().min(1) });

export async function listParts(db: D1Database, id: AttachmentId): Promise<StoredPart[]> {
  const { results } = await db.prepare("SELECT part, etag FROM attachment_parts WHERE attachment_id = ?1 ORDER BY part").bind(id).all();
  return parseRows(partRow, "attachment_parts", results);
}

/** The part row is written only while the upload is open, so a part racing the completion or a delete leaves nothing behind. */
export async function putPart(db: D1Database, id: AttachmentId, part: number, etag: string): Promise<boolean> {
  const res = await db
    .prepare(
      `INSERT INTO attachment_parts (attachment_id, part, etag)
       SELECT ?1, ?2, ?3 WHERE EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND upload_id IS NOT NULL AND deleted_at IS NULL)
       ON CONFLICT (attachment_id, part) DO UPDATE SET etag = excluded.etag`,
    )
    .bind(id, part, etag)
    .run();
  return res.meta.changes === 1;
}

export async function completeAttachment(db: D1Database, id: AttachmentId, now: number): Promise<boolean> {
  const [done] = await db.batch([
    db.prepare("UPDATE attachments SET upload_id = NULL, completed_at = ?2 WHERE id = ?1 AND upload_id IS NOT NULL AND deleted_at IS NULL").bind(id, now),
    db.prepare("DELETE FROM attachment_parts WHERE attachment_id = ?1").bind(id),
  ]);
  return done?.meta.changes === 1;
}

export async function forgetParts(db: D1Database, id: AttachmentId): Promise<void> {
  await db.prepare("DELETE FROM attachment_parts WHERE attachment_id = ?1").bind(id).run();
}

/** Tombstones a live attachment; false when it already was one. */
export async function markAttachmentDeleted(db: D1Database, id: AttachmentId, now: number): Promise<boolean> {
  const [done] = await db.batch([
    db.prepare("UPDATE attachments SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL").bind(id, now),
    db.prepare("DELETE FROM attachment_parts WHERE attachment_id = ?1").bind(id),
  ]);
  return done?.meta.changes === 1;
}

/**
 * Tombstones an attachment only while it is still live and unattached (and not being attached): after
 * this no message can attach it, so its bytes can go. False when it got attached or deleted meanwhile.
 */
export async function expireAttachment(db: D1Database, id: AttachmentId, now: number): Promise<boolean> {
  const [done] = await db.batch([
    db.prepare("UPDATE attachments SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL AND message_seq IS NULL AND claim IS NULL").bind(id, now),
    db.prepare("DELETE FROM attachment_parts WHERE attachment_id = ?1 AND EXISTS (SELECT 1 FROM attachments WHERE id = ?1 AND deleted_at IS NOT NULL)").bind(id),
  ]);
  return done?.meta.changes === 1;
}

export async function unattachedBefore(db: D1Database, before: number, limit: number, accountId?: AccountId): Promise<AttachmentRecord[]> {
  const byAccount = accountId === undefined ? "" : "AND uploader_account_id = ?3";
  const stmt = db.prepare(`SELECT ${COLUMNS} FROM attachments WHERE message_seq IS NULL AND deleted_at IS NULL AND created_at < ?1 ${byAccount} ORDER BY created_at LIMIT ?2`);
  const { results } = await (accountId === undefined ? stmt.bind(before, limit) : stmt.bind(before, limit, accountId)).all();
  return parseRows(attachmentRow, "attachments", results).map(toRecord);
}

/** Deletes an expired attachment's tombstone for good (never attached, so nobody will ask for it). */
export async function removeAttachment(db: D1Database, id: AttachmentId): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM attachment_parts WHERE attachment_id = ?1").bind(id),
    db.prepare("DELETE FROM attachments WHERE id = ?1 AND deleted_at IS NOT NULL AND message_seq IS NULL").bind(id),
  ]);
}
