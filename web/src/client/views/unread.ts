import { Dexie } from "dexie";
import { isShownKind } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import { messageRow, parseRow, type ConversationRow, type MessageRow } from "../store/rows.js";

/**
 * Unread (docs/decisions.md "Receipts and unread"): the shown messages of other accounts past the
 * conversation's readUpTo, deleted ones excepted. A conversation with no readUpTo (stored before unread
 * existed) counts as read. Same on every device of the account: readUpTo moves with the account's own
 * messages and read marks (sync/receipt-check.ts) and its devices' sealed read states (sync/read-state.ts).
 */

/** Whether a stored row counts as unread once it is past readUpTo. */
export function countsAsUnread(r: MessageRow, me: string | undefined): boolean {
  return r.senderAccountId !== me && isShownKind(r.kindNumber) && r.deletedAt === undefined;
}

/** Whether an unread message of `c` mentions this account (the list marks the chat with "@", as Signal does). */
export function unreadMentionOf(db: SealedDb, c: ConversationRow, me: string | undefined, hidden: (r: MessageRow) => boolean = () => false): Promise<boolean> {
  if (c.readUpTo === undefined || me === undefined) return Dexie.Promise.resolve(false);
  return unreadRows(db, c, c.readUpTo, me, hidden).then((rows) => rows.some((r) => r.mentions?.some((m) => m.accountId === me) ?? false));
}

/**
 * How many messages of `c` are unread. Reads only the bubbles past readUpTo, through the [shownIn+seq]
 * index (store/fold-keys.ts): not the reactions, edits and receipts between them, which a live query
 * would otherwise walk, and record key by key, on every change. Returns Dexie's own promise (no async
 * wrapper), so a live query running conversationViews keeps watching the tables it reads afterwards
 * (views.ts timelineViews explains why).
 */
export function unreadCount(db: SealedDb, c: ConversationRow, me: string | undefined, hidden: (r: MessageRow) => boolean = () => false): Promise<number> {
  if (c.readUpTo === undefined) return Dexie.Promise.resolve(0);
  return unreadRows(db, c, c.readUpTo, me, hidden).then((rows) => rows.length);
}

/**
 * The unread messages of `c` (readUpTo set): the bubbles past it in one getAll, not a cursor (a round trip
 * to IndexedDB per few rows; a restored chat has thousands unread), filtered here. Dexie's own promise.
 */
function unreadRows(db: SealedDb, c: { readonly id: ConversationRow["id"] }, readUpTo: number, me: string | undefined, hidden: (r: MessageRow) => boolean): Promise<MessageRow[]> {
  return db.messages
    .where("[shownIn+seq]")
    .between([c.id, readUpTo + 1], [c.id, Dexie.maxKey])
    .toArray()
    .then((raws) => raws.map((raw: unknown) => parseRow(messageRow, "messages", raw)).filter((r) => countsAsUnread(r, me) && !hidden(r)));
}
