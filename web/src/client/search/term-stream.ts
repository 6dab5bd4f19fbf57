import { Dexie } from "dexie";
import type { ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "../store/db.js";
import type { SearchTermRow } from "./search-rows.js";

/**
 * Reading postings newest first without reading whole lists (docs/decisions.md "Search index"). A
 * posting's key `[t, at, c, m]` orders one term's messages by time, so one term reads newest first by a
 * reverse range with a limit. Several terms (those a prefix stands for) are merged: each term is opened
 * only once its `last` (searchTermRow, an upper bound of its newest posting) is at least as new as the
 * newest posting not yet given out, so a one-letter prefix over a long history opens only the terms used
 * lately, a few keys each, instead of reading every posting of every term.
 */

export type PostingKey = [string, number, ConversationId, string];

/** Keys read by a term's first request; each further request reads twice as many, up to MAX_PAGE. */
const MAX_PAGE = 512;

export const postingId = (k: PostingKey): string => `${k[2]} ${k[3]}`;

/** Whether posting `a` is newer than `b` (time, then conversation and message, as the keys order them). */
function newer(a: PostingKey, b: PostingKey): boolean {
  if (a[1] !== b[1]) return a[1] > b[1];
  if (a[2] !== b[2]) return a[2] > b[2];
  return a[3] > b[3];
}

/** One term's postings, newest first, a growing page at a time. */
class TermReader {
  private keys: PostingKey[] = [];
  private at = 0;
  private below: PostingKey | undefined;
  done = false;

  constructor(
    private readonly db: SealedDb,
    readonly term: string,
    private page: number,
  ) {}

  get head(): PostingKey | undefined {
    return this.keys[this.at];
  }

  get drained(): boolean {
    return this.at >= this.keys.length;
  }

  take(): PostingKey {
    return this.keys[this.at++]!;
  }

  async fill(): Promise<void> {
    const lower = [this.term, Dexie.minKey, Dexie.minKey, Dexie.minKey];
    const upper = this.below ?? [this.term, Dexie.maxKey, Dexie.maxKey, Dexie.maxKey];
    const keys = (await this.db.searchPostings
      .where("[t+at+c+m]")
      .between(lower, upper, true, this.below === undefined)
      .reverse()
      .limit(this.page)
      .primaryKeys()) as PostingKey[];
    this.done = keys.length < this.page;
    this.keys = keys;
    this.at = 0;
    this.below = keys.at(-1);
    this.page = Math.min(MAX_PAGE, this.page * 2);
  }
}

/**
 * The postings of `terms`, newest first (a message holding two of them comes twice: callers drop the
 * repeat). `firstPage` is how many keys a term's first request reads.
 */
export async function* newestFirst(db: SealedDb, terms: readonly SearchTermRow[], firstPage: number): AsyncGenerator<PostingKey> {
  const waiting = [...terms].sort((a, b) => b.last - a.last);
  let next = 0;
  let open: TermReader[] = [];
  for (;;) {
    await Promise.all(open.filter((r) => r.drained && !r.done).map((r) => r.fill()));
    open = open.filter((r) => !r.drained);
    let best: TermReader | undefined;
    for (const r of open) if (!best || newer(r.head!, best.head!)) best = r;
    // Terms that may hold a posting as new as the best head are opened (all at once: their reads overlap).
    const bound = best ? best.head![1] : waiting[next]?.last;
    if (bound !== undefined && next < waiting.length && waiting[next]!.last >= bound) {
      const opening: TermReader[] = [];
      while (next < waiting.length && waiting[next]!.last >= bound) opening.push(new TermReader(db, waiting[next++]!.t, firstPage));
      await Promise.all(opening.map((r) => r.fill()));
      open.push(...opening);
      continue;
    }
    if (!best) return;
    yield best.take();
  }
}

/**
 * Of `candidates`, the ids of those whose message also holds `term`: one range read over the time the
 * candidates span when that holds few postings of the term, otherwise one lookup per candidate by its
 * exact key (the posting's key is known: the term, and the candidate's time, chat and message).
 */
export async function holding(db: SealedDb, term: string, candidates: readonly PostingKey[]): Promise<Set<string>> {
  if (candidates.length === 0) return new Set();
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const k of candidates) {
    lo = Math.min(lo, k[1]);
    hi = Math.max(hi, k[1]);
  }
  // Reading a key in a range costs about a twelfth of a lookup by key (measured in Chromium); the planner
  // filters this way only by a word with at most 12 times the walked word's postings, so this rarely overflows.
  const most = candidates.length * 16;
  const window = (await db.searchPostings
    .where("[t+at+c+m]")
    .between([term, lo, Dexie.minKey, Dexie.minKey], [term, hi, Dexie.maxKey, Dexie.maxKey], true, true)
    .limit(most)
    .primaryKeys()) as PostingKey[];
  if (window.length < most) {
    const inWindow = new Set(window.map(postingId));
    return new Set(candidates.map(postingId).filter((id) => inWindow.has(id)));
  }
  const found = await db.searchPostings.bulkGet(candidates.map((k): PostingKey => [term, k[1], k[2], k[3]]));
  return new Set(found.flatMap((p) => (p ? [`${p.c} ${p.m}`] : [])));
}
