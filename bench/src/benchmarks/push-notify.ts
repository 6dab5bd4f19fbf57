// Issue 19: from a push's arrival in the service worker to its notification shown.
import { makeEnvelope } from "../../../tests/support/conversation.js";
import { PushLine, observerPage, waitForNotification } from "../../../tests/e2e/push-helpers.js";
import { launchBrowser } from "../browser.js";
import { restoreAlice } from "../history/browser-run.js";
import { seedHistory } from "../history/seed.js";
import { send } from "../load/client.js";
import { loadAverage } from "../machine.js";
import type { Benchmark } from "../result.js";
import { startServer } from "../server.js";
import { median, quantile, round } from "../stats.js";
import { snapshotBuild } from "../web-build.js";
import { nextEpoch } from "./rich.js";

const MESSAGES = 20;
const WARMUP = 3;
const ROUNDS = 30;
/** web/src/sw/push.ts PUSH_MEASURE. */
const MEASURE = "sealed:push-to-notification";

export const pushNotifyBenchmark: Benchmark = {
  name: "push-notify",
  title: "Push: from arrival in the service worker to the notification shown",
  method:
    `A real \`wrangler dev --local\` serving the production build. Node seeds a ${MESSAGES}-message chat between Alice and Bob ` +
    "(the history benchmark's fixture); a headless Chromium restores Alice with her recovery key, grants notifications, and then " +
    "closes the app (the page moves to a non-app URL, so no socket and no sync: the service worker does all the work). " +
    `${WARMUP} warm-up and ${ROUNDS} measured times, one after another, Bob's device posts a text message through the API and Node ` +
    "delivers its push payload (protocol/push.ts, the envelope inside) to Alice's service worker through the DevTools protocol " +
    "(ServiceWorker.deliverPushMessage), waiting for the notification before the next. The time is the service worker's own User " +
    "Timing measure around one push: parse the payload, store the envelope through the app's receive path (verify the signature and " +
    "the sender's log position, decrypt, chain checks, one IndexedDB transaction), read the chat's name and unread count, and " +
    "showNotification resolved. RFC 8291 decryption by the browser, before the push event, is not included.",
  timeoutMs: () => 15 * 60_000,
  async run() {
    const { dir, source, remove } = snapshotBuild();
    try {
      const server = await startServer(dir);
      const browser = await launchBrowser();
      try {
        const seeded = await seedHistory(server.baseURL, MESSAGES);
        const { context, page, errors } = await restoreAlice(browser, server.baseURL, seeded, (c) => c.grantPermissions(["notifications"], { origin: server.baseURL }));
        await page.waitForFunction(async () => (await navigator.serviceWorker.ready).active?.state === "activated", undefined, { timeout: 60_000 });
        await observerPage(page, server.baseURL);
        const line = await PushLine.open(page, server.baseURL);
        const h = seeded.handles;
        const epoch = await nextEpoch(h, seeded);
        const bob = h.bobSenders[0]!;
        const chat = epoch.conversationId;
        for (let i = 1; i <= WARMUP + ROUNDS; i++) {
          const text = `push ${i}`;
          const envelope = await makeEnvelope(bob, epoch, text);
          await send(h.api, bob, epoch, envelope, h.stats);
          const seq = await seqOf(h, chat, bob.cookie, envelope.b64);
          await line.deliver({ v: 1, type: "message", conversationId: chat, seq, envelope: envelope.b64, receivedAt: Date.now() });
          await waitForNotification(page, chat, (n) => n.body.includes(`: ${text}`), 60_000);
        }
        const worker = context.serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
        if (!worker) throw new Error("the service worker is not running");
        const all = await worker.evaluate((name) => performance.getEntriesByName(name).map((e) => e.duration), MEASURE);
        if (all.length < WARMUP + ROUNDS) throw new Error(`only ${all.length} pushes measured (the service worker restarted?)`);
        const samples = all.slice(-ROUNDS);
        if (errors.length) throw new Error(`the page threw: ${errors.join("; ")}`);
        await context.close();
        const load = loadAverage()[0] as number;
        return {
          figures: [
            {
              id: "push.sw.notification",
              label: "Push arrival in the service worker to the notification shown (decrypted, checked, stored), median",
              value: round(median(samples)),
              unit: "ms",
              method: `${ROUNDS} pushes one after another after ${WARMUP} warm-up; p90 ${round(quantile(samples, 0.9))} ms, fastest ${round(Math.min(...samples))} ms, slowest ${round(Math.max(...samples))} ms; load average ${load.toFixed(2)}`,
            },
          ],
          details: { build: source, samplesMs: samples.map((x) => round(x)) },
        };
      } finally {
        await browser.close();
        await server.stop();
      }
    } finally {
      remove();
    }
  },
};

/** Where the server placed the envelope `b64` in the conversation. */
async function seqOf(h: { api: { call(method: string, path: string, o?: { cookie?: string }): Promise<Response> } }, chat: string, cookie: string, b64: string): Promise<number> {
  for (let after = 0; ; ) {
    const res = await h.api.call("GET", `/api/conversations/${chat}/messages?after=${after}&limit=200`, { cookie });
    if (!res.ok) throw new Error(`listing messages failed: ${res.status}`);
    const page = (await res.json()) as { messages: { seq: number; envelope: string }[]; more: boolean };
    const hit = page.messages.find((m) => m.envelope === b64);
    if (hit) return hit.seq;
    const last = page.messages.at(-1)?.seq;
    if (!page.more || last === undefined) throw new Error("the posted message is not listed");
    after = last;
  }
}
