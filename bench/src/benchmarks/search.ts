// Issue 20: query time over 10,000 and 100,000 messages (goals p50 <= 20 ms, p99 <= 50 ms), the index's size
// per message, and how fast the background indexer goes.
import { benchPage, launchBrowser } from "../browser.js";
import type { Benchmark, Figure } from "../result.js";
import type { SearchTimingParams, SearchTimingRun } from "../search/search-timing.js";
import { median, p99, quantile, round } from "../stats.js";

/** SEARCH_SIZES overrides the history sizes (comma-separated) for a quick run. */
const SIZES = (process.env["SEARCH_SIZES"] ?? "10000,100000").split(",").map(Number);
const QUERIES = 100;
const CHATS = 20;
/** Rounds of three untimed queries before the timed ones (the page's code compiled, the store's files open). */
const WARM_UP_ROUNDS = 10;

const count = (n: number) => n.toLocaleString("en-US");

function figures(r: SearchTimingRun): Figure[] {
  const all = [...r.samples.word, ...r.samples.prefix, ...r.samples["two-words"]];
  const n = count(r.messages);
  const spread = (Object.keys(r.samples) as (keyof SearchTimingRun["samples"])[]).map((k) => `${k} p50 ${round(median(r.samples[k]))} / p99 ${round(p99(r.samples[k]))} ms`).join("; ");
  const method = `${all.length} queries one after another after ${WARM_UP_ROUNDS * 3} untimed ones drawn the same way (${QUERIES} each of a whole word, a 3-letter prefix and a word plus a prefix, words drawn with a Zipf skew so common words come up often), up to 50 results each, every candidate checked against its row: ${spread}`;
  return [
    { id: `search.query.p50.${r.messages}`, label: `Search over ${n} messages: query time, median`, value: round(median(all)), unit: "ms", goal: { kind: "at_most", value: 20 }, method },
    {
      id: `search.query.p99.${r.messages}`,
      label: `Search over ${n} messages: query time, p99`,
      value: round(quantile(all, 0.99)),
      unit: "ms",
      goal: { kind: "at_most", value: 50 },
      method,
      ifMissed: {
        why:
          "the slowest queries are a word plus a prefix whose messages overlap little (a few percent of the rarer word's): the planner " +
          "(web/src/client/search/query.ts) walks the rarer word newest first and must look at hundreds of its messages to find 50 that " +
          "hold the other, reading the other word's keys over the same time (about 5 µs a key in Chromium) or checking rows (about 70 µs " +
          "a row). On this 2-core machine shared with other work a single word query (5 ms when quiet) also reaches 20-130 ms now and then, " +
          "so compare with a quiet run before changing the planner.",
        fix:
          "smaller keys make each key read cheaper (a per-device message number instead of the two 22-character ids in every posting); " +
          "or index word pairs seen together often; or show the first results as soon as 10 are found and the rest after.",
      },
    },
    {
      id: `search.index.bytes-per-message.${r.messages}`,
      label: `Search index over ${n} messages: size per message`,
      value: round(r.indexBytesLogical / r.messages),
      unit: "B",
      method: `${count(r.postings)} postings (one per distinct word per message, 4-15 words each) and ${count(r.terms)} term rows; postings: keys and index entries, term rows: key and value, strings counted as UTF-16. The browser's own usage estimate grew by ${round(r.indexBytesOnDisk / r.messages)} B per message while indexing (LevelDB compresses, and compacts later)`,
    },
    {
      id: `search.index.rate.${r.messages}`,
      label: `Background indexing of ${n} stored messages: messages per second`,
      value: round(r.messages / (r.indexMs / 1000)),
      unit: "msg/s",
      method: `the app's indexer (web/src/client/search/indexer.ts) from an empty index to caught up, ${round(r.indexMs / 1000)} s in all, 200 messages per transaction, yielding between batches`,
    },
  ];
}

export const searchBenchmark: Benchmark = {
  name: "search",
  title: "Search: query time and index size",
  method:
    "The app's search code (web/src/client/search/) bundled with esbuild and run in a headless Chromium page against the page's real " +
    `IndexedDB. The store is filled with synthetic message rows (${CHATS} chats, an 8,000-word vocabulary), the indexer builds the index ` +
    "from them as it does after a restore, then queries are timed one by one with performance.now() through the same function the search " +
    "dialog calls (client.search.query).",
  timeoutMs: () => 40 * 60_000,
  async run() {
    const browser = await launchBrowser();
    const runs: SearchTimingRun[] = [];
    try {
      for (const messages of SIZES) {
        const page = await benchPage(browser);
        const params: SearchTimingParams = { messages, queries: QUERIES, chats: CHATS, warmUpRounds: WARM_UP_ROUNDS };
        runs.push(await page.evaluate((p) => (globalThis as never as { sealedBench: import("../page/entry.js").PageApi }).sealedBench.search(p), params));
        await page.close();
      }
    } finally {
      await browser.close();
    }
    return {
      figures: runs.flatMap(figures),
      details: { runs: runs.map((r) => ({ ...r, samples: undefined })) },
      notes: [
        "Restore-until-readable with and without indexing is measured by the history benchmark (figure 3's section: \"Search indexing's cost to a restore\"), on its real restore.",
        "Queries (web/src/client/search/query.ts): the rarest word by the term table's counts is walked newest first (a prefix: its terms merged, each opened only once its newest posting could come next), the other words filter from the index where that is cheaper than checking rows, and the query stops once 50 results are verified on their rows.",
      ],
    };
  },
};
