import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import type { MessageRow } from "./rows.js";

/**
 * Which stored rows a chat's timeline still needs (docs/decisions.md "Superseded rows"). A reaction is
 * replaced by the same account's next reaction to the same message, an edit by the author's next edit, a
 * receipt mark by the same account's mark of the same kind further on: once a later one is stored, the
 * earlier one can change nothing the timeline shows, on any device, in any later state (server order is
 * fixed once a row has a seq). Such a row is kept (the chain, replay and reused-id checks need every
 * row) but marked `superseded`, and leaves the two indexes below, so an open chat reads and folds only
 * what still counts: about one row per message, member and kind, not one per change ever made.
 *
 * Index fields, written with every message row (store/db.ts putMessage) and never read back as row data:
 * - `liveIn`: the conversation id while the row is not superseded; the timeline reads rows by
 *   `[liveIn+clientMessageId]`.
 * - `shownIn`: the conversation id on rows shown as a bubble (isShownKind); unread counts and receipts
 *   walk bubbles by `[shownIn+seq]`, never the reactions and edits between them.
 * - `foldKey`: for a stored (seq) reaction, edit or receipt mark that is not superseded, what it may be
 *   superseded by: the conversation, the kind, the sender account and the target. At most one stored row
 *   per key is live (sync/supersede.ts).
 */

/** Kinds shown as a bubble of their own: text, reply, and any kind this version does not know (not a profile message). */
export function isShownKind(kindNumber: number | undefined): boolean {
  return kindNumber === undefined || kindNumber === ContentKind.reply || (kindNumber > ContentKind.receipt && kindNumber !== ContentKind.profile);
}

/** The part of the key after the conversation id; undefined for rows that nothing supersedes. */
function foldTopic(r: MessageRow): string | undefined {
  if (r.seq === undefined) return undefined;
  if ((r.kindNumber === ContentKind.reaction || r.kindNumber === ContentKind.edit) && r.ref) {
    return `${r.kindNumber} ${r.senderAccountId} ${r.ref.deviceId} ${r.ref.clientMessageId}`;
  }
  // A receipt refused on receipt carries no mark (sync/receipt-check.ts): it counts for nothing already.
  if (r.kindNumber === ContentKind.receipt && r.receipt) return `${r.kindNumber} ${r.senderAccountId} ${r.receipt.mark}`;
  return undefined;
}

/** The key under which `r` supersedes or is superseded; undefined when it never is. */
export function foldKey(r: MessageRow): string | undefined {
  const topic = foldTopic(r);
  return topic === undefined ? undefined : `${r.conversationId} ${topic}`;
}

/**
 * Whether `a` replaces `b` (two stored rows with the same foldKey). Reactions and edits: the later in
 * server order wins (message-fold.ts applies them in that order, last wins; the rules that refuse one,
 * content-rules.ts, depend only on the target and the sender, which the key holds, and on the order
 * against the target, which a later row passes whenever an earlier one does). Receipt marks: the further
 * position wins, as views/receipts.ts keeps each member's highest mark; equal positions, the later row.
 */
export function outranks(a: MessageRow, b: MessageRow): boolean {
  if (a.receipt && b.receipt && a.receipt.position !== b.receipt.position) return a.receipt.position > b.receipt.position;
  return (a.seq ?? 0) > (b.seq ?? 0);
}

/** A message row as stored: with its index fields (above). */
export type StoredMessage = MessageRow & { liveIn?: ConversationId; shownIn?: ConversationId; foldKey?: string };

export function withIndexFields(r: MessageRow): StoredMessage {
  if (r.superseded) return r;
  const key = foldKey(r);
  return { ...r, liveIn: r.conversationId, ...(isShownKind(r.kindNumber) ? { shownIn: r.conversationId } : {}), ...(key !== undefined ? { foldKey: key } : {}) };
}

/** `r` once superseded: out of both indexes, and an edit's text gone (it can never show again). */
export function supersededRow(r: MessageRow): MessageRow {
  return { ...r, superseded: 1, text: "" };
}
