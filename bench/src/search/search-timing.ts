// Runs inside a Chromium page (bench/src/page/entry.ts): a store of N synthetic messages in the page's
// real IndexedDB, indexed by the app's own indexer (web/src/client/search/), then queries timed one by one.
import { AccountId, ClientMessageId, ConversationId, DeviceId } from "../../../protocol/ids.js";
import { SealedDb } from "../../../web/src/client/store/db.js";
import { SearchIndexer } from "../../../web/src/client/search/indexer.js";
import { searchMessages } from "../../../web/src/client/search/query.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";

export interface SearchTimingParams {
  readonly messages: number;
  readonly queries: number;
  readonly chats: number;
  /** Rounds of three untimed queries before the timed ones. */
  readonly warmUpRounds: number;
}

export interface SearchTimingRun {
  readonly messages: number;
  /** Wall time to index every stored message, ms. */
  readonly indexMs: number;
  readonly postings: number;
  /** Rows of the term table (one per distinct term). */
  readonly terms: number;
  /** navigator.storage.estimate() usage grown while indexing, bytes (the origin's whole store, compressed). */
  readonly indexBytesOnDisk: number;
  /** The postings' keys and values as stored (strings as UTF-16, numbers 8 bytes), bytes. */
  readonly indexBytesLogical: number;
  /** One sample per query, ms, by kind. */
  readonly samples: Record<"word" | "prefix" | "two-words", number[]>;
  readonly results: number;
}

/** A small deterministic generator (mulberry32), so every run stores the same history. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "so", "vi", "de", "pa", "xu", "be", "fi", "go", "ha", "ju"];

/** A vocabulary of 8,000 words; messages draw from it with a Zipf-like skew, as natural text does. */
function vocabulary(random: () => number): string[] {
  const words = new Set<string>();
  while (words.size < 8_000) {
    const n = 2 + Math.floor(random() * 3);
    words.add(Array.from({ length: n }, () => SYLLABLES[Math.floor(random() * SYLLABLES.length)]).join(""));
  }
  return [...words];
}

function zipf(random: () => number, n: number): number {
  return Math.min(n - 1, Math.floor(Math.exp(random() * Math.log(n + 1))) - 1);
}

function id(random: () => number, size: number): Uint8Array {
  return Uint8Array.from({ length: size }, () => Math.floor(random() * 256));
}

/** Fills `db` with the bench's synthetic history (deterministic) and its cursors; returns the vocabulary and the generator, for drawing queries. */
export async function seedSearchStore(db: SealedDb, p: SearchTimingParams): Promise<{ words: string[]; random: () => number }> {
  const random = rng(20);
  const words = vocabulary(random);
  const me = AccountId.fromBytes(id(random, 32));
  const device = DeviceId.fromBytes(id(random, 16));
  const chats = Array.from({ length: p.chats }, () => ConversationId.fromBytes(id(random, 16)));
  const start = Date.UTC(2025, 0, 1);
  const seqs = new Map<string, number>();
  let batch: MessageRow[] = [];
  for (let i = 0; i < p.messages; i++) {
    const conversationId = chats[i % chats.length]!;
    const seq = (seqs.get(conversationId) ?? 0) + 1;
    seqs.set(conversationId, seq);
    const length = 4 + Math.floor(random() * 12);
    const text = Array.from({ length }, () => words[zipf(random, words.length)]).join(" ");
    batch.push({ conversationId, clientMessageId: ClientMessageId.fromBytes(id(random, 16)), seq, senderAccountId: me, senderDeviceId: device, counter: i + 1, text, sentAt: start + i * 60_000, status: "sent" });
    if (batch.length === 2_000 || i === p.messages - 1) {
      await db.messages.bulkPut(batch);
      batch = [];
    }
  }
  await db.cursors.bulkPut([...seqs].map(([conversationId, after]) => ({ conversationId: conversationId as ConversationId, after })));
  return { words, random };
}

/** The queries of one round: a whole word, a 3-letter prefix, a word and a prefix (words drawn with the Zipf skew). */
export function queryRound(words: readonly string[], random: () => number): [keyof SearchTimingRun["samples"], string][] {
  const a = words[zipf(random, words.length)]!;
  const b = words[zipf(random, words.length)]!;
  return [
    ["word", `${a} `],
    ["prefix", a.slice(0, 3)],
    ["two-words", `${a} ${b.slice(0, Math.max(2, b.length - 1))}`],
  ];
}

export async function timeSearch(p: SearchTimingParams): Promise<SearchTimingRun> {
  const name = `bench-search-${p.messages}-${Date.now()}`;
  const db = new SealedDb(name);
  try {
    const { words, random } = await seedSearchStore(db, p);
    const before = (await navigator.storage.estimate()).usage ?? 0;
    const t0 = performance.now();
    await new SearchIndexer(db).catchUp();
    const indexMs = performance.now() - t0;
    const after = (await navigator.storage.estimate()).usage ?? 0;
    let postings = 0;
    let logical = 0;
    await db.searchPostings.each((row) => {
      postings++;
      // The primary key holds all four fields; the [c+m] index holds c and m again.
      logical += 2 * (row.t.length + row.c.length + row.m.length) + 8 + 2 * (row.c.length + row.m.length);
    });
    let terms = 0;
    await db.searchTerms.each((row) => {
      terms++;
      // The term as key and in the value, and two numbers.
      logical += 4 * row.t.length + 16;
    });
    // Untimed first: a few rounds of queries drawn the same way from another seed (the page's code compiled, the store's
    // files opened), as in an app that has been used; then the timed ones, the same draw in every run.
    const warm = rng(21);
    for (let i = 0; i < p.warmUpRounds; i++) for (const [, q] of queryRound(words, warm)) await searchMessages(db, q, { limit: 50 });
    const samples: SearchTimingRun["samples"] = { word: [], prefix: [], "two-words": [] };
    let results = 0;
    for (let i = 0; i < p.queries; i++) {
      for (const [kind, q] of queryRound(words, random)) {
        const q0 = performance.now();
        results += (await searchMessages(db, q, { limit: 50 })).length;
        samples[kind].push(performance.now() - q0);
      }
    }
    return { messages: p.messages, indexMs, postings, terms, indexBytesOnDisk: Math.max(0, after - before), indexBytesLogical: logical, samples, results };
  } finally {
    db.close();
    await SealedDb.delete(name).catch(() => undefined);
  }
}
