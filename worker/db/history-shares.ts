import { z } from "zod";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import type { NewHistoryShare } from "../storage/conversation-store.js";
import { blob, parseRows } from "./rows.js";

// History shares (migration 0006): an added member's keys of the epochs before it joined.

// D1 binds at most 100 parameters per statement: 3 shared ones, then 2 per row.
const ROWS_PER_STATEMENT = 48;

/**
 * The statements that store `shares` for `accountId`, for the caller to put in the batch that stores the
 * add entry. A share for an epoch the account already holds one for (it was a member before, was removed
 * and is added again) replaces it.
 */
export function historyShareStatements(
  db: D1Database,
  s: { id: ConversationId; accountId: AccountId; shares: readonly NewHistoryShare[]; now: number },
): D1PreparedStatement[] {
  const out: D1PreparedStatement[] = [];
  for (let i = 0; i < s.shares.length; i += ROWS_PER_STATEMENT) {
    const chunk = s.shares.slice(i, i + ROWS_PER_STATEMENT);
    const values = chunk.map((_, j) => `(?1, ?2, ?${4 + 2 * j}, ?${5 + 2 * j}, ?3)`).join(", ");
    const sql = `INSERT INTO history_shares (conversation_id, account_id, epoch, share, created_at) VALUES ${values}
      ON CONFLICT (conversation_id, account_id, epoch) DO UPDATE SET share = excluded.share, created_at = excluded.created_at`;
    out.push(db.prepare(sql).bind(s.id, s.accountId, s.now, ...chunk.flatMap((x) => [x.epoch, x.share])));
  }
  return out;
}

const shareRow = z.object({ share: blob });

/** The shares addressed to `accountId` in a group, oldest epoch first. */
export async function readHistoryShares(db: D1Database, id: ConversationId, accountId: AccountId): Promise<Uint8Array[]> {
  const { results } = await db.prepare("SELECT share FROM history_shares WHERE conversation_id = ?1 AND account_id = ?2 ORDER BY epoch").bind(id, accountId).all();
  return parseRows(shareRow, "history_shares", results).map((r) => r.share);
}
