import { Dexie } from "dexie";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import { getMessage, type SealedDb } from "../store/db.js";
import { messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { indexTerms } from "./tokenize.js";
import type { SearchPostingRow } from "./search-rows.js";

/**
 * Keeping the search index true to the store: a message's postings are always those of what it says
 * NOW (its last edit, its file name and caption), and none once deleted for everyone. Every function
 * here reads and writes only IndexedDB, so it may run inside a caller's Dexie transaction (receive.ts's
 * page commit, apply-content.ts's delete) as long as that transaction's scope holds `searchPostings`.
 */

/** A message's live edit (its author's newest stored one), found by the fold key store/fold-keys.ts gives it. */
async function liveEdit(db: SealedDb, row: MessageRow): Promise<MessageRow | undefined> {
  const key = `${row.conversationId} ${ContentKind.edit} ${row.senderAccountId} ${row.senderDeviceId} ${row.clientMessageId}`;
  const [edit] = parseRows(messageRow, "messages", await db.messages.where("foldKey").equals(key).toArray());
  return edit && !edit.superseded && edit.text !== "" ? edit : undefined;
}

/**
 * What a message says now, as search sees it: a text or reply's (last edited) text; an attachment's
 * file name and caption; nothing for a deleted message or any other kind (reactions, receipts...).
 */
export async function searchableText(db: SealedDb, row: MessageRow): Promise<string | undefined> {
  if (row.deletedAt !== undefined || row.superseded) return undefined;
  if (row.kindNumber === undefined || row.kindNumber === ContentKind.text || row.kindNumber === ContentKind.reply) {
    return (await liveEdit(db, row))?.text ?? row.text;
  }
  if (row.kindNumber === ContentKind.attachment && row.attachment) return `${row.attachment.name} ${row.attachment.caption}`;
  return undefined;
}

/** Removes every posting of one message (deleted for everyone, or about to be indexed anew). */
export async function unindexMessage(db: SealedDb, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  await db.searchPostings.where("[c+m]").equals([conversationId, clientMessageId]).delete();
}

/** Indexes a message as it reads now: its old postings out, the current ones in. */
export async function indexMessage(db: SealedDb, row: MessageRow): Promise<void> {
  await unindexMessage(db, row.conversationId, row.clientMessageId);
  const text = await searchableText(db, row);
  if (text === undefined || text === "") return;
  const postings = indexTerms(text).map((t): SearchPostingRow => ({ t, at: row.sentAt, c: row.conversationId, m: row.clientMessageId }));
  if (postings.length) await db.searchPostings.bulkPut(postings);
}

/**
 * Brings the index up to date with one stored row: a message is indexed as it reads now; an edit or a
 * delete re-indexes the message it names (a delete leaves it with no postings).
 */
export async function indexStoredRow(db: SealedDb, row: MessageRow): Promise<void> {
  if ((row.kindNumber === ContentKind.edit || row.kindNumber === ContentKind.delete) && row.ref) {
    const target = await getMessage(db, row.conversationId, row.ref.clientMessageId);
    if (target) await indexMessage(db, target);
    return;
  }
  if (isSearchableKind(row.kindNumber)) await indexMessage(db, row);
}

/** Kinds whose rows are messages with words of their own: text, reply, attachment. */
export function isSearchableKind(kindNumber: number | undefined): boolean {
  return kindNumber === undefined || kindNumber === ContentKind.text || kindNumber === ContentKind.reply || kindNumber === ContentKind.attachment;
}

/**
 * Called where a message is deleted for everyone (apply-content.ts): its postings go in the same
 * transaction when that transaction covers the index; otherwise the indexer removes them when it reaches
 * the delete, and until then every query checks the message's current row and drops it.
 */
export async function unindexIfInScope(db: SealedDb, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  const tx = Dexie.currentTransaction;
  if (tx && !tx.storeNames.includes("searchPostings")) return;
  await unindexMessage(db, conversationId, clientMessageId);
}
