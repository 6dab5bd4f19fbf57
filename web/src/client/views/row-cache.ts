import { messageRow, parseRow, type MessageRow } from "../store/rows.js";
import type { FoldMemo } from "./message-fold.js";

/**
 * What an open chat's timeline keeps between runs of its live query, so a change (one reaction, a page of
 * 200 edits) costs little more than reading the rows again, not parsing and folding 20,000 rows anew:
 *
 * - parsed rows by client message id, with the raw row they came from: a row read again that equals its
 *   raw copy field by field reuses the parsed object (it passed the schema, rows.ts, as that same value);
 *   anything else is parsed again. So every row still passes the schema, once per distinct value.
 * - the fold's views by client message id, with the rows they were made from (message-fold.ts): a view
 *   whose inputs are the same objects is reused, which also keeps it the same object for the UI, so only
 *   the bubble that changed renders again.
 *
 * Kept for the few chats most recently read (an LRU of CACHED_CHATS), keyed by database and conversation.
 */

const CACHED_CHATS = 4;

export class ChatCache {
  private rows = new Map<string, { raw: unknown; row: MessageRow }>();
  /** The fold's views of the last run; replaced by each run's (message-fold.ts). */
  views: FoldMemo = new Map();

  /** The rows, parsed (messageRow), reusing each unchanged one. Rows gone since are forgotten. */
  parse(raws: readonly unknown[]): MessageRow[] {
    const next = new Map<string, { raw: unknown; row: MessageRow }>();
    const out = raws.map((raw) => {
      const key = rowKey(raw);
      const old = key === undefined ? undefined : this.rows.get(key);
      const row = old && sameValue(old.raw, raw, 0) ? old.row : parseRow(messageRow, "messages", raw);
      next.set(row.clientMessageId, { raw, row });
      return row;
    });
    this.rows = next;
    return out;
  }
}

const chats = new Map<string, ChatCache>();

/** The cache of one chat in one database (most recently used last). */
export function chatCache(dbName: string, conversationId: string): ChatCache {
  const key = `${dbName}\u0000${conversationId}`;
  let c = chats.get(key);
  if (c) chats.delete(key);
  else c = new ChatCache();
  chats.set(key, c);
  for (const k of chats.keys()) {
    if (chats.size <= CACHED_CHATS) break;
    chats.delete(k);
  }
  return c;
}

function rowKey(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("clientMessageId" in raw)) return undefined;
  const id = raw.clientMessageId;
  return typeof id === "string" ? id : undefined;
}

/** Structural equality of two stored rows: primitives, and plain objects of them (ref, receipt, failure). Bytes never count as equal. */
export function sameValue(a: unknown, b: unknown, depth = 0): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null || depth > 1) return false;
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}
