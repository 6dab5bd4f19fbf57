import type { AttachmentId } from "../../protocol/api.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";

/**
 * Claims, for one message being appended by a ConversationLog object, the attachments it carries: all of
 * them or none, and only those that are live, complete, unattached, unclaimed and uploaded by `accountId`
 * to `conversationId`. One statement, so two messages racing for one blob cannot both claim it, and a
 * claimed blob is not expired meanwhile (expireAttachment skips claimed ones). The object attaches them to
 * the new seq (conversation-log/outbox.ts), or the caller releases them when nothing was stored.
 */
export async function claimAttachments(db: D1Database, c: { ids: readonly AttachmentId[]; conversationId: ConversationId; accountId: AccountId; claim: string }): Promise<boolean> {
  const eligible = `id IN (SELECT value FROM json_each(?1)) AND conversation_id = ?2 AND uploader_account_id = ?3
                    AND completed_at IS NOT NULL AND deleted_at IS NULL AND message_seq IS NULL AND claim IS NULL`;
  const r = await db
    .prepare(`UPDATE attachments SET claim = ?4 WHERE ${eligible} AND (SELECT COUNT(*) FROM attachments WHERE ${eligible}) = json_array_length(?1)`)
    .bind(JSON.stringify(c.ids), c.conversationId, c.accountId, c.claim)
    .run();
  return r.meta.changes === c.ids.length;
}

/** Gives claimed attachments back (their message was not stored). */
export async function releaseAttachments(db: D1Database, claim: string): Promise<void> {
  await db.prepare("UPDATE attachments SET claim = NULL WHERE claim = ?1").bind(claim).run();
}

/** A token marking the attachments one append claims, unique per call (16 random bytes, hex). */
export function claimToken(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}
