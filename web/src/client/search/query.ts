import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { getAccount, type SealedDb } from "../store/db.js";
import { contactRow, conversationRow, groupRow, messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { UNNAMED_GROUP } from "../views/views.js";
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
/** Keys a term's first read takes: one term is read in pages near a check's size, many terms in small pages. */
const ONE_TERM_PAGE = 64;
const MANY_TERMS_PAGE = 8;
/** A prefix standing for at most this many terms is also used to filter candidates (one read per term). */
const PROBED_PREFIX_TERMS = 8;

/** One word of a query and the terms it stands for (one for a whole word, every term it begins for a prefix). */
interface Step {
  readonly terms: readonly SearchTermRow[];
  /** Postings of all its terms, at most (searchTermRow.n). */
  readonly n: number;
}

async function stepOf(db: SealedDb, term: string, prefix: boolean): Promise<Step> {
  const raw = prefix ? await db.searchTerms.where("t").between(term, `${term}\uffff`, true, true).toArray() : [await db.searchTerms.get(term)].filter((r) => r !== undefined);
  const terms = parseRows(searchTermRow, "searchTerms", raw);
  return { terms, n: terms.reduce((sum, t) => sum + t.n, 0) };
}

/**
 * The plan of a query: the rarest word (fewest postings, by searchTermRow.n) is walked newest first; the
 * others filter its candidates from the index (whole words, and prefixes of a few terms), before the
 * candidates left are checked on their rows. Undefined when some word is in no message at all.
 */
async function plan(db: SealedDb, q: ParsedQuery): Promise<{ drive: Step; filters: Step[] } | undefined> {
  const words = [...q.exact.map((term) => ({ term, prefix: false })), { term: q.last, prefix: q.prefix }];
  const steps = await Promise.all(words.map((w) => stepOf(db, w.term, w.prefix)));
  if (steps.some((s) => s.terms.length === 0)) return undefined;
  steps.sort((a, b) => a.n - b.n);
  const [drive, ...rest] = steps as [Step, ...Step[]];
  return { drive, filters: rest.filter((s) => s.terms.length <= PROBED_PREFIX_TERMS) };
}

/** Of some candidates, those whose messages hold a word of every filter step, by the index alone. */
async function filtered(db: SealedDb, filters: readonly Step[], candidates: PostingKey[]): Promise<PostingKey[]> {
  let left = candidates;
  for (const step of filters) {
    if (left.length === 0) break;
    const hits = await Promise.all(step.terms.map((t) => holding(db, t.t, left)));
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
  for (const c of convs) titles.set(c.id, c.kind === "direct" ? person(c.peer) : UNNAMED_GROUP);
  for (const g of groups) if (g.name !== undefined) titles.set(g.conversationId, g.name);
  return { me, person, chat: (id) => titles.get(id) ?? UNNAMED_GROUP };
}

/**
 * Searches the local history: newest matching messages first. The index proposes candidates newest first
 * (the rarest word's postings, filtered by the others'); each is then checked against its CURRENT row.
 */
export async function searchMessages(db: SealedDb, text: string, o: SearchOptions = {}): Promise<SearchResult[]> {
  const q = parseQuery(text);
  if (!q) return [];
  const limit = Math.min(Math.max(1, o.limit ?? 50), 200);
  const p = await plan(db, q);
  if (!p) return [];
  const found: { row: MessageRow; text: string }[] = [];
  const seen = new Set<string>();
  let batch: PostingKey[] = [];
  const check = async (): Promise<void> => {
    const keys = await filtered(db, p.filters, batch);
    batch = [];
    if (keys.length === 0) return;
    const rows = parseRows(messageRow, "messages", (await db.messages.bulkGet(keys.map((k): [ConversationId, string] => [k[2], k[3]]))).filter((r) => r !== undefined));
    const texts = await searchableTexts(db, rows);
    const now: { row: MessageRow; text: string }[] = [];
    for (const [i, row] of rows.entries()) {
      const t = texts[i];
      if (t !== undefined && matches(q, tokens(t).map((x) => x.term))) now.push({ row, text: t });
    }
    found.push(...now.sort((a, b) => b.row.sentAt - a.row.sentAt).slice(0, limit - found.length));
  };
  for await (const k of newestFirst(db, p.drive.terms, p.drive.terms.length === 1 ? ONE_TERM_PAGE : MANY_TERMS_PAGE)) {
    if (o.conversationId !== undefined && k[2] !== o.conversationId) continue;
    const id = postingId(k);
    if (seen.has(id)) continue;
    seen.add(id);
    batch.push(k);
    if (batch.length >= Math.max(CHECK, limit - found.length)) {
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
