import { msg } from "@lit/localize";
import { Dexie } from "dexie";
import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { getAccount, type SealedDb } from "../store/db.js";
import { contactRow, conversationRow, groupRow, messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { searchableTexts } from "./index-message.js";
import { makeSnippet, type Snippet } from "./snippet.js";
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

/** Keys of postings read per request while walking a term newest first. */
const PAGE = 200;
/** Most postings a prefix query reads (a one-letter prefix over a huge history): the newest are kept. */
const MAX_PREFIX_POSTINGS = 50_000;
/** Candidates checked against their rows per request. */
const CHECK = 50;
/** Candidates few enough to check on their rows rather than intersect with one more word's postings. */
const FEW = 200;
/** A word is intersected only when it has at most this many times more postings than there are candidates. */
const INTERSECT_RATIO = 4;

type PostingKey = [string, number, ConversationId, string];

function termRange(term: string, prefix: boolean): [unknown[], unknown[]] {
  return [
    [term, Dexie.minKey, Dexie.minKey, Dexie.minKey],
    [prefix ? `${term}\uffff` : term, Dexie.maxKey, Dexie.maxKey, Dexie.maxKey],
  ];
}

function range(db: SealedDb, term: string, prefix: boolean) {
  const [lower, upper] = termRange(term, prefix);
  return db.searchPostings.where("[t+at+c+m]").between(lower, upper, true, true);
}

/** A whole term's postings, newest first, a page at a time (a common word is not read whole). */
async function* newestFirst(db: SealedDb, term: string): AsyncGenerator<PostingKey> {
  const [lower, upper] = termRange(term, false);
  let hi: unknown[] = upper;
  let includeHi = true;
  for (;;) {
    const keys = (await db.searchPostings.where("[t+at+c+m]").between(lower, hi, true, includeHi).reverse().limit(PAGE).primaryKeys()) as PostingKey[];
    yield* keys;
    const last = keys.at(-1);
    if (keys.length < PAGE || !last) return;
    hi = last;
    includeHi = false;
  }
}

const idOf = (k: PostingKey) => `${k[2]} ${k[3]}`;

/**
 * The messages holding every word of the query (the last as a prefix when typed so), newest first. The
 * rarest word (by count) is read whole; the next rarest is intersected with it only while its postings
 * are few against the candidates (reading a common word's keys costs more than checking rows); whatever
 * is not intersected is checked on the rows (check() re-tokenises every candidate anyway), newest first,
 * until the limit is reached.
 */
async function* candidates(db: SealedDb, q: ParsedQuery): AsyncGenerator<PostingKey> {
  const whole = q.prefix ? [...q.exact] : [...q.exact, q.last];
  // One whole word: its postings are already newest first; read a page at a time.
  if (whole.length === 1 && !q.prefix) return yield* newestFirst(db, whole[0]!);
  const steps = [...whole.map((term) => ({ term, prefix: false })), ...(q.prefix ? [{ term: q.last, prefix: true }] : [])];
  const counted = await Promise.all(steps.map(async (st) => ({ ...st, n: await range(db, st.term, st.prefix).count() })));
  counted.sort((a, b) => a.n - b.n);
  let set: Map<string, PostingKey> | undefined;
  for (const step of counted) {
    if (set && (set.size <= FEW || step.n > set.size * INTERSECT_RATIO)) break;
    const keys = (await range(db, step.term, step.prefix).limit(MAX_PREFIX_POSTINGS).primaryKeys()) as PostingKey[];
    const next = new Map<string, PostingKey>();
    for (const k of keys) {
      const id = idOf(k);
      if (!set || set.has(id)) next.set(id, k);
    }
    set = next;
  }
  yield* [...(set?.values() ?? [])].sort((a, b) => b[1] - a[1]);
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

/** Searches the local history: newest matching messages first. */
export async function searchMessages(db: SealedDb, text: string, o: SearchOptions = {}): Promise<SearchResult[]> {
  const q = parseQuery(text);
  if (!q) return [];
  const limit = Math.min(Math.max(1, o.limit ?? 50), 200);
  const found: { row: MessageRow; text: string }[] = [];
  const seen = new Set<string>();
  let batch: [ConversationId, string][] = [];
  const check = async (): Promise<void> => {
    const rows = parseRows(messageRow, "messages", (await db.messages.bulkGet(batch)).filter((r) => r !== undefined));
    batch = [];
    const texts = await searchableTexts(db, rows);
    const now: { row: MessageRow; text: string }[] = [];
    for (const [i, row] of rows.entries()) {
      const t = texts[i];
      if (t !== undefined && matches(q, tokens(t).map((x) => x.term))) now.push({ row, text: t });
    }
    found.push(...now.sort((a, b) => b.row.sentAt - a.row.sentAt).slice(0, limit - found.length));
  };
  for await (const [, , c, m] of candidates(db, q)) {
    if (o.conversationId !== undefined && c !== o.conversationId) continue;
    const id = `${c} ${m}`;
    if (seen.has(id)) continue;
    seen.add(id);
    batch.push([c, m]);
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
