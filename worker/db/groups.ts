import { z } from "zod";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import type { MembershipAppend } from "../storage/conversation-store.js";
import { historyShareStatements } from "./history-shares.js";
import { blob, isUniqueViolation, parseRow, parseRows } from "./rows.js";

/**
 * Group conversations and their membership logs (migration 0005). conversation_members always equals the
 * member set of the verified log: both change in the batch that stores an entry.
 */

/** Creates the group with its create entry (position 0); false if the id is taken. */
export async function insertGroup(db: D1Database, g: { id: ConversationId; members: readonly AccountId[]; entry: Uint8Array; now: number }): Promise<boolean> {
  try {
    await db.batch([
      db.prepare("INSERT INTO conversations (id, kind, member_a, member_b, created_at) VALUES (?1, 'group', NULL, NULL, ?2)").bind(g.id, g.now),
      db.prepare("INSERT INTO membership_entries (conversation_id, seq, entry) VALUES (?1, 0, ?2)").bind(g.id, g.entry),
      ...g.members.map((m) => db.prepare("INSERT INTO conversation_members (conversation_id, account_id) VALUES (?1, ?2)").bind(g.id, m)),
    ]);
    return true;
  } catch (e) {
    if (isUniqueViolation(e, "conversations.id")) return false;
    throw e;
  }
}

const entryRow = z.object({ entry: blob });

export async function readMembership(db: D1Database, id: ConversationId): Promise<Uint8Array[]> {
  const { results } = await db.prepare("SELECT entry FROM membership_entries WHERE conversation_id = ?1 ORDER BY seq").bind(id).all();
  return parseRows(entryRow, "membership_entries", results).map((r) => r.entry);
}

const lastRow = z.object({ seq: z.number().int().nonnegative(), entry: blob });

/** The last entry of a group's log (its membership head is that entry's hash) and its position, or undefined for none. */
export async function readLastMembershipEntry(db: D1Database, id: ConversationId): Promise<{ seq: number; entry: Uint8Array } | undefined> {
  const row = await db.prepare("SELECT seq, entry FROM membership_entries WHERE conversation_id = ?1 ORDER BY seq DESC LIMIT 1").bind(id).first();
  return row ? parseRow(lastRow, "membership_entries", row) : undefined;
}

/**
 * Stores a verified entry at `seq`, moves the members table to the new member set and stores the added
 * member's history shares, in one batch: a new member never sees the entry without its shares. The
 * (conversation, seq) primary key makes a racing second entry at that position fail, and with it the rest.
 */
export async function appendMembership(
  db: D1Database,
  a: MembershipAppend,
): Promise<"stored" | "position_taken"> {
  try {
    await db.batch([
      db.prepare("INSERT INTO membership_entries (conversation_id, seq, entry) VALUES (?1, ?2, ?3)").bind(a.id, a.seq, a.entry),
      ...a.added.map((m) => db.prepare("INSERT INTO conversation_members (conversation_id, account_id) VALUES (?1, ?2)").bind(a.id, m)),
      ...a.removed.map((m) => db.prepare("DELETE FROM conversation_members WHERE conversation_id = ?1 AND account_id = ?2").bind(a.id, m)),
      ...(a.historyShares ? historyShareStatements(db, { id: a.id, ...a.historyShares }) : []),
    ]);
    return "stored";
  } catch (e) {
    if (isUniqueViolation(e, "membership_entries.")) return "position_taken";
    throw e;
  }
}
