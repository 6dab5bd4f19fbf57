// Throughput: many connected devices, messages posted with a fixed number in flight, counted when every
// device of the conversation has received them.
import type { LoggedInAccount } from "../../../tests/support/account.js";
import { makeEnvelope, type TestEpoch } from "../../../tests/support/conversation.js";
import type { DeviceSocket, MessageFrameSeen } from "../realtime-client.js";
import { connect, createAccount, logIn, startConversation } from "./setup.js";
import type { DevServer } from "../server.js";
import { median, p99, sleep } from "../stats.js";
import { nodeApi, send, type SendStats } from "./client.js";
import { pool } from "./pool.js";

export interface FleetParams {
  readonly devices: number;
  readonly devicesPerAccount: number;
  readonly messages: number;
  /** HTTP sends in flight at once (a closed loop). */
  readonly inFlight: number;
  /** Deliveries still missing this long after the last send count as lost. */
  readonly drainMs: number;
}

export interface FleetRun extends FleetParams {
  readonly accounts: number;
  readonly conversations: number;
  readonly expectedDeliveries: number;
  readonly deliveries: number;
  /** Messages that reached every device of their conversation. */
  readonly fullyDelivered: number;
  /** From the first send's start to the last delivery, ms. */
  readonly elapsedMs: number;
  /** From the first send's start to the last HTTP response, ms. */
  readonly sendElapsedMs: number;
  /** Per fully delivered message: send start to its last device delivery, ms. */
  readonly latencyP50: number;
  readonly latencyP99: number;
  /** Server CPU (wrangler's Node process and its workerd processes) over the timed part, ms per message. */
  readonly serverCpuMsPerMessage: { readonly node: number; readonly workerd: number };
  /** CPU of this load-generating process over the timed part, ms per message. */
  readonly clientCpuMsPerMessage: number;
  readonly restarts: number;
  readonly setupSeconds: number;
}

export async function measureFleet(server: DevServer, p: FleetParams): Promise<FleetRun> {
  const setupStart = performance.now();
  const api = nodeApi(server.baseURL);
  const accountCount = p.devices / p.devicesPerAccount;
  const accounts = await pool(Array.from({ length: accountCount }), 16, () => createAccount(api, "tp"));
  // Further devices of an account are further sessions of its one device key: adding a device to a log has
  // no fixture yet, and the hub fans out per socket either way.
  const cookies = await pool(accounts, 16, async (a) => [a.cookie, ...(await Promise.all(Array.from({ length: p.devicesPerAccount - 1 }, () => logIn(api, a))))]);
  const pairs: [LoggedInAccount, LoggedInAccount][] = [];
  for (let i = 0; i + 1 < accounts.length; i += 2) pairs.push([accounts[i] as LoggedInAccount, accounts[i + 1] as LoggedInAccount]);
  const epochs = await pool(pairs, 8, ([x, y]) => startConversation(api, x, y));

  // Conversations take turns; within one, the two members take turns sending.
  const plan: { sender: LoggedInAccount; epoch: TestEpoch; b64: string }[] = [];
  for (let i = 0; i < p.messages; i++) {
    const c = i % pairs.length;
    const sender = (pairs[c] as [LoggedInAccount, LoggedInAccount])[Math.floor(i / pairs.length) % 2] as LoggedInAccount;
    const epoch = epochs[c] as TestEpoch;
    plan.push({ sender, epoch, b64: (await makeEnvelope(sender, epoch, `message ${i}`)).b64 });
  }
  const index = new Map(plan.map((m, i) => [m.b64, i]));
  const perMessage = plan.map(() => ({ start: 0, deliveries: 0, last: 0 }));
  const perMessageExpected = 2 * p.devicesPerAccount;
  let deliveries = 0;
  let lastDelivery = 0;
  const onMessage = (m: MessageFrameSeen) => {
    const s = perMessage[index.get(m.envelope) ?? -1];
    if (!s) return;
    s.deliveries += 1;
    s.last = m.at;
    deliveries += 1;
    lastDelivery = m.at;
  };
  const sockets: DeviceSocket[] = await pool(cookies.flat(), 16, (cookie) => connect(server.baseURL, cookie, onMessage));
  const setupSeconds = (performance.now() - setupStart) / 1000;

  const stats: SendStats = { restarts: 0 };
  try {
    const cpu0 = server.cpuSeconds();
    const client0 = process.cpuUsage();
    const t0 = performance.now();
    await pool(plan, p.inFlight, async (m, i) => {
      (perMessage[i] as { start: number }).start = performance.now();
      await send(api, m.sender, m.epoch, m, stats);
    });
    const sendEnd = performance.now();
    const expected = plan.length * perMessageExpected;
    const drainUntil = performance.now() + p.drainMs;
    while (deliveries < expected && performance.now() < drainUntil) await sleep(20);
    const cpu1 = server.cpuSeconds();
    const client = process.cpuUsage(client0);
    const complete = perMessage.filter((s) => s.deliveries === perMessageExpected).map((s) => s.last - s.start);
    const perMessageMs = (seconds: number) => (seconds * 1000) / plan.length;
    return {
      ...p,
      accounts: accountCount,
      conversations: pairs.length,
      expectedDeliveries: expected,
      deliveries,
      fullyDelivered: complete.length,
      elapsedMs: lastDelivery - t0,
      sendElapsedMs: sendEnd - t0,
      latencyP50: median(complete),
      latencyP99: p99(complete),
      serverCpuMsPerMessage: { node: perMessageMs(cpu1.node - cpu0.node), workerd: perMessageMs(cpu1.workerd - cpu0.workerd) },
      clientCpuMsPerMessage: (client.user + client.system) / 1000 / plan.length,
      restarts: stats.restarts,
      setupSeconds,
    };
  } finally {
    for (const s of sockets) s.close();
  }
}
