import { Dexie } from "dexie";
import type { ConversationId } from "../../../../protocol/index.js";
import { isShownKind } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import { messageRow, parseRow, type MessageRow } from "../store/rows.js";

/**
 * Where this account's marks stand in a conversation, read through the [conversationId+seq] index from
 * the newest row down, so the cost is the rows since the last mark, not the whole history.
 */

/** The newest stored message of another account shown as a bubble: where a delivered or read mark points. */
export async function newestFromOthers(db: SealedDb, conversationId: ConversationId, me: string): Promise<MessageRow | undefined> {
  // Bubbles only ([shownIn+seq], store/fold-keys.ts): not back through every reaction since.
  const raw = await db.messages
    .where("[shownIn+seq]")
    .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
    .reverse()
    .filter((r) => {
      const row = parseRow(messageRow, "messages", r);
      return row.senderAccountId !== me && isShownKind(row.kindNumber);
    })
    .first();
  return raw === undefined ? undefined : parseRow(messageRow, "messages", raw);
}

type Mark = "delivered" | "read";

function covers(r: MessageRow, conversationId: ConversationId, me: string, position: number, marks: readonly Mark[]): boolean {
  return r.conversationId === conversationId && r.senderAccountId === me && r.receipt !== undefined && r.receipt.position >= position && marks.includes(r.receipt.mark);
}

/**
 * Whether this account (any of its devices) already has one of `marks` at `position` or past it, stored
 * or still waiting in this device's outbox. A stored mark covering `position` sits after it (a mark is
 * always written after what it covers), so only the rows after `position` are read.
 */
export async function alreadyMarked(db: SealedDb, conversationId: ConversationId, me: string, position: number, marks: readonly Mark[]): Promise<boolean> {
  const stored = await db.messages
    .where("[conversationId+seq]")
    .between([conversationId, position + 1], [conversationId, Dexie.maxKey])
    .filter((r) => covers(parseRow(messageRow, "messages", r), conversationId, me, position, marks))
    .count();
  if (stored > 0) return true;
  const pending = await db.messages
    .where("status")
    .equals("pending")
    .filter((r) => covers(parseRow(messageRow, "messages", r), conversationId, me, position, marks))
    .count();
  return pending > 0;
}

/** The stored row at server position `seq`. */
export async function rowAt(db: SealedDb, conversationId: ConversationId, seq: number): Promise<MessageRow | undefined> {
  const raw = await db.messages.where("[conversationId+seq]").equals([conversationId, seq]).first();
  return raw === undefined ? undefined : parseRow(messageRow, "messages", raw);
}

/** A row's stable id, as a receipt names it. */
export function refOf(row: MessageRow): NonNullable<MessageRow["ref"]> {
  return { deviceId: row.senderDeviceId, clientMessageId: row.clientMessageId };
}
