// Send-to-receive latency: Alice posts one envelope at a time, Bob's device receives each push before the
// next goes out.
import { makeEnvelope } from "../../../tests/support/conversation.js";
import type { DevServer } from "../server.js";
import { sleep } from "../stats.js";
import { nodeApi, send, type SendStats } from "./client.js";
import { withTimeout } from "./pool.js";
import { connect, createAccount, startConversation } from "./setup.js";

export interface LatencyRun {
  readonly messages: number;
  readonly warmup: number;
  /** Push arrival − POST start, ms, one per measured message. */
  readonly endToEnd: number[];
  /** HTTP response − POST start, ms. */
  readonly httpResponse: number[];
  readonly restarts: number;
  /** Server CPU per measured message, ms (wrangler's Node process, and its workerd processes). */
  readonly serverCpuMsPerMessage: { readonly node: number; readonly workerd: number };
}

export async function measureLatency(server: DevServer, messages: number, warmup: number): Promise<LatencyRun> {
  const baseURL = server.baseURL;
  const api = nodeApi(baseURL);
  const alice = await createAccount(api, "lat_alice");
  const bob = await createAccount(api, "lat_bob");
  const epoch = await startConversation(api, alice, bob);
  // Sealed before timing: the crypto of a message is figure 1.
  const envelopes = [];
  for (let i = 0; i < warmup + messages; i++) envelopes.push(await makeEnvelope(alice, epoch, `message ${i}`));
  let waiting: { envelope: string; resolve: (at: number) => void } | undefined;
  const device = await connect(baseURL, bob.cookie, (m) => {
    if (waiting && m.envelope === waiting.envelope) waiting.resolve(m.at);
  });
  const stats: SendStats = { restarts: 0 };
  const endToEnd: number[] = [];
  const httpResponse: number[] = [];
  let cpu0 = server.cpuSeconds();
  try {
    for (const [i, envelope] of envelopes.entries()) {
      if (i === warmup) cpu0 = server.cpuSeconds();
      const received = new Promise<number>((resolve) => (waiting = { envelope: envelope.b64, resolve }));
      const t0 = performance.now();
      const sent = send(api, alice, epoch, envelope, stats).then(() => performance.now());
      const [at, responded] = await Promise.all([withTimeout(received, 10_000, `message ${i} never reached Bob's device`), sent]);
      if (i >= warmup) endToEnd.push(at - t0), httpResponse.push(responded - t0);
      // A short random pause, so sends do not fall into step with periodic work on the machine.
      await sleep(Math.random() * 5);
    }
  } finally {
    device.close();
  }
  const cpu1 = server.cpuSeconds();
  const perMessage = (seconds: number) => (seconds * 1000) / messages;
  return { messages, warmup, endToEnd, httpResponse, restarts: stats.restarts, serverCpuMsPerMessage: { node: perMessage(cpu1.node - cpu0.node), workerd: perMessage(cpu1.workerd - cpu0.workerd) } };
}
