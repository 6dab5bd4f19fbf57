import { ContentKind, type ConversationId, type MessageBody } from "../../../../protocol/index.js";
import { isShownKind, rowFields } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import type { MessageRow } from "../store/rows.js";
import { rowAt } from "./receipt-targets.js";

/**
 * Receipts as they are received (docs/PROTOCOL.md "Message content", docs/decisions.md "Receipts and
 * unread"). Runs inside receive.ts's commit transaction, so it sees the rows stored before in the page.
 */

/**
 * Why a received receipt contradicts the local rows, or undefined when it may count. A receipt covers a
 * position strictly before its own (it was seen before the receipt was written), and the envelope it
 * names must be the row this device holds there. When this device holds no row at that position (the
 * history there was not shared with this account, or this device refused that envelope) the mark cannot
 * be checked and is kept by position: a member can only ever claim its own progress, which it could as
 * well claim with the right id.
 */
/** A receipt mark with what receiptProblem checks. */
export function isReceipt(row: MessageRow): boolean {
  return row.kindNumber === ContentKind.receipt && row.receipt !== undefined && row.ref !== undefined;
}

export async function receiptProblem(db: SealedDb, conversationId: ConversationId, row: MessageRow, seq: number): Promise<string | undefined> {
  if (!isReceipt(row) || !row.receipt || !row.ref) return undefined;
  const { position } = row.receipt;
  if (position >= seq) return `receipt at ${seq} covers position ${position}, which is not before it`;
  const there = await rowAt(db, conversationId, position);
  if (there === undefined) return undefined;
  if (there.senderDeviceId !== row.ref.deviceId || there.clientMessageId !== row.ref.clientMessageId) return `receipt names another message than the one at position ${position}`;
  return undefined;
}

/** A refused receipt's row: kept (the chain and duplicate checks need every opened envelope) but inert. */
export function inertReceipt(row: MessageRow): MessageRow {
  const { receipt: _receipt, ref: _ref, ...rest } = row;
  return rest;
}

/**
 * What a page of stored messages means for unread and receipts: how far this account has read (its own
 * messages, from any device, and its own devices' read marks raise it), and whether anything new from
 * someone else arrived (which this device acknowledges with a delivered mark, sync/receipts.ts).
 */
export class StoredEffects {
  readUpTo = 0;
  fromOthers = false;

  constructor(private readonly self: string) {}

  /** A message stored at `seq` (a receipt refused by receiptProblem is not noted). */
  note(sender: string, seq: number, body: MessageBody): void {
    const fields = rowFields(body);
    if (sender !== this.self) {
      if (isShownKind(fields.kindNumber)) this.fromOthers = true;
      return;
    }
    if (isShownKind(fields.kindNumber)) this.readUpTo = Math.max(this.readUpTo, seq);
    else if (body.kind === "receipt" && body.mark === "read") this.readUpTo = Math.max(this.readUpTo, body.position);
  }
}

/** Whether a body moves the conversation up the list (receipts, reactions, edits, deletes do not). */
export function movesConversation(body: MessageBody): boolean {
  return isShownKind(rowFields(body).kindNumber);
}
