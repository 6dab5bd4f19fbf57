import { z } from "zod";
import { conversationIdSchema } from "../../protocol/api.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import type { ChatSettingsPut, StoredChatSettings } from "../storage/chat-settings-store.js";
import { blob, int, parseRows } from "./rows.js";

// Each account's sealed chat settings per conversation (migration 0012).

const versionRow = z.object({ version: int.positive() });
const revisionRow = z.object({ revision: int.positive() });
const settingsRow = z.object({ conversation_id: conversationIdSchema, sealed: blob, version: int.positive() });

/**
 * One statement decides and writes: the upsert replaces the row only when the new revision is above the
 * stored one, and returns no row otherwise (then the stored revision is read to answer the 409). Racing
 * writes of one account cannot get the same version (D1 runs one statement at a time).
 */
export async function putChatSettings(db: D1Database, p: { accountId: AccountId; conversationId: ConversationId; sealed: Uint8Array; revision: number; now: number }): Promise<ChatSettingsPut> {
  const row = await db
    .prepare(
      `INSERT INTO chat_settings (account_id, conversation_id, sealed, revision, version, updated_at)
       VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(version), 0) + 1 FROM chat_settings WHERE account_id = ?1), ?5)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET sealed = excluded.sealed, revision = excluded.revision, version = excluded.version, updated_at = excluded.updated_at
       WHERE excluded.revision > chat_settings.revision
       RETURNING version`,
    )
    .bind(p.accountId, p.conversationId, p.sealed, p.revision, p.now)
    .first();
  if (row !== null) {
    const parsed = versionRow.safeParse(row);
    if (!parsed.success) throw new Error("chat_settings: the upsert returned no version");
    return { stored: true, version: parsed.data.version };
  }
  const stored = revisionRow.safeParse(await db.prepare("SELECT revision FROM chat_settings WHERE account_id = ?1 AND conversation_id = ?2").bind(p.accountId, p.conversationId).first());
  if (!stored.success) throw new Error("chat_settings: a refused write left no stored revision");
  return { stored: false, revision: stored.data.revision };
}

export async function listChatSettingsSince(db: D1Database, accountId: AccountId, after: number, limit: number): Promise<{ settings: StoredChatSettings[]; more: boolean }> {
  const { results } = await db
    .prepare("SELECT conversation_id, sealed, version FROM chat_settings WHERE account_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3")
    .bind(accountId, after, limit + 1)
    .all();
  const rows = parseRows(settingsRow, "chat_settings", results);
  return { settings: rows.slice(0, limit).map((r) => ({ conversationId: r.conversation_id, sealed: r.sealed, version: r.version })), more: rows.length > limit };
}
