import { z } from "zod";
import { conversationIdSchema } from "../../protocol/api.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import type { StoredReadState } from "../storage/read-state-store.js";
import { blob, int, parseRows } from "./rows.js";

// Each account's sealed read state per conversation (migration 0009).

const versionRow = z.object({ version: int.positive() });
const stateRow = z.object({ conversation_id: conversationIdSchema, sealed: blob, version: int.positive() });

/**
 * One statement: the version is computed and the row replaced together, so racing writes of one account
 * cannot get the same version (D1 runs one statement at a time; the unique index would refuse it anyway).
 */
export async function putReadState(db: D1Database, p: { accountId: AccountId; conversationId: ConversationId; sealed: Uint8Array; now: number }): Promise<number> {
  const row = await db
    .prepare(
      `INSERT INTO read_state (account_id, conversation_id, sealed, version, updated_at)
       VALUES (?1, ?2, ?3, (SELECT COALESCE(MAX(version), 0) + 1 FROM read_state WHERE account_id = ?1), ?4)
       ON CONFLICT (account_id, conversation_id) DO UPDATE SET sealed = excluded.sealed, version = excluded.version, updated_at = excluded.updated_at
       RETURNING version`,
    )
    .bind(p.accountId, p.conversationId, p.sealed, p.now)
    .first();
  const parsed = versionRow.safeParse(row);
  if (!parsed.success) throw new Error("read_state: the upsert returned no version");
  return parsed.data.version;
}

export async function listReadStateSince(db: D1Database, accountId: AccountId, after: number, limit: number): Promise<{ states: StoredReadState[]; more: boolean }> {
  const { results } = await db
    .prepare("SELECT conversation_id, sealed, version FROM read_state WHERE account_id = ?1 AND version > ?2 ORDER BY version LIMIT ?3")
    .bind(accountId, after, limit + 1)
    .all();
  const rows = parseRows(stateRow, "read_state", results);
  return { states: rows.slice(0, limit).map((r) => ({ conversationId: r.conversation_id, sealed: r.sealed, version: r.version })), more: rows.length > limit };
}
