// Issue 18: how long after an image message is posted its preview shows in the receiver's open chat.
import { AttachmentId } from "../../../protocol/ids.js";
import { makeEnvelope } from "../../../tests/support/conversation.js";
import { testCrypto } from "../../../tests/support/crypto-env.js";
import { launchBrowser } from "../browser.js";
import { restoreAndOpenChat } from "../history/browser-run.js";
import { seedHistory } from "../history/seed.js";
import { send } from "../load/client.js";
import { loadAverage } from "../machine.js";
import { makePreviewInPage, waitForPreviewsInPage } from "../attachments/preview-probe.js";
import type { Benchmark } from "../result.js";
import { startServer } from "../server.js";
import { median, quantile, round } from "../stats.js";
import { snapshotBuild } from "../web-build.js";
import { nextEpoch } from "./rich.js";

const MESSAGES = 20;
const ROUNDS = 15;

export const attachmentPreviewBenchmark: Benchmark = {
  name: "attachment-preview",
  title: "Attachments: time until an image's preview shows on the receiver",
  method:
    `A real \`wrangler dev --local\` serving the production build. Node seeds a ${MESSAGES}-message chat between Alice and Bob ` +
    "(the history benchmark's fixture) and a headless Chromium restores Alice with her recovery key and opens the chat. Then, " +
    `${ROUNDS} times, one after another, Bob's device posts an image attachment message (protocol kind 7, 4000 × 3000, with a 160 × 120 ` +
    "JPEG preview the page's own encoder made, as a sender's app makes it) through the API, and the time runs from the start of " +
    "that POST (Node's clock) to the first animation frame in which Alice's open chat holds the new preview decoded (the page's " +
    "Date.now()). The preview travels inside the end-to-end encrypted message, so it shows before and without any download of the " +
    "file; the sender's own upload, which precedes the post (the message is sealed once its file is uploaded), is not included.",
  timeoutMs: () => 15 * 60_000,
  async run() {
    const { dir, source, remove } = snapshotBuild();
    try {
      const server = await startServer(dir);
      const browser = await launchBrowser();
      try {
        const seeded = await seedHistory(server.baseURL, MESSAGES);
        const { context, page, errors } = await restoreAndOpenChat(browser, server.baseURL, seeded);
        const preview = Uint8Array.from(await page.evaluate(makePreviewInPage));
        const h = seeded.handles;
        const epoch = await nextEpoch(h, seeded);
        const bob = h.bobSenders[0]!;
        const samples: number[] = [];
        for (let i = 1; i <= ROUNDS; i++) {
          const body = {
            kind: "attachment" as const,
            sentAt: Date.now(),
            id: AttachmentId.fromBytes(testCrypto.randomBytes(16)),
            key: testCrypto.randomBytes(32),
            size: 2_400_000,
            digest: testCrypto.randomBytes(32),
            mimeType: "image/jpeg",
            name: `photo-${i}.jpg`,
            caption: "",
            type: "image" as const,
            width: 4000,
            height: 3000,
            preview,
          };
          const envelope = await makeEnvelope(bob, epoch, "", { body });
          const shown = page.evaluate(waitForPreviewsInPage, { count: i, timeoutMs: 60_000 });
          shown.catch(() => undefined);
          const t0 = Date.now();
          await send(h.api, bob, epoch, envelope, h.stats);
          samples.push((await shown) - t0);
        }
        if (errors.length) throw new Error(`the page threw: ${errors.join("; ")}`);
        await context.close();
        const load = loadAverage()[0] as number;
        return {
          figures: [
            {
              id: "attachments.preview.receiver",
              label: "Image attachment: from the post to its preview shown in the receiver's open chat, median",
              value: round(median(samples)),
              unit: "ms",
              method: `${ROUNDS} image messages one after another; p90 ${round(quantile(samples, 0.9))} ms, fastest ${round(Math.min(...samples))} ms, slowest ${round(Math.max(...samples))} ms; preview ${preview.length} bytes; load average ${load.toFixed(2)}`,
            },
          ],
          details: { build: source, samplesMs: samples, previewBytes: preview.length },
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
