import { Dexie } from "dexie";
import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { getAccount, getContact, getConversation, getGroup, getMessages, type SealedDb } from "../store/db.js";
import { UNNAMED_GROUP } from "../views/views.js";
import { searchableText } from "./index-message.js";
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

type PostingKey = [string, number, ConversationId, string];

function termRange(term: string, prefix: boolean): [unknown[], unknown[]] {
  return [
    [term, Dexie.minKey, Dexie.minKey, Dexie.minKey],
    [prefix ? `${term}\uffff` : term, Dexie.maxKey, Dexie.maxKey, Dexie.maxKey],
  ];
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

/** Every term starting with `prefix`: their postings merged, newest first. */
async function* prefixNewestFirst(db: SealedDb, prefix: string): AsyncGenerator<PostingKey> {
  const [lower, upper] = termRange(prefix, true);
  const keys = (await db.searchPostings.where("[t+at+c+m]").between(lower, upper).limit(MAX_PREFIX_POSTINGS).primaryKeys()) as PostingKey[];
  keys.sort((a, b) => b[1] - a[1]);
  yield* keys;
}

/** The rarest whole word of the query drives the walk; the others are checked on each candidate's row. */
async function candidates(db: SealedDb, q: ParsedQuery): Promise<AsyncGenerator<PostingKey>> {
  const whole = q.prefix ? q.exact : [...q.exact, q.last];
  if (whole.length === 0) return prefixNewestFirst(db, q.last);
  let best = whole[0]!;
  let fewest = Number.POSITIVE_INFINITY;
  for (const w of whole) {
    const [lower, upper] = termRange(w, false);
    const n = await db.searchPostings.where("[t+at+c+m]").between(lower, upper, true, true).count();
    if (n < fewest) [best, fewest] = [w, n];
  }
  return newestFirst(db, best);
}

/** Names as the chats show them, read once per query. */
class Names {
  private readonly people = new Map<AccountId, string>();
  private readonly chats = new Map<string, string>();
  constructor(
    private readonly db: SealedDb,
    readonly me: string | undefined,
  ) {}

  async person(accountId: AccountId): Promise<string> {
    if (accountId === this.me) return "You";
    let n = this.people.get(accountId);
    if (n === undefined) this.people.set(accountId, (n = (await getContact(this.db, accountId))?.username ?? "unknown"));
    return n;
  }

  async chat(id: ConversationId): Promise<string> {
    let n = this.chats.get(id);
    if (n !== undefined) return n;
    const c = await getConversation(this.db, id);
    n = c?.kind === "direct" ? await this.person(c.peer) : ((await getGroup(this.db, id))?.name ?? UNNAMED_GROUP);
    this.chats.set(id, n);
    return n;
  }
}

/** Searches the local history: newest matching messages first. */
export async function searchMessages(db: SealedDb, text: string, o: SearchOptions = {}): Promise<SearchResult[]> {
  const q = parseQuery(text);
  if (!q) return [];
  const limit = Math.min(Math.max(1, o.limit ?? 50), 200);
  const names = new Names(db, (await getAccount(db))?.accountId);
  const out: SearchResult[] = [];
  const seen = new Set<string>();
  let batch: PostingKey[] = [];
  const check = async (): Promise<void> => {
    const chunk = batch;
    batch = [];
    const found: SearchResult[] = [];
    for (const [c, ids] of groupByChat(chunk)) {
      for (const row of await getMessages(db, c, ids)) {
        if (!row) continue;
        const now = await searchableText(db, row);
        if (now === undefined || !matches(q, tokens(now).map((t) => t.term))) continue;
        found.push({
          conversationId: row.conversationId,
          conversationTitle: await names.chat(row.conversationId),
          key: row.clientMessageId,
          senderName: await names.person(row.senderAccountId),
          mine: row.senderAccountId === names.me,
          sentAt: row.sentAt,
          snippet: makeSnippet(now, matchRanges(q, now)),
        });
      }
    }
    // A chunk is newest first but read chat by chat: put back in order before the limit cuts it.
    out.push(...found.sort((a, b) => b.sentAt - a.sentAt).slice(0, limit - out.length));
  };
  for await (const [, , c, m] of await candidates(db, q)) {
    if (o.conversationId !== undefined && c !== o.conversationId) continue;
    const id = `${c} ${m}`;
    if (seen.has(id)) continue;
    seen.add(id);
    batch.push(["", 0, c, m]);
    if (batch.length >= CHECK) {
      await check();
      if (out.length >= limit) break;
    }
  }
  if (out.length < limit && batch.length) await check();
  return out;
}

function groupByChat(keys: readonly PostingKey[]): Map<ConversationId, string[]> {
  const by = new Map<ConversationId, string[]>();
  for (const [, , c, m] of keys) {
    const list = by.get(c) ?? [];
    list.push(m);
    by.set(c, list);
  }
  return by;
}
