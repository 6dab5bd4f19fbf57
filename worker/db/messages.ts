import { z } from "zod";
import { bytesEqual } from "../../protocol/bytes.js";
import type { AccountId, ClientMessageId, ConversationId, DeviceId } from "../../protocol/ids.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

export interface NewMessage {
  readonly conversationId: ConversationId;
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  readonly clientMessageId: ClientMessageId;
  /** The epoch the envelope is sealed under: a newer stored epoch refuses it. */
  readonly epoch: number;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
}

export type AppendResult =
  | { readonly kind: "stored"; readonly seq: number }
  | { readonly kind: "duplicate"; readonly seq: number }
  /** The client message id was already used by this device for different bytes. */
  | { readonly kind: "id_reused"; readonly seq: number }
  /** The conversation has an epoch newer than the envelope's: whoever was left out of it must not read it. */
  | { readonly kind: "stale_epoch" };

const seqRow = z.object({ seq: int.positive() });
const existingRow = z.object({ seq: int.positive(), envelope: blob });

/**
 * Appends a message with the next seq of its conversation. One statement computes the seq and inserts,
 * so two concurrent sends can never get the same seq or leave a gap (D1 runs statements one at a time);
 * the UNIQUE (conversation, device, client message id) turns a retried send into a no-op that reports
 * the seq stored the first time. The same statement refuses an envelope under an epoch older than the
 * conversation's newest, so a new epoch posted meanwhile (a removal, a revoked device) cannot be raced.
 */
export async function appendMessage(db: D1Database, m: NewMessage): Promise<AppendResult> {
  // The SELECT carries a WHERE clause, which SQLite requires to tell an upsert's ON from a join's ON.
  const inserted = await db
    .prepare(
      `INSERT INTO messages (conversation_id, seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at)
       SELECT ?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM messages WHERE conversation_id = ?1), ?2, ?3, ?4, ?5, ?6
        WHERE NOT EXISTS (SELECT 1 FROM epochs WHERE conversation_id = ?1 AND epoch > ?7)
       ON CONFLICT (conversation_id, sender_device_id, client_message_id) DO NOTHING
       RETURNING seq`,
    )
    .bind(m.conversationId, m.senderAccountId, m.senderDeviceId, m.clientMessageId, m.envelope, m.receivedAt, m.epoch)
    .first();
  if (inserted) return { kind: "stored", seq: parseRow(seqRow, inserted, "messages").seq };
  const row = await db
    .prepare("SELECT seq, envelope FROM messages WHERE conversation_id = ?1 AND sender_device_id = ?2 AND client_message_id = ?3")
    .bind(m.conversationId, m.senderDeviceId, m.clientMessageId)
    .first();
  // Not inserted and not stored before: the WHERE refused it for a newer epoch.
  if (!row) return { kind: "stale_epoch" };
  const existing = parseRow(existingRow, row, "messages");
  return { kind: bytesEqual(existing.envelope, m.envelope) ? "duplicate" : "id_reused", seq: existing.seq };
}

const messageRow = z.object({ seq: int.positive(), envelope: blob, received_at: int });

/**
 * Envelope bytes per page. D1 hands BLOBs to JS as arrays of numbers (several bytes of heap per byte),
 * so 500 envelopes of 70 KiB could exceed a Worker's 128 MB; a page stops early instead, and `more`
 * sends the client back for the rest. A page always holds at least one message.
 */
export const MESSAGE_PAGE_BYTES = 2 * 1024 * 1024;

/** Up to `limit` messages after `after`, in seq order, within MESSAGE_PAGE_BYTES; `more` says whether any follow. */
export async function listMessages(
  db: D1Database,
  conversationId: ConversationId,
  after: number,
  limit: number,
): Promise<{ messages: { seq: number; envelope: Uint8Array; receivedAt: number }[]; more: boolean }> {
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
  const rows = parseRows(messageRow, results, "messages");
  const last = rows.at(-1)?.seq ?? after;
  const next = await db.prepare("SELECT 1 AS one FROM messages WHERE conversation_id = ?1 AND seq > ?2 LIMIT 1").bind(conversationId, last).first();
  return { messages: rows.map((r) => ({ seq: r.seq, envelope: r.envelope, receivedAt: r.received_at })), more: next !== null };
}
