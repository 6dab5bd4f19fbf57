import { z } from "zod";
import { conversationIdSchema } from "../../protocol/api.js";
import { bytesEqual } from "../../protocol/bytes.js";
import type { ConversationId } from "../../protocol/ids.js";
import { MESSAGE_PAGE_BYTES, type AppendResult, type MessagePage, type NewMessage } from "../storage/message-log.js";
import { claimToken } from "./attachment-claims.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

const seqRow = z.object({ seq: int.positive() });
const existingRow = z.object({ seq: int.positive(), envelope: blob });

/**
 * Appends a message with the next seq of its conversation. One statement computes the seq and inserts,
 * so two concurrent sends can never get the same seq or leave a gap (D1 runs statements one at a time);
 * the UNIQUE (conversation, device, client message id) turns a retried send into a no-op that reports
 * the seq stored the first time.
 *
 * With attachments, three statements run as one D1 batch (a transaction): the first claims every
 * attachment with a token of this call, only if all of them are eligible and the message is new and not
 * stale; the insert runs only if every one was claimed; the last attaches the claimed ones to the new seq.
 * So a message is stored with all its attachments or not at all, and two messages racing for one blob
 * cannot both get it.
 */
export async function appendMessage(db: D1Database, m: NewMessage): Promise<AppendResult> {
  const ids = JSON.stringify(m.attachments);
  const claim = m.attachments.length === 0 ? null : claimToken();
  // The SELECT carries a WHERE clause, which SQLite requires to tell an upsert's ON from a join's ON.
  const allClaimed = claim === null ? "" : "AND (SELECT COUNT(*) FROM attachments WHERE claim = ?8) = ?9";
  const insert = db
    .prepare(
      `INSERT INTO messages (conversation_id, seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at)
       SELECT ?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?1), ?2, ?3, ?4, ?5, ?6
        WHERE NOT EXISTS (SELECT 1 FROM epochs WHERE conversation_id = ?1 AND epoch > ?7)
          ${allClaimed}
       ON CONFLICT (conversation_id, sender_device_id, client_message_id) DO NOTHING
       RETURNING seq`,
    )
    .bind(...[m.conversationId, m.senderAccountId, m.senderDeviceId, m.clientMessageId, m.envelope, m.receivedAt, m.epoch], ...(claim === null ? [] : [claim, m.attachments.length]));
  let inserted: unknown;
  if (claim === null) {
    inserted = await insert.first();
  } else {
    const eligible = `id IN (SELECT value FROM json_each(?1)) AND conversation_id = ?2 AND uploader_account_id = ?3
                      AND completed_at IS NOT NULL AND deleted_at IS NULL AND message_seq IS NULL AND claim IS NULL`;
    const [, stored] = await db.batch([
      db
        .prepare(
          `UPDATE attachments SET claim = ?7 WHERE ${eligible}
             AND (SELECT COUNT(*) FROM attachments WHERE ${eligible}) = json_array_length(?1)
             AND NOT EXISTS (SELECT 1 FROM messages WHERE conversation_id = ?2 AND sender_device_id = ?4 AND client_message_id = ?5)
             AND NOT EXISTS (SELECT 1 FROM epochs WHERE conversation_id = ?2 AND epoch > ?6)`,
        )
        .bind(ids, m.conversationId, m.senderAccountId, m.senderDeviceId, m.clientMessageId, m.epoch, claim),
      insert,
      db
        .prepare(
          `UPDATE attachments SET claim = NULL,
                  message_seq = (SELECT seq FROM messages WHERE conversation_id = ?2 AND sender_device_id = ?3 AND client_message_id = ?4)
            WHERE claim = ?1`,
        )
        .bind(claim, m.conversationId, m.senderDeviceId, m.clientMessageId),
    ]);
    inserted = stored?.results[0] ?? null;
  }
  if (inserted) return { kind: "stored", seq: parseRow(seqRow, "messages", inserted).seq };
  const row = await db
    .prepare("SELECT seq, envelope FROM messages WHERE conversation_id = ?1 AND sender_device_id = ?2 AND client_message_id = ?3")
    .bind(m.conversationId, m.senderDeviceId, m.clientMessageId)
    .first();
  if (row) {
    const existing = parseRow(existingRow, "messages", row);
    return { kind: bytesEqual(existing.envelope, m.envelope) ? "duplicate" : "id_reused", seq: existing.seq };
  }
  // Not inserted and not stored before: the WHERE refused it, for a newer epoch or for an attachment.
  if (claim === null) return { kind: "stale_epoch" };
  const newer = await db.prepare("SELECT 1 AS one FROM epochs WHERE conversation_id = ?1 AND epoch > ?2 LIMIT 1").bind(m.conversationId, m.epoch).first();
  return newer ? { kind: "stale_epoch" } : { kind: "attachments_refused" };
}


const messageRow = z.object({ seq: int.positive(), envelope: blob, received_at: int });

/** Up to `limit` messages after `after`, in seq order, within MESSAGE_PAGE_BYTES; `more` says whether any follow. */
export async function listMessages(
  db: D1Database,
  conversationId: ConversationId,
  after: number,
  limit: number,
): Promise<MessagePage> {
  // The running total of envelope sizes is computed inside SQLite, so envelopes past the budget never
  // reach JS. The inner LIMIT bounds how many rows SQLite looks at.
  const { results } = await db
    .prepare(
      `SELECT seq, envelope, received_at FROM (
         SELECT seq, envelope, received_at, SUM(length(envelope)) OVER (ORDER BY seq ROWS UNBOUNDED PRECEDING) - length(envelope) AS before
           FROM (SELECT seq, envelope, received_at FROM messages WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3))
        WHERE before < ?4
        ORDER BY seq`,
    )
    .bind(conversationId, after, limit, MESSAGE_PAGE_BYTES)
    .all();
  const rows = parseRows(messageRow, "messages", results);
  const last = rows.at(-1)?.seq ?? after;
  const next = await db.prepare("SELECT 1 AS one FROM messages WHERE conversation_id = ?1 AND seq > ?2 LIMIT 1").bind(conversationId, last).first();
  return { messages: rows.map((r) => ({ seq: r.seq, envelope: r.envelope, receivedAt: r.received_at })), more: next !== null };
}

const latestRow = z.object({ conversation_id: conversationIdSchema, last_seq: int.positive().nullable() });

/**
 * The newest seq of each conversation, 0 for one without messages. The ids travel as one JSON array
 * parameter (D1 binds at most 100), and each MAX reads the (conversation_id, seq) primary key backwards:
 * one index probe per conversation.
 */
export async function latestSeqs(db: D1Database, conversationIds: readonly ConversationId[]): Promise<Map<ConversationId, number>> {
  const out = new Map<ConversationId, number>(conversationIds.map((id) => [id, 0]));
  if (conversationIds.length === 0) return out;
  const { results } = await db
    .prepare(
      `SELECT c.value AS conversation_id, (SELECT MAX(m.seq) FROM messages m WHERE m.conversation_id = c.value) AS last_seq
         FROM json_each(?1) c`,
    )
    .bind(JSON.stringify(conversationIds))
    .all();
  for (const r of parseRows(latestRow, "messages", results)) if (r.last_seq !== null) out.set(r.conversation_id, r.last_seq);
  return out;
}
