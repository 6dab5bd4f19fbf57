import { ContentKind } from "../../../../protocol/index.js";
import type { MessageRow } from "../store/rows.js";

/**
 * The ticks of one's own messages (docs/decisions.md "Receipts and unread"): sent (the server has it),
 * delivered (every other member has a delivered or read mark at or past it), read (every other member
 * has a read mark at or past it). In a group, who read it and who has it. A mark is "up to here": the
 * newest mark of each member covers every earlier position.
 */
export interface DeliveryView {
  readonly state: "sent" | "delivered" | "read";
  /** Members (by name) whose read mark covers the message. */
  readonly readBy: readonly string[];
  /** Members whose delivered mark covers it but who have not read it (as far as this device shows). */
  readonly deliveredTo: readonly string[];
  /** Members with no mark covering it yet. */
  readonly waiting: readonly string[];
}

/** Each member's furthest marks: delivered counts read marks too (read implies delivered). */
export interface MemberMarks {
  readonly name: string;
  delivered: number;
  read: number;
}

/**
 * The furthest marks of each of `members` (the other members, by account id, with their names) from the
 * receipt rows among `rows`. `showRead` false (read receipts off on this device): a read mark counts only
 * as delivered, so the ticks stop at delivered. Receipts refused on receipt carry no mark and count for
 * nothing (sync/receipt-check.ts).
 */
export function memberMarks(rows: readonly MessageRow[], members: ReadonlyMap<string, string>, showRead: boolean): MemberMarks[] {
  const marks = new Map<string, MemberMarks>([...members].map(([id, name]) => [id, { name, delivered: 0, read: 0 }]));
  for (const r of rows) {
    if (r.kindNumber !== ContentKind.receipt || !r.receipt || r.seq === undefined) continue;
    const m = marks.get(r.senderAccountId);
    if (!m) continue;
    m.delivered = Math.max(m.delivered, r.receipt.position);
    if (r.receipt.mark === "read" && showRead) m.read = Math.max(m.read, r.receipt.position);
  }
  return [...marks.values()];
}

/** The ticks of the own message at `seq`. With nobody else in the chat, it stays at sent. */
export function deliveryOf(seq: number, marks: readonly MemberMarks[]): DeliveryView {
  const readBy = marks.filter((m) => m.read >= seq).map((m) => m.name);
  const deliveredTo = marks.filter((m) => m.read < seq && m.delivered >= seq).map((m) => m.name);
  const waiting = marks.filter((m) => m.delivered < seq).map((m) => m.name);
  const state = marks.length === 0 || waiting.length > 0 ? "sent" : deliveredTo.length > 0 ? "delivered" : "read";
  return { state, readBy, deliveredTo, waiting };
}
