import { Dexie } from "dexie";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "../store/db.js";
import { hiddenByBlock } from "../chats/chat-order.js";
import type { ChatPrefsRow } from "../chats/chat-prefs-row.js";
import { systemLines, type SystemLineView } from "./system-lines.js";
import { foldedViews, foldInputs, placeLines, type TimelineItem, type ViewOptions } from "./views.js";
import type { MessageView } from "./message-fold.js";

/**
 * What an open chat holds of its timeline (docs/decisions.md "The open chat holds a window"): a window of
 * bubbles read by position, not the whole history, so opening a chat, every re-run of its live query (a
 * new message, a reaction, an edit) and every move while scrolling cost the same for 100 messages or
 * 100,000. The rows of a window, all through indexes:
 *
 * - its bubbles by `[shownIn+seq]`: the newest WINDOW_NEWEST, or WINDOW_HALF on each side of a position
 *   the reader scrolled or jumped to;
 * - every live row (store/fold-keys.ts) from its first bubble on by `[liveIn+seq]`: the bubbles and the
 *   reactions, edits and deletes stored after them, to the newest row when the window reaches the newest
 *   message; when it does not, the live actions of its bubbles that came later, by their target
 *   (`[liveIn+ref.clientMessageId]`);
 * - the messages its replies quote from outside it, by key, with their edits and deletes (folded, not shown);
 * - each member's newest receipt marks by `foldKey` (the ticks), and the unsent rows by `status`.
 *
 * How many timeline rows lie before and after it are counted by the same index (IndexedDB counts keys
 * without reading rows), so the list can say where the window stands ("Show earlier messages (9,750
 * more)", `data-first`, `data-total`).
 */

/** Bubbles read when a chat opens, or when the reader is back at the newest message. */
export const WINDOW_NEWEST = 400;
/** Bubbles read on each side of a position the reader scrolled or jumped to. */
export const WINDOW_HALF = 200;

/** Which part of a chat to hold: its newest bubbles, or those around a server position. */
export type WindowRange = { readonly at: "newest" } | { readonly at: "around"; readonly seq: number };

export interface TimelineWindow {
  /** The rows held, in timeline order (messages and system lines, unsent messages last). */
  readonly items: readonly TimelineItem[];
  /** Timeline rows older than the first item, not held. */
  readonly offset: number;
  /** Timeline rows of the whole chat (as far as this device shows them). */
  readonly total: number;
  /** Stored messages newer than the last item exist, not held: the window does not reach the newest. */
  readonly hasNewer: boolean;
  /** This device's unsent messages after the window, not held (one just sent while the reader is far up). */
  readonly unsentNotHeld: number;
}

type Raw = Record<string, unknown>;

const isRow = (r: unknown): r is Raw => typeof r === "object" && r !== null;
const seqOf = (r: unknown): number | undefined => (isRow(r) && typeof r["seq"] === "number" ? r["seq"] : undefined);
const idOf = (r: unknown): string | undefined => (isRow(r) && typeof r["clientMessageId"] === "string" ? r["clientMessageId"] : undefined);
/** The client message id a reaction, edit, delete or reply names, as stored (checked again by the row schema). */
const refIdOf = (r: unknown): string | undefined => {
  const ref = isRow(r) ? r["ref"] : undefined;
  return isRow(ref) && typeof ref["clientMessageId"] === "string" ? ref["clientMessageId"] : undefined;
};

/** The window of `range` of a chat. Reads only; for a live query (sealed-chat-view.ts). */
export async function timelineWindow(db: SealedDb, conversationId: ConversationId, range: WindowRange, o: ViewOptions = {}): Promise<TimelineWindow> {
  // Both start at once, as in timelineViews (views.ts): Dexie's zone must follow each read of the live query.
  const [read, lines] = await Promise.all([readWindow(db, conversationId, range, o), systemLines(db, conversationId)]);
  const { messages, older, newer, unsentNotHeld } = read;
  const stored = messages.filter((m) => m.seq !== undefined);
  const firstAt = stored[0]?.sentAt;
  const lastAt = stored.at(-1)?.sentAt;
  // System lines outside the window count where they stand but are not held (timelineViews places a line
  // before the first message sent at or after it).
  const before = older > 0 && firstAt !== undefined ? lines.filter((l) => l.at <= firstAt) : [];
  const after = newer > 0 && lastAt !== undefined ? lines.filter((l) => l.at > lastAt) : [];
  const held = lines.filter((l) => !before.includes(l) && !after.includes(l));
  const items = placeLines(messages, held);
  const offset = older + before.length;
  return { items, offset, total: offset + items.length + newer + after.length, hasNewer: newer > 0, unsentNotHeld };
}

interface WindowRead {
  readonly messages: MessageView[];
  /** Shown bubbles before the window's first and after its last (unsent ones included), not held. */
  readonly older: number;
  readonly newer: number;
  readonly unsentNotHeld: number;
}

async function readWindow(db: SealedDb, conversationId: ConversationId, range: WindowRange, o: ViewOptions): Promise<WindowRead> {
  // Every read that needs nothing from another starts at once: awaited one after another, the reads of a
  // window were a dozen IndexedDB round trips before an open chat's first frame (docs/decisions.md "The
  // open chat holds a window"). Started in this call, in Dexie's zone, and awaited together (Promise.all),
  // as in timelineViews, so the live query still follows each of them.
  const inputs = foldInputs(db, conversationId);
  const shown = () => db.messages.where("[shownIn+seq]");
  // Each member's newest marks: what the ticks of the window's own messages are made from.
  const marks = `${conversationId} ${ContentKind.receipt} `;
  const marksRead = db.messages.where("foldKey").between(marks, `${marks}\uffff`, true, true).toArray();
  // This device's unsent rows are few: read for all chats by `status`, then this chat's kept.
  const unsentRead = db.messages.where("status").anyOf("pending", "failed").toArray();
  // The newest bubbles are read before "Delete chat"'s position is known, and those at or before it
  // dropped: the newest WINDOW_NEWEST after it are among the newest WINDOW_NEWEST of all.
  const newestRead = range.at === "newest" ? shown().between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey]).reverse().limit(WINDOW_NEWEST).toArray() : undefined;
  const { conv, prefs } = await inputs;
  const peer = conv?.kind === "direct" ? conv.peer : undefined;
  // Rows up to "Delete chat"'s position are hidden: the window starts after them.
  const low = prefs.deletedUpTo !== undefined ? prefs.deletedUpTo + 1 : -Infinity;
  let bubbles: unknown[];
  let reachesNewest: boolean;
  if (newestRead) {
    // Copied before reversing: live queries get Dexie's cached, frozen arrays (store/db.ts).
    bubbles = (await newestRead).filter((r) => (seqOf(r) ?? -Infinity) >= low).reverse();
    reachesNewest = true;
  } else {
    // A position among the hidden rows (or before the first) reads from the first shown one.
    const at = Math.max((range as { seq: number }).seq, low);
    const [earlier, later] = await Promise.all([
      shown().between([conversationId, low], [conversationId, at], true, true).reverse().limit(WINDOW_HALF).toArray(),
      shown().between([conversationId, at], [conversationId, Dexie.maxKey], false, true).limit(WINDOW_HALF + 1).toArray(),
    ]);
    reachesNewest = later.length <= WINDOW_HALF;
    bubbles = [...earlier.slice().reverse(), ...later.slice(0, WINDOW_HALF)];
  }
  const firstSeq = seqOf(bubbles[0]);
  const lastSeq = seqOf(bubbles.at(-1));
  const rows = new Map<string, unknown>();
  const add = (list: readonly unknown[]) => {
    for (const r of list) {
      const id = idOf(r);
      if (id !== undefined) rows.set(id, r);
    }
  };
  const hides = hiddenCounter(db, conversationId, prefs, peer);
  // The live rows from the first bubble on (its bubbles, and what was stored after each of them), the
  // later actions on its bubbles when it does not reach the newest, and the counts before and after it.
  const upper = reachesNewest || lastSeq === undefined ? Dexie.maxKey : lastSeq;
  const [live, later, olderShown, olderHidden, newerShown, newerHidden, markRows] = await Promise.all([
    firstSeq === undefined ? [] : db.messages.where("[liveIn+seq]").between([conversationId, firstSeq], [conversationId, upper], true, true).toArray(),
    firstSeq === undefined || reachesNewest ? [] : actionsOn(db, conversationId, bubbles.map(idOf).filter((id): id is string => id !== undefined)),
    firstSeq === undefined ? 0 : shown().between([conversationId, low], [conversationId, firstSeq], true, false).count(),
    firstSeq === undefined ? 0 : hides(low, firstSeq - 1),
    reachesNewest || lastSeq === undefined ? 0 : shown().between([conversationId, lastSeq], [conversationId, Dexie.maxKey], false, true).count(),
    reachesNewest || lastSeq === undefined ? 0 : hides(lastSeq + 1, Infinity),
    marksRead,
  ]);
  add(live);
  add(later);
  add(markRows);
  // Unsent rows: the bubbles come after every stored one, so only a window at the newest holds them.
  const unsent: unknown[] = await unsentRead;
  const mine = unsent.filter((r): r is Raw => isRow(r) && r["conversationId"] === conversationId);
  add(mine.filter((r) => reachesNewest || seqOf(r) !== undefined || !isBubbleRow(r)));
  const unsentAfter = reachesNewest ? 0 : mine.filter((r) => seqOf(r) === undefined && isBubbleRow(r)).length;
  // Messages the window's replies quote from outside it: read by key, folded for the quote, not shown.
  const replies = [...rows.values()].filter((r) => isRow(r) && r["kindNumber"] === ContentKind.reply);
  const quoted = [...new Set(replies.map(refIdOf).filter((id): id is string => id !== undefined && !rows.has(id)))];
  const context = new Set<string>();
  if (quoted.length > 0) {
    // Read together: a quoted message's own edits and deletes are found by its id, known before it is read.
    const [found, actions] = await Promise.all([db.messages.bulkGet(quoted.map((id): [ConversationId, string] => [conversationId, id])), actionsOn(db, conversationId, quoted)]);
    const targets = found.filter(isRow);
    for (const t of targets) context.add(idOf(t) ?? "");
    add(targets);
    add(actions.filter((a) => context.has(refIdOf(a) ?? "") && !rows.has(idOf(a) ?? "")));
  }
  const messages = await foldedViews(db, conversationId, [...rows.values()], o, context, inputs);
  const older = olderShown - olderHidden;
  const newer = newerShown - newerHidden + unsentAfter;
  return { messages, older, newer, unsentNotHeld: unsentAfter };
}

function isBubbleRow(r: Raw): boolean {
  const kind = r["kindNumber"];
  return kind === undefined || kind === ContentKind.reply || (typeof kind === "number" && kind > ContentKind.receipt && kind !== ContentKind.profile);
}

/** The live reactions, edits and deletes of the messages `ids`, whenever they were stored. */
async function actionsOn(db: SealedDb, conversationId: ConversationId, ids: readonly string[]): Promise<unknown[]> {
  if (ids.length === 0) return [];
  const rows: unknown[] = await db.messages
    .where("[liveIn+ref.clientMessageId]")
    .anyOf(ids.map((id) => [conversationId, id]))
    .toArray();
  // Replies name a message too, but are bubbles of their own, held by position like any other.
  return rows.filter((r) => isRow(r) && !isBubbleRow(r));
}

/**
 * How many bubbles with a position in [from, to] a blocked peer's hiding takes out of the window's counts
 * (views.ts hiddenBy): read only over the hidden spans, and only when the chat has any.
 */
function hiddenCounter(db: SealedDb, conversationId: ConversationId, p: ChatPrefsRow, peer: string | undefined): (from: number, to: number) => Promise<number> {
  const spans = [...(p.hidden ?? []).map((h) => ({ after: h.after, upTo: h.upTo })), ...(p.blockedSince !== undefined ? [{ after: p.blockedSince, upTo: Infinity }] : [])];
  if (peer === undefined || spans.length === 0) return async () => 0;
  return async (from, to) => {
    const seen = new Set<string>();
    for (const s of spans) {
      const lo = Math.max(from, s.after + 1);
      const hi = Math.min(to, s.upTo);
      if (lo > hi) continue;
      const rows: unknown[] = await db.messages.where("[shownIn+seq]").between([conversationId, lo], [conversationId, hi === Infinity ? Dexie.maxKey : hi], true, true).toArray();
      for (const r of rows) {
        const id = idOf(r);
        if (id !== undefined && isRow(r) && r["senderAccountId"] === peer && hiddenByBlock(seqOf(r), p)) seen.add(id);
      }
    }
    return seen.size;
  };
}
