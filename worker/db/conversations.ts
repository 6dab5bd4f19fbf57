import { z } from "zod";
import { accountIdSchema, conversationIdSchema } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import { CorruptRow, ServerFault } from "../errors.js";
import type { ConversationRecord } from "../storage/conversation-store.js";
import { blob, int, parseRow, parseRows } from "./rows.js";

const conversationRow = z.object({
  id: conversationIdSchema,
  kind: z.enum(["direct", "group"]),
  member_a: accountIdSchema.nullable(),
  member_b: accountIdSchema.nullable(),
  /** Group members from conversation_members, comma-separated in account-id order. */
  group_members: z.string().nullable(),
  /** A group's newest sealed meta (group_meta), if any. */
  group_meta: blob.nullable(),
  created_at: int,
});

function toConversation(r: z.output<typeof conversationRow>): ConversationRecord {
  if (r.kind === "direct") {
    if (r.member_a === null || r.member_b === null) throw new CorruptRow(`conversations: direct conversation ${r.id} has no member pair`);
    return { id: r.id, kind: "direct", members: [r.member_a, r.member_b], createdAt: r.created_at };
  }
  const members = (r.group_members ?? "").split(",").filter(Boolean).map((m) => parseRow(accountIdSchema, "conversation_members", m));
  return { id: r.id, kind: "group", members, createdAt: r.created_at, meta: r.group_meta ? toBase64url(r.group_meta) : null };
}

// A group's members are read from conversation_members (a direct chat keeps its pair in the row), its
// newest sealed meta from group_meta (a primary-key probe). The last seq is not read here: messages belong
// to the message log (MessageLog.latestSeqs).
const SELECT_CONVERSATION = `
  SELECT c.id, c.kind, c.member_a, c.member_b, c.created_at,
         CASE c.kind WHEN 'group' THEN (SELECT group_concat(account_id, ',') FROM
           (SELECT account_id FROM conversation_members WHERE conversation_id = c.id ORDER BY account_id)) END AS group_members,
         (SELECT meta FROM group_meta WHERE conversation_id = c.id) AS group_meta
    FROM conversations c`;

export async function findConversation(db: D1Database, id: ConversationId): Promise<ConversationRecord | undefined> {
  const row = await db.prepare(`${SELECT_CONVERSATION} WHERE c.id = ?1`).bind(id).first();
  return row ? toConversation(parseRow(conversationRow, "conversations", row)) : undefined;
}

/** The caller's conversations, oldest first (the client orders them for display). */
export async function listConversations(db: D1Database, accountId: AccountId): Promise<ConversationRecord[]> {
  const { results } = await db
    .prepare(`${SELECT_CONVERSATION} JOIN conversation_members cm ON cm.conversation_id = c.id WHERE cm.account_id = ?1 ORDER BY c.created_at, c.id`)
    .bind(accountId)
    .all();
  return parseRows(conversationRow, "conversations", results).map(toConversation);
}

/**
 * The direct conversation of two accounts, created if there is none. Members are stored sorted, so the
 * UNIQUE pair makes a concurrent second create a no-op; the members rows are inserted only for a
 * conversation row that exists under the new id.
 */
export async function openDirectConversation(
  db: D1Database,
  p: { newId: ConversationId; a: AccountId; b: AccountId; now: number },
): Promise<{ conversation: ConversationRecord; created: boolean }> {
  const [x, y] = p.a < p.b ? [p.a, p.b] : [p.b, p.a];
  const [inserted] = await db.batch([
    db.prepare("INSERT INTO conversations (id, kind, member_a, member_b, created_at) VALUES (?1, 'direct', ?2, ?3, ?4) ON CONFLICT (member_a, member_b) DO NOTHING").bind(p.newId, x, y, p.now),
    db.prepare("INSERT INTO conversation_members (conversation_id, account_id) SELECT id, ?2 FROM conversations WHERE id = ?1").bind(p.newId, x),
    db.prepare("INSERT INTO conversation_members (conversation_id, account_id) SELECT id, ?2 FROM conversations WHERE id = ?1").bind(p.newId, y),
  ]);
  const created = (inserted?.meta.changes ?? 0) === 1;
  const row = await db.prepare(`${SELECT_CONVERSATION} WHERE c.member_a = ?1 AND c.member_b = ?2`).bind(x, y).first();
  if (!row) throw new ServerFault("direct conversation vanished after insert");
  return { conversation: toConversation(parseRow(conversationRow, "conversations", row)), created };
}

const idRow = z.object({ id: conversationIdSchema });

/** The ids of the caller's conversations in the directory's index, oldest first. */
export async function conversationIdsOf(db: D1Database, accountId: AccountId): Promise<ConversationId[]> {
  const { results } = await db
    .prepare("SELECT c.id FROM conversations c JOIN conversation_members cm ON cm.conversation_id = c.id WHERE cm.account_id = ?1 ORDER BY c.created_at, c.id")
    .bind(accountId)
    .all();
  return parseRows(idRow, "conversations", results).map((r) => r.id);
}

const peerRow = z.object({ account_id: accountIdSchema });

/** Every other account that shares a conversation with `accountId`. */
export async function conversationPeers(db: D1Database, accountId: AccountId): Promise<AccountId[]> {
  const { results } = await db
    .prepare(
      `SELECT DISTINCT other.account_id FROM conversation_members mine
         JOIN conversation_members other ON other.conversation_id = mine.conversation_id AND other.account_id <> mine.account_id
        WHERE mine.account_id = ?1`,
    )
    .bind(accountId)
    .all();
  return parseRows(peerRow, "conversation_members", results).map((r) => r.account_id);
}
