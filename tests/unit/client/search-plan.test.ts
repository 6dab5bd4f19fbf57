import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Dexie } from "dexie";
import { describe, expect, test } from "vitest";
import type { ClientMessageId, ConversationId } from "../../../protocol/index.js";
import { applyIndexUpdate } from "../../../web/src/client/search/index-message.js";
import { SearchIndexer } from "../../../web/src/client/search/indexer.js";
import { PLANNING, searchMessages } from "../../../web/src/client/search/query.js";
import { matches, parseQuery, tokens } from "../../../web/src/client/search/tokenize.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import type { SearchPostingRow } from "../../../web/src/client/search/search-rows.js";
import { holding, newestFirst, postingId, type PostingKey } from "../../../web/src/client/search/term-stream.js";
import type { SealedDb } from "../../../web/src/client/store/db.js";
import { freshDb } from "./helpers.js";

// The query planner's parts on fake-indexeddb (the timing is the search benchmark's, in Chromium): the
// newest-first merge of many terms' postings must give exactly what sorting them all would, whatever the
// page sizes and however stale the terms' figures; the filter by another word must give exactly the
// messages holding it, by either of its two ways; and an index built before the figures existed is rebuilt.

const CHATS = ["AAAAAAAAAAAAAAAAAAAAAA", "BAAAAAAAAAAAAAAAAAAAAA", "CAAAAAAAAAAAAAAAAAAAAA"] as ConversationId[];

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const messageId = (i: number) => `M${String(i).padStart(20, "0")}A` as ClientMessageId;

/** Postings of `count` messages over a few terms (skewed), written as the indexer writes them. */
async function seeded(db: SealedDb, count: number, terms: readonly string[], seed: number): Promise<SearchPostingRow[]> {
  const random = rng(seed);
  const postings: SearchPostingRow[] = [];
  const messages: [ConversationId, string][] = [];
  for (let i = 0; i < count; i++) {
    const c = CHATS[i % CHATS.length]!;
    const m = messageId(i);
    messages.push([c, m]);
    // Times repeat now and then (two messages in the same millisecond), and are not in message order.
    const at = 1_000 + Math.floor(random() * count * 0.8);
    const held = new Set(terms.filter((_, k) => random() < 1 / (k + 1.5)));
    for (const t of held) postings.push({ t, at, c, m });
  }
  await db.transaction("rw", [db.searchPostings, db.searchTerms], () => applyIndexUpdate(db, { messages, postings }));
  return postings;
}

const newestOrder = (a: PostingKey, b: PostingKey) => b[1] - a[1] || (a[2] < b[2] ? 1 : a[2] > b[2] ? -1 : 0) || (a[3] < b[3] ? 1 : a[3] > b[3] ? -1 : 0);

async function collect(stream: AsyncGenerator<PostingKey>, most = Number.POSITIVE_INFINITY): Promise<PostingKey[]> {
  const out: PostingKey[] = [];
  for await (const k of stream) {
    out.push(k);
    if (out.length >= most) break;
  }
  return out;
}

describe("the search query planner", () => {
  test("merging many terms newest first gives every posting in time order, with any page size", async () => {
    const db = freshDb();
    const terms = Array.from({ length: 12 }, (_, k) => `ka${String.fromCharCode(97 + k)}`);
    const postings = await seeded(db, 400, terms, 7);
    const rows = (await db.searchTerms.toArray()).filter((r) => r.t.startsWith("ka"));
    expect(rows.map((r) => r.t).sort()).toEqual([...new Set(postings.map((p) => p.t))].sort());
    const expected = postings.map((p): PostingKey => [p.t, p.at, p.c, p.m]).sort(newestOrder);
    for (const page of [1, 3, 8, 64, 1000]) {
      const got = await collect(newestFirst(db, rows, page));
      expect(got.map((k) => k[1])).toEqual(expected.map((k) => k[1]));
      expect(new Set(got.map((k) => `${k[0]} ${postingId(k)}`))).toEqual(new Set(expected.map((k) => `${k[0]} ${postingId(k)}`)));
    }
    // The newest 30 alone, as a query reads them.
    expect((await collect(newestFirst(db, rows, 8), 30)).map((k) => k[1])).toEqual(expected.slice(0, 30).map((k) => k[1]));
    db.close();
  });

  test("a term's figures may be stale (postings removed since): the merge stays exact", async () => {
    const db = freshDb();
    const postings = await seeded(db, 200, ["ma", "mb", "mc"], 11);
    // Every posting of "mb" removed, and the newest half of "ma": their `last` now says newer than they hold.
    const ma = postings.filter((p) => p.t === "ma").sort((a, b) => b.at - a.at);
    await db.searchPostings.where("[t+at+c+m]").between(["mb", Dexie.minKey, Dexie.minKey, Dexie.minKey], ["mb", Dexie.maxKey, Dexie.maxKey, Dexie.maxKey]).delete();
    await db.searchPostings.bulkDelete(ma.slice(0, ma.length / 2).map((p): PostingKey => [p.t, p.at, p.c, p.m]));
    const left = await db.searchPostings.toArray();
    const expected = left.filter((p) => p.t.startsWith("m")).map((p): PostingKey => [p.t, p.at, p.c, p.m]).sort(newestOrder);
    const got = await collect(newestFirst(db, await db.searchTerms.toArray(), 4));
    expect(got.map((k) => k[1])).toEqual(expected.map((k) => k[1]));
    expect(got).toHaveLength(expected.length);
    db.close();
  });

  test("filtering candidates by another word finds exactly those holding it, by a range read or by lookups", async () => {
    const db = freshDb();
    const postings = await seeded(db, 300, ["xa", "xb"], 5);
    const has = (t: string) => new Set(postings.filter((p) => p.t === t).map((p) => `${p.c} ${p.m}`));
    const xa = postings.filter((p) => p.t === "xa").map((p): PostingKey => [p.t, p.at, p.c, p.m]).sort(newestOrder);
    const xb = has("xb");
    // Many candidates: "xb" holds fewer than 16 per candidate in their span (one range read).
    const many = xa.slice(0, 60);
    expect(await holding(db, "xb", many)).toEqual(new Set(many.map(postingId).filter((id) => xb.has(id))));
    // Two candidates far apart: the span holds more than 16 per candidate, so each is looked up by key.
    const two = [xa[0]!, xa.at(-1)!];
    expect(await holding(db, "xb", two)).toEqual(new Set(two.map(postingId).filter((id) => xb.has(id))));
    expect(await holding(db, "zz", many)).toEqual(new Set());
    db.close();
  });

  test("every plan (a word read whole, range reads per batch, rows only) answers as checking every message would", async () => {
    const db = freshDb();
    const random = rng(3);
    // A skewed vocabulary: "aa" in most messages, "ab"... rarer, prefixes shared ("ca", "cab", "cabe"...).
    const words = ["aa", "ab", "ac", "ad", "ca", "cab", "cabe", "cabin", "dune", "dusk", "e1", "e2", "e3", "e4", "e5", "e6"];
    const rows: MessageRow[] = [];
    for (let i = 0; i < 400; i++) {
      const text = Array.from({ length: 3 + Math.floor(random() * 5) }, () => words[Math.floor(words.length * random() ** 2.5)]).join(" ");
      const conversationId = CHATS[i % CHATS.length]!;
      rows.push({ conversationId, clientMessageId: messageId(i), seq: Math.floor(i / CHATS.length) + 1, senderAccountId: `${"B".repeat(42)}A` as never, senderDeviceId: "CCCCCCCCCCCCCCCCCCCCCA" as never, counter: i + 1, text, sentAt: 5_000 + Math.floor(random() * 300), status: "sent" });
    }
    await db.messages.bulkPut(rows);
    await db.cursors.bulkPut(CHATS.map((conversationId) => ({ conversationId, after: Math.ceil(400 / CHATS.length) })));
    await new SearchIndexer(db).catchUp();
    // One message deleted and one edited away from its words, behind the index: answers still check rows.
    await db.messages.update([rows[399]!.conversationId, rows[399]!.clientMessageId], { deletedAt: 1 });
    await db.messages.update([rows[398]!.conversationId, rows[398]!.clientMessageId], { text: "nothing here" });
    const current = new Map((await db.messages.toArray()).map((r) => [r.clientMessageId as string, r]));
    const expected = (text: string, conversationId?: ConversationId) => {
      const q = parseQuery(text)!;
      return rows
        .map((r) => current.get(r.clientMessageId)!)
        .filter((r) => r.deletedAt === undefined && (!conversationId || r.conversationId === conversationId) && matches(q, tokens(r.text ?? "").map((t) => t.term)))
        .sort((a, b) => b.sentAt - a.sentAt)
        .slice(0, 20)
        .map((r) => r.sentAt);
    };
    const ways = { planned: PLANNING, windows: { ...PLANNING, readWhole: 0 }, rows: { ...PLANNING, windowRatio: 0 }, "whole words": { ...PLANNING, probedPrefixTerms: 0 } };
    for (const text of ["aa", "ca", "cab", "aa ab", "ab aa", "dune a", "dusk ca", "aa ab ca", "e6 aa", "e5 cab ", "cabin dusk", "aa zz", "zz"]) {
      for (const [way, how] of Object.entries(ways)) {
        for (const chat of [undefined, CHATS[1]]) {
          const got = (await searchMessages(db, text, { limit: 20, ...(chat ? { conversationId: chat } : {}) }, how)).map((r) => r.sentAt);
          expect(got, `${text} (${way}${chat ? ", one chat" : ""})`).toEqual(expected(text, chat));
        }
      }
    }
    db.close();
    // Hundreds of queries over fake-indexeddb: a second or two alone, more on a busy 2-core machine.
  }, 60_000);

  test("an index from before the term figures (version 13) is cleared on upgrade and rebuilt by the indexer", async () => {
    const name = `sealed-search-v13-${process.pid}`;
    const CONV = CHATS[0]!;
    const v13 = new Dexie(name, { indexedDB, IDBKeyRange });
    v13.version(13).stores({
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen, [liveIn+clientMessageId], [shownIn+seq], foldKey",
      cursors: "conversationId",
      searchPostings: "[t+at+c+m], [c+m]",
      searchProgress: "conversationId",
    });
    const base = { conversationId: CONV, senderAccountId: `${"B".repeat(42)}A`, senderDeviceId: "CCCCCCCCCCCCCCCCCCCCCA", status: "sent" };
    await v13.table("messages").bulkPut([
      { ...base, clientMessageId: messageId(1), seq: 1, counter: 1, text: "old lighthouse", sentAt: 10 },
      { ...base, clientMessageId: messageId(2), seq: 2, counter: 2, text: "lighthouse keeper", sentAt: 20 },
    ]);
    await v13.table("cursors").put({ conversationId: CONV, after: 2 });
    // As version 13 left it: indexed, with no term figures.
    await v13.table("searchPostings").bulkPut([
      { t: "old", at: 10, c: CONV, m: messageId(1) },
      { t: "lighthouse", at: 10, c: CONV, m: messageId(1) },
    ]);
    await v13.table("searchProgress").put({ conversationId: CONV, upTo: 1 });
    v13.close();

    const db = freshDb(name);
    await db.open();
    expect(db.verno).toBeGreaterThanOrEqual(14);
    expect(await db.searchPostings.count()).toBe(0);
    expect(await db.searchProgress.count()).toBe(0);
    await new SearchIndexer(db).catchUp();
    expect(await db.searchTerms.get("lighthouse")).toEqual({ t: "lighthouse", n: 2, last: 20 });
    expect((await searchMessages(db, "lightho")).map((r) => r.snippet.text)).toEqual(["lighthouse keeper", "old lighthouse"]);
    expect((await searchMessages(db, "lighthouse ol")).map((r) => r.snippet.text)).toEqual(["old lighthouse"]);
    db.close();
  });
});
