// Moves one conversation from the D1 layout (every conversation's rows in shared D1 tables, the release
// before issue 22) into its ConversationLog object, the first time the object is used. The conversation's
// row and member rows stay in D1: they are the directory's index of who is in what. Everything else is
// copied, then deleted from D1, so D1 shrinks to the directory as conversations are touched.
import { z } from "zod";
import { accountIdSchema } from "../../../protocol/api.js";
import type { ConversationId } from "../../../protocol/ids.js";
import { blob, int, parseRow, parseRows } from "../rows.js";
import { conversationRow, entryRow, memberRow } from "./rows.js";
import { buf } from "./sql-values.js";

/** Messages copied per D1 read: a page of 500 short envelopes is well inside a Worker's memory. */
const MESSAGES_PER_PAGE = 500;

const epochRow = z.object({ epoch: int.nonnegative(), key_id: blob, bundle: blob, creator_device_id: z.string(), created_at: int });
const metaRow = z.object({ epoch: int.nonnegative(), meta: blob, updated_at: int });
const shareRow = z.object({ account_id: accountIdSchema, epoch: int.nonnegative(), share: blob, created_at: int });
const messageRow = z.object({
  seq: int.positive(),
  sender_account_id: z.string(),
  sender_device_id: z.string(),
  client_message_id: z.string(),
  envelope: blob,
  received_at: int,
});

/**
 * Copies conversation `id` from D1 into `storage` (whose schema is in place), resuming after the last
 * message already copied if an earlier attempt stopped half way. Returns false when D1 has no such
 * conversation (nothing copied). The caller holds the object's other events off meanwhile.
 */
export async function importFromD1(db: D1Database, storage: DurableObjectStorage, id: ConversationId): Promise<boolean> {
  const first = await db.prepare("SELECT id, kind, member_a, member_b, created_at FROM conversations WHERE id = ?1").bind(id).first();
  if (!first) return false;
  const c = parseRow(conversationRow, "conversations", first);
  const [members, entries, epochs, meta, shares] = await db.batch([
    db.prepare("SELECT account_id FROM conversation_members WHERE conversation_id = ?1").bind(id),
    db.prepare("SELECT seq, entry FROM membership_entries WHERE conversation_id = ?1").bind(id),
    db.prepare("SELECT epoch, key_id, bundle, creator_device_id, created_at FROM epochs WHERE conversation_id = ?1").bind(id),
    db.prepare("SELECT epoch, meta, updated_at FROM group_meta WHERE conversation_id = ?1").bind(id),
    db.prepare("SELECT account_id, epoch, share, created_at FROM history_shares WHERE conversation_id = ?1").bind(id),
  ]);
  const sql = storage.sql;
  storage.transactionSync(() => {
    sql.exec("INSERT INTO conversation (one, id, kind, member_a, member_b, created_at) VALUES (1, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", c.id, c.kind, c.member_a, c.member_b, c.created_at);
    for (const m of parseRows(memberRow, "conversation_members", members?.results ?? [])) sql.exec("INSERT INTO members (account_id) VALUES (?) ON CONFLICT DO NOTHING", m.account_id);
    for (const e of parseRows(entryRow, "membership_entries", entries?.results ?? [])) sql.exec("INSERT INTO membership_entries (seq, entry) VALUES (?, ?) ON CONFLICT DO NOTHING", e.seq, buf(e.entry));
    for (const e of parseRows(epochRow, "epochs", epochs?.results ?? [])) {
      sql.exec("INSERT INTO epochs (epoch, key_id, bundle, creator_device_id, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING", e.epoch, buf(e.key_id), buf(e.bundle), e.creator_device_id, e.created_at);
    }
    for (const m of parseRows(metaRow, "group_meta", meta?.results ?? [])) sql.exec("INSERT INTO group_meta (one, epoch, meta, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT DO NOTHING", m.epoch, buf(m.meta), m.updated_at);
    for (const s of parseRows(shareRow, "history_shares", shares?.results ?? [])) {
      sql.exec("INSERT INTO history_shares (account_id, epoch, share, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING", s.account_id, s.epoch, buf(s.share), s.created_at);
    }
  });
  let after = Number(sql.exec("SELECT COALESCE(MAX(seq), 0) AS s FROM messages").one()["s"]);
  for (;;) {
    const { results } = await db
      .prepare("SELECT seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at FROM messages WHERE conversation_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3")
      .bind(id, after, MESSAGES_PER_PAGE)
      .all();
    const rows = parseRows(messageRow, "messages", results);
    if (rows.length === 0) break;
    storage.transactionSync(() => {
      for (const m of rows) {
        sql.exec(
          "INSERT INTO messages (seq, sender_account_id, sender_device_id, client_message_id, envelope, received_at) VALUES (?, ?, ?, ?, ?, ?)",
          m.seq, m.sender_account_id, m.sender_device_id, m.client_message_id, buf(m.envelope), m.received_at,
        );
      }
    });
    after = rows[rows.length - 1]?.seq ?? after;
  }
  // The copy is committed in the object (its output gate holds this request until then); D1 now keeps
  // only the directory's rows of the conversation.
  await db.batch(["messages", "epochs", "membership_entries", "group_meta", "history_shares"].map((t) => db.prepare(`DELETE FROM ${t} WHERE conversation_id = ?1`).bind(id)));
  return true;
}
