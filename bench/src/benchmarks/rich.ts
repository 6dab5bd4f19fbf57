// Issue 17: applying 10,000 reactions and edits to an open chat keeps the longest task at or under 50 ms.
import { getPriority, setPriority } from "node:os";
import { launchBrowser } from "../browser.js";
import { makeEnvelope } from "../../../tests/support/conversation.js";
import { send } from "../load/client.js";
import { restoreAndOpenChat } from "../history/browser-run.js";
import { seedHistory, type SeedHandles, type SeededHistory } from "../history/seed.js";
import { accountLogResponse, epochListResponse } from "../../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../../protocol/bytes.js";
import { verifyLog } from "../../../protocol/device-log.js";
import { createEpochBundle, directMembershipHead } from "../../../protocol/epoch-bundle.js";
import type { TestEpoch } from "../../../tests/support/conversation.js";
import { testCrypto } from "../../../tests/support/crypto-env.js";
import { loadAverage } from "../machine.js";
import type { Benchmark, Figure } from "../result.js";
import { profileIf } from "../rich/cpu-profile.js";
import { watchLongTasksInPage, waitForTextInPage, type ApplyRun } from "../rich/page-probes.js";
import { startServer } from "../server.js";
import { round } from "../stats.js";
import { snapshotBuild } from "../web-build.js";

const MESSAGES = 200;
/** RICH_UPDATES overrides the count for a quick profiling run (BENCH_PROFILE); the goal is for 10,000. */
const UPDATES = Number(process.env["RICH_UPDATES"] ?? 10_000);
/** Reactions and edits go to the newest messages, the ones the open chat shows. */
const TARGETS = 40;
const EMOJI = ["👍", "❤️", "😂", "😮", "😢", "🙏"];
const FINAL = "the final edit";

/**
 * Posts `UPDATES` reactions and edits from Bob's devices side by side (each device its share in order):
 * every even one a reaction by Bob to one of the newest messages (emoji changing each time, so each
 * replaces Bob's earlier one), every odd one an edit of one of Bob's newest messages. Then one last edit
 * of Bob's newest message, whose text says the whole batch has been applied once the chat shows it.
 */
/**
 * Restoring Alice in the browser added a device to her account, and her app made a new epoch for it; the
 * seed's epoch is no longer the newest, so the server refuses envelopes under it. Bob's first device makes
 * the next epoch for everyone's current devices (Alice's log as the server serves it, checked) and posts it,
 * as Bob's app would before sending.
 */
export async function nextEpoch(h: SeedHandles, seeded: SeededHistory): Promise<TestEpoch> {
  const bob = h.bobSenders[0]!;
  const alice = h.aliceSenders[0]!;
  const logRes = await h.api.call("GET", `/api/accounts/${alice.accountId}/log`, { cookie: bob.cookie });
  const log = accountLogResponse.parse(await logRes.json());
  const aliceState = await verifyLog(testCrypto, log.log.map(fromBase64url), alice.accountId);
  const listRes = await h.api.call("GET", `/api/conversations/${h.epoch.conversationId}/epochs`, { cookie: bob.cookie });
  const list = epochListResponse.parse(await listRes.json());
  const epoch = Math.max(...list.epochs.map((e) => e.epoch)) + 1;
  const { bytes, bundle, ck } = await createEpochBundle(testCrypto, {
    conversationId: h.epoch.conversationId,
    epoch,
    creator: { accountId: bob.accountId, deviceId: bob.deviceId, signingKey: bob.keys.deviceSigning.privateKey },
    membershipHead: await directMembershipHead(testCrypto, bob.accountId, alice.accountId),
    members: [bob.state, aliceState],
    createdAt: Date.now(),
  });
  const res = await h.api.call("POST", `/api/conversations/${h.epoch.conversationId}/epochs`, { cookie: bob.cookie, json: { bundle: toBase64url(bytes) } });
  if (res.status !== 201) throw new Error(`posting epoch ${epoch} failed: ${res.status} ${await res.text()} (${seeded.bob.username})`);
  return { conversationId: h.epoch.conversationId, epoch, keyId: bundle.keyId, ck, bundle, bytes };
}

async function postUpdates(h: SeedHandles, epoch: TestEpoch): Promise<void> {
  const recent = h.refs.slice(-TARGETS);
  const bobs = recent.filter((r) => r.byBob);
  const newestBob = bobs.at(-1);
  if (!newestBob || bobs.length < 2) throw new Error("the seeded history has too few messages from Bob");
  const to = (r: (typeof recent)[number]) => ({ deviceId: r.deviceId, clientMessageId: r.clientMessageId });
  const lane = async (lane: number) => {
    const sender = h.bobSenders[lane];
    if (!sender) return;
    for (let k = lane; k < UPDATES; k += h.bobSenders.length) {
      const body =
        k % 2 === 0
          ? { kind: "reaction" as const, sentAt: Date.now(), to: to(recent[k % recent.length]!), emoji: EMOJI[k % EMOJI.length]! }
          : { kind: "edit" as const, sentAt: Date.now(), to: to(bobs[k % bobs.length]!), text: `edit ${k}` };
      await send(h.api, sender, epoch, await makeEnvelope(sender, epoch, "", { body }), h.stats);
    }
  };
  await Promise.all(h.bobSenders.map((_, i) => lane(i)));
  const first = h.bobSenders[0]!;
  await send(h.api, first, epoch, await makeEnvelope(first, epoch, "", { body: { kind: "edit", sentAt: Date.now(), to: to(newestBob), text: FINAL } }), h.stats);
}

function figures(live: ApplyRun, load: number): Figure[] {
  const longest = live.longTasks.length ? Math.max(...live.longTasks) : 0;
  return [
    {
      id: "rich.live.longest-task",
      label: `${UPDATES.toLocaleString("en-US")} reactions and edits arriving in an open chat: longest task`,
      value: round(longest),
      unit: "ms",
      goal: { kind: "at_most", value: 50 },
      method:
        `from the first post until the chat shows the last edit, ${round(live.ms)} ms in all; ${live.longTasks.length} long task(s) of 50 ms or more; ` +
        `the longest gap between two animation frames ${round(live.longestFrameMs)} ms; load average ${load.toFixed(2)}`,
      ifMissed: {
        why:
          "What was script is split now: live-query results render in a task of their own (ui/live-query.ts; Dexie re-ran every live query, and Lit rendered, in the task that completed a write) and a received page is written 40 rows per request (sync/receive.ts), so in two of four runs on a quiet machine (2026-12-07, load about 4) no script in any long animation frame ran 20 ms or more (the scriptBuckets in this result's details), and the longest tasks were 50, 0, 56 and 58 ms (the last with the profiler on); before, 66, 0 and 73 ms, each a 70 ms IDBTransaction.oncomplete script. What is left is mostly the garbage collector: in a CPU profile of a run, 794 ms of the 18 busy stretches of 50 ms or more was GC and 440 ms native work, against about 200 ms of script. At a load average of 8-13 every task stretches (436 ms before the burst batching, 140-290 ms since).",
        fix:
          "Allocate less per update: Dexie's query cache no longer deep-copies every row a live query re-reads (cache: 'immutable', store/db.ts; two runs with it: 0 and 50 ms), but realtime frames are JSON with base64 envelopes (binary frames would not make strings), and the timeline re-reads every live row of the chat where it could read only the rows that changed. Moving receiving (verify, decrypt, store) into a Worker (issue 23) would take all of it off the page's thread.",
      },
    },
  ];
}

export const richBenchmark: Benchmark = {
  name: "rich",
  title: "Rich messages: reactions and edits applied to an open chat",
  method:
    `A real \`wrangler dev --local\` serving the production build. Node seeds a ${MESSAGES}-message chat between Alice and Bob ` +
    "(the history benchmark's fixture: real keys, sealed and posted through the API) and a headless Chromium restores Alice " +
    "with her recovery key and opens the chat. While a PerformanceObserver records long tasks in the page, Bob's 4 devices post " +
    `${UPDATES.toLocaleString("en-US")} reactions and edits side by side through the API (half reactions to the ${TARGETS} newest messages, ` +
    "the emoji changing each time, half edits of Bob's messages among them), then one last edit; the page receives them as a user's " +
    "app does (realtime pushes, and fetches by cursor when pushes are missed) and the run ends in the frame that shows the last " +
    "edit. The server (wrangler and workerd) and the Node process posting for Bob's devices run at the lowest CPU priority (nice 19) while the page is measured: on a user's device they are other machines, and at equal priority they stretch the page's tasks by the load they make (the 436 ms of the first runs were measured that way, at load 9).",
  timeoutMs: () => 40 * 60_000,
  async run() {
    const { dir, source, remove } = snapshotBuild();
    try {
      const server = await startServer(dir);
      const browser = await launchBrowser();
      const ownPriority = getPriority();
      try {
        const seeded = await seedHistory(server.baseURL, MESSAGES);
        const { context, page, errors } = await restoreAndOpenChat(browser, server.baseURL, seeded);
        await page.evaluate(watchLongTasksInPage);
        // The page is a user's device: the server and Bob's devices run elsewhere, and share these cores
        // only because of the setup, so they yield to the browser (the method says so).
        server.lowerPriority();
        setPriority(19);
        const stopProfile = await profileIf(page);
        const t0 = performance.now();
        const waiting = page.evaluate(waitForTextInPage, { text: FINAL, timeoutMs: 30 * 60_000 });
        // Awaited below; if posting fails first, the browser closes under it and only that error counts.
        waiting.catch(() => undefined);
        console.error(`rich: posting ${UPDATES} reactions and edits`);
        await postUpdates(seeded.handles, await nextEpoch(seeded.handles, seeded));
        console.error(`rich: posted in ${Math.round((performance.now() - t0) / 1000)} s; waiting for the chat`);
        const live = await waiting;
        setPriority(ownPriority);
        console.error(`rich: the longest animation frames: ${JSON.stringify(live.longestFrames)}`);
        console.error(`rich: scripts in long frames by duration: ${JSON.stringify(live.scriptBuckets)}`);
        await stopProfile();
        if (errors.length) throw new Error(`the page threw: ${errors.join("; ")}`);
        await context.close();
        return { figures: figures(live, loadAverage()[0] as number), details: { build: source, messages: MESSAGES, updates: UPDATES, live, restarts: seeded.handles.stats.restarts } };
      } finally {
        setPriority(ownPriority);
        await browser.close();
        await server.stop();
      }
    } finally {
      remove();
    }
  },
};
