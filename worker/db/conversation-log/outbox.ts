// What a ConversationLog must tell D1 after a change it stored: written to the object's `outbox` table in
// the same transaction as the change, then applied to D1 in order and deleted (transactional outbox).
// Every op is idempotent, so one applied twice (a retry after a lost reply) changes nothing more.
import { z } from "zod";
import { accountIdSchema, attachmentIdSchema, conversationIdSchema } from "../../../protocol/api.js";
import { CorruptRow } from "../../errors.js";

export const outboxOp = z.discriminatedUnion("t", [
  // The directory's index of a group: its row and its member set, as the object holds them now.
  z.object({ t: z.literal("group_index"), id: conversationIdSchema, createdAt: z.number().int(), members: z.array(accountIdSchema) }),
  // Attachments a stored message carries: they are attached to its seq (and no longer expire).
  z.object({ t: z.literal("attach"), ids: z.array(attachmentIdSchema).min(1), seq: z.number().int().positive(), claim: z.string().min(1) }),
]);
export type OutboxOp = z.output<typeof outboxOp>;

export function parseOp(text: string): OutboxOp {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CorruptRow("outbox: not JSON", { cause: e });
  }
  const r = outboxOp.safeParse(json);
  if (!r.success) throw new CorruptRow(`outbox: ${r.error.issues[0]?.message ?? "bad op"}`, { cause: r.error });
  return r.data;
}

/** Applies one op to D1. */
export async function applyOp(db: D1Database, op: OutboxOp): Promise<void> {
  switch (op.t) {
    case "group_index": {
      const members = JSON.stringify(op.members);
      await db.batch([
        db.prepare("INSERT INTO conversations (id, kind, member_a, member_b, created_at) VALUES (?1, 'group', NULL, NULL, ?2) ON CONFLICT (id) DO NOTHING").bind(op.id, op.createdAt),
        db.prepare("DELETE FROM conversation_members WHERE conversation_id = ?1 AND account_id NOT IN (SELECT value FROM json_each(?2))").bind(op.id, members),
        db.prepare("INSERT INTO conversation_members (conversation_id, account_id) SELECT ?1, value FROM json_each(?2) WHERE true ON CONFLICT DO NOTHING").bind(op.id, members),
      ]);
      return;
    }
    case "attach":
      await db
        .prepare("UPDATE attachments SET message_seq = ?2, claim = NULL WHERE id IN (SELECT value FROM json_each(?1)) AND claim = ?3")
        .bind(JSON.stringify(op.ids), op.seq, op.claim)
        .run();
      return;
  }
}
