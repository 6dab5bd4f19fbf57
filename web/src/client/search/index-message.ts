import { Dexie } from "dexie";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import { getMessages, type SealedDb } from "../store/db.js";
import { messageRow, parseRows, type MessageRow } from "../store/rows.js";
import { indexTerms } from "./tokenize.js";
import type { PostingKey } from "./term-stream.js";
import { searchTermRow, type SearchPostingRow, type SearchTermRow } from "./search-rows.js";

/**
 * Keeping the search index true to the store: a message's postings are always those of what it says
 * NOW (its last edit, its file name and caption), and none once deleted for everyone. Every function
 * here reads and writes only IndexedDB, so it may run inside a caller's Dexie transaction (receive.ts's
 * page commit, apply-content.ts's delete) as long as that transaction's scope holds `searchPostings`.
 */

/** The fold key (store/fold-keys.ts) under which the author's live edit of `row` is stored. */
function editKey(row: MessageRow): string {
  return `${row.conversationId} ${ContentKind.edit} ${row.senderAccountId} ${row.senderDeviceId} ${row.clientMessageId}`;
}

/** The live edits (their authors' newest stored ones) of several messages, in one read, by edit key. */
async function liveEdits(db: SealedDb, rows: readonly MessageRow[]): Promise<Map<string, string>> {
  const keys = rows.filter((r) => r.kindNumber === undefined || r.kindNumber === ContentKind.text || r.kindNumber === ContentKind.reply).map(editKey);
  const out = new Map<string, string>();
  if (keys.length === 0) return out;
  for (const edit of parseRows(messageRow, "messages", await db.messages.where("foldKey").anyOf(keys).toArray())) {
    if (!edit.superseded && edit.text !== "" && edit.ref) out.set(`${edit.conversationId} ${ContentKind.edit} ${edit.senderAccountId} ${edit.ref.deviceId} ${edit.ref.clientMessageId}`, edit.text);
  }
  return out;
}

/**
 * What messages say now, as search sees them, in the order of `rows`: a text or reply's (last edited)
 * text; an attachment's file name and caption; undefined for a deleted message or any other kind.
 */
export async function searchableTexts(db: SealedDb, rows: readonly MessageRow[]): Promise<(string | undefined)[]> {
  const edits = await liveEdits(db, rows);
  return rows.map((row) => {
    if (row.deletedAt !== undefined || row.superseded) return undefined;
    if (row.kindNumber === undefined || row.kindNumber === ContentKind.text || row.kindNumber === ContentKind.reply) return edits.get(editKey(row)) ?? row.text;
    if (row.kindNumber === ContentKind.attachment && row.attachment) return `${row.attachment.name} ${row.attachment.caption}`;
    return undefined;
  });
}

export async function searchableText(db: SealedDb, row: MessageRow): Promise<string | undefined> {
  return (await searchableTexts(db, [row]))[0];
}

/**
 * Removes postings by key, and the rows of their terms that no posting is left for (so a deleted
 * message's words leave `searchTerms` too). Terms in `keep` are about to get postings again.
 */
export async function unindexPostings(db: SealedDb, keys: readonly PostingKey[], keep: ReadonlySet<string> = new Set()): Promise<void> {
  if (keys.length === 0) return;
  await db.searchPostings.bulkDelete([...keys]);
  const terms = [...new Set(keys.map((k) => k[0]))].filter((t) => !keep.has(t));
  const left = await Promise.all(
    terms.map((t) => db.searchPostings.where("[t+at+c+m]").between([t, Dexie.minKey, Dexie.minKey, Dexie.minKey], [t, Dexie.maxKey, Dexie.maxKey, Dexie.maxKey], true, true).limit(1).primaryKeys()),
  );
  const gone = terms.filter((_, i) => left[i]!.length === 0);
  if (gone.length) await db.searchTerms.bulkDelete(gone);
}

/** Removes every posting of one message (deleted for everyone, or about to be indexed anew). */
export async function unindexMessage(db: SealedDb, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  await unindexPostings(db, (await db.searchPostings.where("[c+m]").equals([conversationId, clientMessageId]).primaryKeys()) as PostingKey[]);
}

/** What indexing some messages writes: their old postings out (by [conversation, message]), these in. */
export interface IndexUpdate {
  readonly messages: readonly [ConversationId, string][];
  readonly postings: readonly SearchPostingRow[];
}

/** The postings of messages as they read now (reads only: may run in a read-only transaction). */
export async function postingsOf(db: SealedDb, rows: readonly MessageRow[]): Promise<IndexUpdate> {
  const texts = await searchableTexts(db, rows);
  return {
    messages: rows.map((r) => [r.conversationId, r.clientMessageId]),
    postings: rows.flatMap((row, i) => indexTerms(texts[i] ?? "").map((t): SearchPostingRow => ({ t, at: row.sentAt, c: row.conversationId, m: row.clientMessageId }))),
  };
}

/**
 * Writes an index update (searchPostings and searchTerms: the caller's transaction must hold both). Each
 * term's figures grow by what is written (searchTermRow: upper bounds, never lowered); a term left with
 * no posting loses its row.
 */
export async function applyIndexUpdate(db: SealedDb, u: IndexUpdate): Promise<void> {
  if (u.messages.length === 0) return;
  const old = (await db.searchPostings.where("[c+m]").anyOf(u.messages.map((m) => [...m])).primaryKeys()) as PostingKey[];
  await unindexPostings(db, old, new Set(u.postings.map((p) => p.t)));
  if (!u.postings.length) return;
  await db.searchPostings.bulkPut([...u.postings]);
  const grown = new Map<string, SearchTermRow>();
  for (const p of u.postings) {
    const g = grown.get(p.t);
    grown.set(p.t, { t: p.t, n: (g?.n ?? 0) + 1, last: Math.max(g?.last ?? 0, p.at) });
  }
  const stored = await db.searchTerms.bulkGet([...grown.keys()]);
  await db.searchTerms.bulkPut(
    [...grown.values()].map((g, i) => {
      const was = searchTermRow.safeParse(stored[i]);
      // A row that does not parse is replaced: the figures only steer the planner, and these are true for what is written now.
      return was.success ? { t: g.t, n: was.data.n + g.n, last: Math.max(was.data.last, g.last) } : g;
    }),
  );
}

/** Indexes messages as they read now: their old postings out, the current ones in (a few requests in all). */
export async function indexMessages(db: SealedDb, rows: readonly MessageRow[]): Promise<void> {
  if (rows.length === 0) return;
  await applyIndexUpdate(db, await postingsOf(db, rows));
}

export async function indexMessage(db: SealedDb, row: MessageRow): Promise<void> {
  await indexMessages(db, [row]);
}

/**
 * What bringing the index up to date with stored rows writes (read only, so the indexer reads in a
 * read-only transaction): a message is indexed as it reads now; an edit or a
 * delete re-indexes the message it names (a delete leaves it with no postings).
 */
export async function storedRowsUpdate(db: SealedDb, rows: readonly MessageRow[]): Promise<IndexUpdate> {
  const messages = new Map<string, MessageRow>();
  const targets: MessageRow[] = [];
  for (const row of rows) {
    if ((row.kindNumber === ContentKind.edit || row.kindNumber === ContentKind.delete) && row.ref) targets.push(row);
    else if (isSearchableKind(row.kindNumber)) messages.set(`${row.conversationId} ${row.clientMessageId}`, row);
  }
  // The targets as stored now (an edit's target may be in this batch too: read anew either way).
  for (const t of targets) messages.delete(`${t.conversationId} ${t.ref!.clientMessageId}`);
  const byChat = new Map<ConversationId, string[]>();
  for (const t of targets) byChat.set(t.conversationId, [...(byChat.get(t.conversationId) ?? []), t.ref!.clientMessageId]);
  const fresh: MessageRow[] = [];
  for (const [c, ids] of byChat) for (const r of await getMessages(db, c, [...new Set(ids)])) if (r) fresh.push(r);
  return postingsOf(db, [...messages.values(), ...fresh]);
}

/** Kinds whose rows are messages with words of their own: text, reply, attachment. */
export function isSearchableKind(kindNumber: number | undefined): boolean {
  return kindNumber === undefined || kindNumber === ContentKind.text || kindNumber === ContentKind.reply || kindNumber === ContentKind.attachment;
}

/**
 * Called where a message is deleted for everyone (apply-content.ts): its postings go in the same
 * transaction when that transaction covers the index; otherwise the indexer removes them when it reaches
 * the delete, and until then every query checks the message's current row and drops it.
 */
export async function unindexIfInScope(db: SealedDb, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  const tx = Dexie.currentTransaction;
  if (tx && !(tx.storeNames.includes("searchPostings") && tx.storeNames.includes("searchTerms"))) return;
  await unindexMessage(db, conversationId, clientMessageId);
}
