import { Dexie } from "dexie";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import { isShownKind } from "../conversations/content-rows.js";
import type { SealedDb } from "../store/db.js";
import { messageRow, parseRow, type MessageRow } from "../store/rows.js";
import { sameValue } from "./row-cache.js";

/**
 * The stored rows the chat list needs for a chat's last message: its newest stored bubble and the edits
 * and deletes after it that name it (to fold its current text).
 *
 * The chat list's live query runs on every change, and a chat can hold thousands of reactions and edits
 * after its last bubble. So each chat's answer is kept with the position it covers, and a run reads only
 * the rows stored since (one bulk read), plus the bubble's own row to check it is unchanged (a delete
 * tombstones it; a history loaded anew replaces it): if not, the answer is found again by reading back
 * from the newest row in bulk chunks (never a cursor step per row: Dexie records each key a live query's
 * cursor visits). Only the rows used are parsed.
 */

const CHUNK = 500;

interface Tail {
  /** The newest server position read. */
  readonly upTo: number;
  readonly bubbleRaw: unknown;
  readonly bubble: MessageRow;
  readonly acting: readonly MessageRow[];
}

/** Each chat's tail, with the key of what was hidden when it was found. */
const tails = new Map<string, { readonly hiddenKey: string; readonly tail: Tail }>();

/**
 * Rows the chat's controls hide (a blocked peer's messages, a deleted chat's past: views.ts hiddenBy), as
 * a test on raw rows; `key` changes whenever what it hides does, so a kept tail is not reused across it.
 */
export interface HiddenRows {
  readonly key: string;
  readonly hides: (raw: unknown) => boolean;
}

const NOTHING_HIDDEN: HiddenRows = { key: "", hides: () => false };

export async function lastBubbleRows(db: SealedDb, conversationId: ConversationId, hidden: HiddenRows = NOTHING_HIDDEN): Promise<MessageRow[]> {
  const key = `${db.name}\u0000${conversationId}`;
  const kept = tails.get(key);
  const known = kept?.hiddenKey === hidden.key ? kept.tail : undefined;
  const step = (t: Tail, raw: unknown) => (hidden.hides(raw) ? { ...t, upTo: Math.max(t.upTo, seqOf(raw)) } : extend(t, raw));
  let tail: Tail | undefined;
  if (known && sameValue(await db.messages.get([conversationId, known.bubble.clientMessageId]), known.bubbleRaw)) {
    const fresh = await db.messages.where("[conversationId+seq]").between([conversationId, known.upTo], [conversationId, Dexie.maxKey], false, true).toArray();
    tail = fresh.reduce<Tail>(step, known);
  } else tail = await findTail(db, conversationId, hidden, step);
  if (tail) tails.set(key, { hiddenKey: hidden.key, tail });
  else tails.delete(key);
  return tail ? [tail.bubble, ...tail.acting] : [];
}

/** Reads back from the newest stored row, a chunk at a time, to the newest bubble. */
async function findTail(db: SealedDb, conversationId: ConversationId, hidden: HiddenRows, step: (t: Tail, raw: unknown) => Tail): Promise<Tail | undefined> {
  const bubbleAt = (raw: unknown) => isShownKind(kindOf(raw)) && !hidden.hides(raw);
  const walked: unknown[] = [];
  let below: number | undefined;
  for (;;) {
    const upper = below === undefined ? [conversationId, Dexie.maxKey] : [conversationId, below];
    const newestFirst: readonly unknown[] = await db.messages.where("[conversationId+seq]").between([conversationId, Dexie.minKey], upper, true, false).reverse().limit(CHUNK).toArray();
    // A copy: what a live query reads is Dexie's cached array, frozen (store/db.ts), never to be reordered.
    const chunk = [...newestFirst].reverse();
    walked.unshift(...chunk);
    if (chunk.length < CHUNK || chunk.some(bubbleAt)) break;
    below = seqOf(chunk[0]);
  }
  let start = walked.length - 1;
  while (start >= 0 && !bubbleAt(walked[start])) start--;
  if (start < 0) return undefined;
  const bubbleRaw = walked[start];
  const first: Tail = { upTo: seqOf(bubbleRaw), bubbleRaw, bubble: parseRow(messageRow, "messages", bubbleRaw), acting: [] };
  return walked.slice(start + 1).reduce<Tail>(step, first);
}

/** The tail after one more stored row (in server order): a new bubble starts a new tail. */
function extend(t: Tail, raw: unknown): Tail {
  const upTo = Math.max(t.upTo, seqOf(raw));
  const kind = kindOf(raw);
  if (isShownKind(kind)) return { upTo, bubbleRaw: raw, bubble: parseRow(messageRow, "messages", raw), acting: [] };
  // A superseded edit (store/fold-keys.ts) has a later one that says what counts.
  const superseded = typeof raw === "object" && raw !== null && "superseded" in raw;
  if ((kind === ContentKind.edit || kind === ContentKind.delete) && !superseded && refId(raw) === t.bubble.clientMessageId) return { ...t, upTo, acting: [...t.acting, parseRow(messageRow, "messages", raw)] };
  return { ...t, upTo };
}

/** A raw row's kind number, read without trusting its shape (the rows used are parsed). */
function kindOf(raw: unknown): number | undefined {
  if (typeof raw !== "object" || raw === null || !("kindNumber" in raw)) return undefined;
  return typeof raw.kindNumber === "number" ? raw.kindNumber : -1;
}

function seqOf(raw: unknown): number {
  return typeof raw === "object" && raw !== null && "seq" in raw && typeof raw.seq === "number" ? raw.seq : 0;
}

function refId(raw: unknown): unknown {
  if (typeof raw !== "object" || raw === null || !("ref" in raw) || typeof raw.ref !== "object" || raw.ref === null || !("clientMessageId" in raw.ref)) return undefined;
  return raw.ref.clientMessageId;
}
