import { msg } from "@lit/localize";
import { Dexie } from "dexie";
import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { getAccount, type SealedDb } from "../store/db.js";
import { contactRow, conversationRow, groupRow, messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { searchableTexts } from "./index-message.js";
import { searchTermRow, type SearchTermRow } from "./search-rows.js";
import { makeSnippet, type Snippet } from "./snippet.js";
import { holding, newestFirst, postingId, type PostingKey } from "./term-stream.js";
import { matchRanges, matches, parseQuery, tokens, type ParsedQuery } from "./tokenize.js";

/**
 * Answering a query from the local index (docs/decisions.md "Search index"). The index narrows the
 * candidates; each candidate is then checked against its CURRENT row (its last edit, deleted or not), so
 * a message deleted for everyone, or matched only by the words of a text since edited, is never shown
 * even while the background indexer has not reached the change yet.
 */

export interface SearchOptions {
  /** Only this chat; all chats when absent. */
  readonly conversationId?: ConversationId;
  /** Most results (default 50, at most 200). */
  readonly limit?: number;
}

export interface SearchResult {
  readonly conversationId: ConversationId;
  /** The chat's name as the list shows it: the peer's username, or the group's name. */
  readonly conversationTitle: string;
  /** The message's client message id: the key the message list jumps to. */
  readonly key: string;
  /** The sender as the chat shows it ("You" for this account's own). */
  readonly senderName: string;
  readonly mine: boolean;
  readonly sentAt: number;
  readonly snippet: Snippet;
}

/** Candidates checked against their rows per request. */
const CHECK = 50;
/** Candidates filtered by the index at once: from CHECK, doubled while few of them pass, up to this. */
const MAX_FILTERED = 1_024;
const FIRST_FILTERED = 200;
/** Keys a term's first read takes: one term is read in pages near a check's size, many terms in small pages. */
const ONE_TERM_PAGE = 64;
const MANY_TERMS_PAGE = 8;
/** When the planner filters candidates from the index rather than on their rows (tests try each way). */
export interface Planning {
  /** A prefix standing for at most this many terms may filter (one read per term per batch). */
  readonly probedPrefixTerms: number;
  /** A word with at most this many postings in all is read whole once and filters in memory. */
  readonly readWhole: number;
  /**
   * A word filters from the index only while it has at most this many times as many postings as the word
   * walked: beyond that, reading its keys costs more than checking the candidates' rows (a key read in a
   * range costs about a twelfth of a row checked, measured in Chromium with bench/src/search's history).
   */
  readonly windowRatio: number;
}

export const PLANNING: Planning = { probedPrefixTerms: 64, readWhole: 4_096, windowRatio: 12 };

/** One word of a query and the terms it stands for (one for a whole word, every term it begins for a prefix). */
interface Step {
  readonly terms: readonly SearchTermRow[];
  /** Postings of all its terms, at most (searchTermRow.n). */
  readonly n: number;
}

/** A word other than the walked one, as it filters candidates: by a set of message ids read whole, or by range reads per batch. */
type Filter = { readonly ids: ReadonlySet<string> } | { readonly terms: readonly SearchTermRow[] };

async function stepOf(db: SealedDb, term: string, prefix: boolean): Promise<Step> {
  const raw = prefix ? await db.searchTerms.where("t").between(term, `${term}\uffff`, true, true).toArray() : [await db.searchTerms.get(term)].filter((r) => r !== undefined);
  const terms = parseRows(searchTermRow, "searchTerms", raw);
  return { terms, n: terms.reduce((sum, t) => sum + t.n, 0) };
}

/** Every message holding one of `terms` (each term's keys in one request). */
async function wholeIds(db: SealedDb, terms: readonly SearchTermRow[]): Promise<Set<string>> {
  const lists = await Promise.all(terms.map((t) => db.searchPostings.where("[t+at+c+m]").between([t.t, Dexie.minKey, Dexie.minKey, Dexie.minKey], [t.t, Dexie.maxKey, Dexie.maxKey, Dexie.maxKey], true, true).primaryKeys()));
  return new Set(lists.flatMap((keys) => (keys as PostingKey[]).map(postingId)));
}

/**
 * The plan of a query: the rarest word (fewest postings, by searchTermRow.n) is walked newest first; each
 * other word filters its candidates from the index where that is cheaper than checking rows (a word of
 * few postings read whole, or range reads over the candidates' time), and whatever is left is checked on
 * the rows. Undefined when some word is in no message at all.
 */
async function plan(db: SealedDb, q: ParsedQuery, how: Planning): Promise<{ drive: Step; filters: Filter[] } | undefined> {
  const words = [...q.exact.map((term) => ({ term, prefix: false })), { term: q.last, prefix: q.prefix }];
  const steps = await Promise.all(words.map((w) => stepOf(db, w.term, w.prefix)));
  if (steps.some((s) => s.terms.length === 0)) return undefined;
  steps.sort((a, b) => a.n - b.n);
  const [drive, ...rest] = steps as [Step, ...Step[]];
  const filters = await Promise.all(
    rest.map(async (s): Promise<Filter | undefined> => {
      if (s.terms.length > how.probedPrefixTerms || s.n > drive.n * how.windowRatio) return undefined;
      return s.n <= how.readWhole ? { ids: await wholeIds(db, s.terms) } : { terms: s.terms };
    }),
  );
  return { drive, filters: filters.filter((f) => f !== undefined) };
}

/** Of some candidates, those whose messages hold a word of every filter, by the index alone. */
async function filtered(db: SealedDb, filters: readonly Filter[], candidates: PostingKey[]): Promise<PostingKey[]> {
  let left = candidates;
  for (const f of filters) {
    if (left.length === 0) break;
    if ("ids" in f) {
      left = left.filter((k) => f.ids.has(postingId(k)));
      continue;
    }
    const from = left;
    const hits = await Promise.all(f.terms.map((t) => holding(db, t.t, from)));
    left = left.filter((k) => hits.some((h) => h.has(postingId(k))));
  }
  return left;
}

/** The names results show, read in a few bulk requests for all of them. */
async function names(db: SealedDb, rows: readonly MessageRow[]): Promise<{ me: AccountId | undefined; person: (id: AccountId) => string; chat: (id: ConversationId) => string }> {
  const me = (await getAccount(db))?.accountId;
  const chatIds = [...new Set(rows.map((r) => r.conversationId))];
  const convs = parseRows(conversationRow, "conversations", (await db.conversations.bulkGet(chatIds)).filter((c) => c !== undefined));
  const groupIds = convs.filter((c) => c.kind === "group").map((c) => c.id);
  const groups = parseRows(groupRow, "groups", (await db.groups.bulkGet(groupIds)).filter((g) => g !== undefined));
  const people = [...new Set([...rows.map((r) => r.senderAccountId), ...convs.flatMap((c) => (c.kind === "direct" ? [c.peer] : []))])];
  const contacts = parseRows(contactRow, "contacts", (await db.contacts.bulkGet(people)).filter((c) => c !== undefined));
  const usernames = new Map(contacts.map((c) => [c.accountId as string, c.username]));
  const person = (id: AccountId) => (id === me ? "You" : (usernames.get(id) ?? "unknown"));
  const titles = new Map<string, string>();
  for (const c of convs) titles.set(c.id, c.kind === "direct" ? person(c.peer) : msg("Unnamed group"));
  for (const g of groups) if (g.name !== undefined) titles.set(g.conversationId, g.name);
  return { me, person, chat: (id) => titles.get(id) ?? msg("Unnamed group") };
}

/**
 * Searches the local history: newest matching messages first. The index proposes candidates newest first
 * (the rarest word's postings, filtered by the others'); each is then checked against its CURRENT row.
 */
export async function searchMessages(db: SealedDb, text: string, o: SearchOptions = {}, how: Planning = PLANNING): Promise<SearchResult[]> {
  const q = parseQuery(text);
  if (!q) return [];
  const limit = Math.min(Math.max(1, o.limit ?? 50), 200);
  const p = await plan(db, q, how);
  if (!p) return [];
  const found: { row: MessageRow; text: string }[] = [];
  const seen = new Set<string>();
  let batch: PostingKey[] = [];
  // With words to filter by, most candidates may fail them: the first batch is larger.
  let size = p.filters.length ? FIRST_FILTERED : CHECK;
  /** Checks candidates on their rows (the newest first, a request per CHECK or so), until the limit is reached. */
  const rowCheck = async (keys: PostingKey[]): Promise<void> => {
    const rows = parseRows(messageRow, "messages", (await db.messages.bulkGet(keys.map((k): [ConversationId, string] => [k[2], k[3]]))).filter((r) => r !== undefined));
    const texts = await searchableTexts(db, rows);
    const now: { row: MessageRow; text: string }[] = [];
    for (const [i, row] of rows.entries()) {
      const t = texts[i];
      if (t !== undefined && matches(q, tokens(t).map((x) => x.term))) now.push({ row, text: t });
    }
    found.push(...now.sort((a, b) => b.row.sentAt - a.row.sentAt).slice(0, limit - found.length));
  };
  const check = async (): Promise<void> => {
    const keys = await filtered(db, p.filters, batch);
    batch = [];
    for (let i = 0; i < keys.length && found.length < limit; ) {
      const chunk = Math.max(CHECK, limit - found.length);
      await rowCheck(keys.slice(i, i + chunk));
      i += chunk;
    }
    // Few passed the filters: the next batch is larger, so a rare pair of words costs few reads per term.
    if (found.length < limit) size = Math.min(MAX_FILTERED, size * 2);
  };
  for await (const k of newestFirst(db, p.drive.terms, p.drive.terms.length === 1 ? ONE_TERM_PAGE : MANY_TERMS_PAGE)) {
    if (o.conversationId !== undefined && k[2] !== o.conversationId) continue;
    const id = postingId(k);
    if (seen.has(id)) continue;
    seen.add(id);
    batch.push(k);
    if (batch.length >= Math.max(size, limit - found.length)) {
      await check();
      if (found.length >= limit) break;
    }
  }
  if (found.length < limit && batch.length) await check();
  const n = await names(db, found.map((f) => f.row));
  return found.map(({ row, text: now }) => ({
    conversationId: row.conversationId,
    conversationTitle: n.chat(row.conversationId),
    key: row.clientMessageId,
    senderName: n.person(row.senderAccountId),
    mine: row.senderAccountId === n.me,
    sentAt: row.sentAt,
    snippet: makeSnippet(now, matchRanges(q, now)),
  }));
}
