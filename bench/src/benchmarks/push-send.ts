// Issue 19: time from a message POST to its Web Push request leaving the server, through a real
// `wrangler dev` and a push service on loopback (tests/support/push-service.ts, the worker tests' one).
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeEnvelope } from "../../../tests/support/conversation.js";
import { startPushService } from "../../../tests/support/push-service.js";
import { nodeApi, send, type SendStats } from "../load/client.js";
import { withTimeout } from "../load/pool.js";
import { createAccount, startConversation } from "../load/setup.js";
import { loadAverage } from "../machine.js";
import type { Benchmark, Figure } from "../result.js";
import { startServer } from "../server.js";
import { median, p99, quantile, round, sleep } from "../stats.js";

const MESSAGES = 200;
const WARMUP = 20;

/** A fresh VAPID key pair in the form worker/push/vapid.ts reads (also the layout benchmark's: push on, as deployed). */
export function vapidPair(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const jwk = generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ format: "jwk" });
  if (!jwk.x || !jwk.y || !jwk.d) throw new Error("no P-256 JWK");
  return { VAPID_PUBLIC_KEY: Buffer.concat([Buffer.of(4), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]).toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
}

export const pushSendBenchmark: Benchmark = {
  name: "push-send",
  title: "Web Push: from send to the push request leaving the server",
  method:
    "A real `wrangler dev --local` on a spare loopback port (as figure 4), with a fresh VAPID key pair and the origin of a push service " +
    "on loopback allowed (PUSH_EXTRA_ORIGINS). The push service is the worker tests' one (tests/support/push-service.ts, Node http): it " +
    "notes the time a push request's headers arrive, then checks the VAPID JWT and decrypts the body. Bob's device has a subscription and " +
    "no open socket, so every message Alice posts is pushed to it (RFC 8291 encryption and an ES256 JWT per push, under waitUntil). Alice " +
    "posts one envelope at a time (sealed before timing); the time runs from the start of the POST to the push request's arrival.",
  async run() {
    const assets = mkdtempSync(join(tmpdir(), "sealed-bench-noassets-"));
    let arrived: ((at: number) => void) | undefined;
    const service = await startPushService({ onArrival: (_id, at) => arrived?.(at) });
    const vapid = vapidPair();
    const server = await startServer(assets, { ...vapid, PUSH_EXTRA_ORIGINS: service.origin });
    try {
      const api = nodeApi(server.baseURL);
      const alice = await createAccount(api, "push_alice");
      const bob = await createAccount(api, "push_bob");
      const epoch = await startConversation(api, alice, bob);
      const made = await fetch(`${service.origin}/_test/subscriptions`, { method: "POST", body: JSON.stringify({ applicationServerKey: vapid.VAPID_PUBLIC_KEY }) });
      const { id, subscription } = (await made.json()) as { id: string; subscription: unknown };
      const put = await api.call("PUT", "/api/push/subscription", { cookie: bob.cookie, json: subscription });
      if (put.status !== 204) throw new Error(`subscribing failed: ${put.status} ${await put.text()}`);
      const envelopes = [];
      for (let i = 0; i < WARMUP + MESSAGES; i++) envelopes.push(await makeEnvelope(alice, epoch, `message ${i}`));
      const stats: SendStats = { restarts: 0 };
      const toPush: number[] = [];
      const toResponse: number[] = [];
      for (const [i, envelope] of envelopes.entries()) {
        const pushed = new Promise<number>((resolve) => (arrived = resolve));
        const t0 = performance.now();
        const responded = send(api, alice, epoch, envelope, stats).then(() => performance.now());
        const [at, done] = await Promise.all([withTimeout(pushed, 15_000, `message ${i}'s push never arrived`), responded]);
        if (i >= WARMUP) toPush.push(at - t0), toResponse.push(done - t0);
        await sleep(Math.random() * 5);
      }
      const received = (await (await fetch(`${service.origin}/_test/subscriptions/${id}/received`)).json()) as { received: { accepted: boolean }[] };
      const refused = received.received.filter((r) => !r.accepted).length;
      if (refused) throw new Error(`the push service refused ${refused} pushes (VAPID or decryption)`);
      const load = loadAverage()[0] as number;
      const how = `${toPush.length} messages one at a time after ${WARMUP} warm-up ones, each push accepted (VAPID checked, body decrypted); the POST's own response: p50 ${round(median(toResponse))} ms, p99 ${round(p99(toResponse))} ms`;
      const figures: Figure[] = [
        { id: "push.send.p50", label: "Send to push request leaving the server, p50", value: round(median(toPush)), unit: "ms", method: how },
        { id: "push.send.p99", label: "Send to push request leaving the server, p99", value: round(p99(toPush)), unit: "ms", method: `same messages; p90 ${round(quantile(toPush, 0.9))} ms, max ${round(Math.max(...toPush))} ms` },
      ];
      return {
        figures,
        details: { toPush, toResponse, restarts: stats.restarts },
        notes: [
          `The push leaves after the answer (waitUntil): the send is never slower for it. Through wrangler dev every D1 query costs extra (figure 4); 1-minute load average ${round(load)} at the end.`,
          "Push arrival to notification shown in the service worker is measured with the client work (issue 19, part 2).",
        ],
      };
    } finally {
      await server.stop();
      await service.stop();
      rmSync(assets, { recursive: true, force: true });
    }
  },
};
