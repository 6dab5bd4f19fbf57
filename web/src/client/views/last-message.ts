import { Dexie } from "dexie";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import { isShownKind } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import { messageRow, parseRow, type MessageRow } from "../store/rows.js";

/**
 * The stored rows the chat list needs for a chat's last message: its newest stored bubble and the edits
 * and deletes after it that name it (to fold its current text). Walks back from the newest row with a
 * cursor, past reactions, edits and receipts, looking only at each raw row's kind; only the rows used are
 * parsed. A chat with 10,000 reactions after its last message costs a walk of short steps, not a
 * schema check of each row in one long task on every change.
 */
export async function lastBubbleRows(db: SealedDb, conversationId: ConversationId): Promise<MessageRow[]> {
  const walked: MessageRow[] = [];
  await db.messages
    .where("[conversationId+seq]")
    .between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey])
    .reverse()
    .until((r) => isShownKind(kindOf(r)), true)
    .each((r) => void walked.push(r));
  const newest = walked.at(-1);
  if (newest === undefined || !isShownKind(kindOf(newest))) return [];
  const bubble = parseRow(messageRow, "messages", newest);
  const acting = walked.filter((r) => (kindOf(r) === ContentKind.edit || kindOf(r) === ContentKind.delete) && refId(r) === bubble.clientMessageId);
  return [bubble, ...acting.reverse().map((r) => parseRow(messageRow, "messages", r))];
}

/** A raw row's kind number, read without trusting its shape (the rows used are parsed). */
function kindOf(raw: unknown): number | undefined {
  if (typeof raw !== "object" || raw === null || !("kindNumber" in raw)) return undefined;
  return typeof raw.kindNumber === "number" ? raw.kindNumber : -1;
}

function refId(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || !("ref" in raw) || typeof raw.ref !== "object" || raw.ref === null || !("clientMessageId" in raw.ref)) return undefined;
  return raw.ref.clientMessageId;
}
