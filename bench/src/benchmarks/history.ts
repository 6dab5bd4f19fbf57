// Figures 2 and 3, and how they grow: a conversation of 1,000 and 10,000 messages (100,000 on request),
// restored into a new Chromium profile with the recovery key until every message is readable, then opened
// and scrolled from the newest message to the oldest.
import { launchBrowser } from "../browser.js";
import { runHistory, type HistoryRun } from "../history/browser-run.js";
import { historyFigures, historyNotes } from "../history/figures.js";
import { seedHistory } from "../history/seed.js";
import { loadAverage } from "../machine.js";
import type { Benchmark } from "../result.js";
import { startServer } from "../server.js";
import { snapshotBuild } from "../web-build.js";

/** Sizes measured by default; BENCH_HISTORY_SIZES=1000,10000,100000 adds the long one (well over an hour more here). */
export const DEFAULT_SIZES = [1000, 10_000];

export function historySizes(env = process.env["BENCH_HISTORY_SIZES"]): number[] {
  if (!env) return DEFAULT_SIZES;
  const sizes = env.split(",").map((s) => Number(s.trim()));
  if (!sizes.length || sizes.some((n) => !Number.isInteger(n) || n < 2 || n > 1_000_000)) throw new Error(`BENCH_HISTORY_SIZES must list message counts from 2 to 1,000,000, got ${JSON.stringify(env)}`);
  return sizes;
}

export const historyBenchmark: Benchmark = {
  name: "history",
  title: "2 and 3. A long history: restoring it, opening it, scrolling it",
  method:
    "A real `wrangler dev --local` on loopback serving a snapshot of the production build (dist/web) and a bundle of worker/. " +
    "For each size, Node builds the history at protocol level with the test fixtures (tests/support): Alice and Bob sign up, " +
    "add devices to their logs (Alice 2, Bob 4), Alice's recovery blob is stored, and the messages are sealed and signed by " +
    "those devices and posted through the API, each device its share in order, one request at a time, the devices side by side " +
    "(not timed). Then, in headless Chromium (1280×800), a new browser context restores Alice with her recovery key through the " +
    "app's restore screen; figure 3 is the time from pressing Restore to the chat list, which the app shows only after every " +
    "message has been fetched, verified, decrypted and stored in IndexedDB. Figure 3 for linking: the restored context links " +
    "another new context by the paste path of \"Link a device\" (the QR code's text), timed from Continue on the existing device " +
    "to the new device's chat list, both confirmations included; the new device's message count and newest message are checked. " +
    "Figure 2: the app is reloaded and the conversation clicked in the chat list; \"newest 50 shown\" is the first animation " +
    "frame with at least 50 messages in the DOM and the newest one last, \"all loaded\" the frame in which the list holds every " +
    "message (its `data-total`), each the median of 3 opens with a reload before each. Memory: the JS heap in use and DOM nodes " +
    "(Chrome DevTools Protocol, after a forced garbage collection) on the chat list and with the conversation open. Scrolling: " +
    "from the newest message to the oldest, one screen height per animation frame (a fast fling), while a PerformanceObserver " +
    "records long tasks; it ends when the oldest message is rendered at the top, and its text is checked.",
  // Seeding, restoring and linking took about 60 ms per message on this machine under load (less on a quiet one).
  timeoutMs: () => 10 * 60_000 + historySizes().reduce((sum, n) => sum + n, 0) * 80,
  async run() {
    const sizes = historySizes();
    const { dir, source, remove } = snapshotBuild();
    const runs: HistoryRun[] = [];
    try {
      const server = await startServer(dir);
      const browser = await launchBrowser();
      try {
        for (const n of sizes) {
          console.error(`history: seeding ${n.toLocaleString("en-US")} messages`);
          const seeded = await seedHistory(server.baseURL, n, (done) => console.error(`history: ${done} of ${n} posted`));
          console.error(`history: seeded in ${Math.round(seeded.seconds)} s; restoring and opening in Chromium`);
          runs.push(await runHistory(browser, server.baseURL, seeded));
        }
      } finally {
        await browser.close();
        await server.stop();
      }
    } finally {
      remove();
    }
    return { figures: historyFigures(runs, loadAverage()[0] as number), details: { build: source, sizes, runs }, notes: historyNotes(runs) };
  },
};
