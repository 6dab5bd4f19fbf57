// One load run: set the fleet up, have every device send its messages (each waits for its previous one to be
// posted, so every device has one send in flight), wait until every device holds every message, check.
import os from "node:os";
import type { ConversationId } from "../../protocol/index.js";
import { check, closeFleet, latencies, percentile, setUpFleet, waitForAll, type Check, type FleetSize } from "./fleet.js";

export interface LoadRun extends FleetSize, Check {
  readonly accounts: number;
  readonly devices: number;
  readonly setupSeconds: number;
  /** From the first send to the last device holding every message. */
  readonly wallSeconds: number;
  readonly messagesPerSecond: number;
  /** Stored copies (messages times the devices of their conversation) per second. */
  readonly deliveriesPerSecond: number;
  /** Queueing on the sender to the push reaching the last other device, ms. */
  readonly latencyP50Ms: number;
  readonly latencyP99Ms: number;
  /** Messages that some device got by catching up rather than by push (no latency for them). */
  readonly notPushed: number;
  /** CPU of this process (all the clients) from the first send to the end, s: the rest of the machine is the server. */
  readonly clientCpuSeconds: number;
  /** The 2-core machine's 1-minute load average at the end (above 2: shared with other work). */
  readonly loadAverageEnd: number;
}

/** Sizes from LOAD_CONVERSATIONS, LOAD_DEVICES_PER_ACCOUNT and LOAD_MESSAGES, else `fallback`. */
export function sizeFromEnv(fallback: FleetSize): FleetSize {
  const num = (name: string, d: number) => {
    const v = process.env[name];
    if (v === undefined || v === "") return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, not ${v}`);
    return n;
  };
  return {
    conversations: num("LOAD_CONVERSATIONS", fallback.conversations),
    devicesPerAccount: num("LOAD_DEVICES_PER_ACCOUNT", fallback.devicesPerAccount),
    messagesPerDevice: num("LOAD_MESSAGES", fallback.messagesPerDevice),
  };
}

export async function runLoad(baseURL: string, size: FleetSize, o: { drainMs: number; log?: (s: string) => void }): Promise<LoadRun> {
  const log = o.log ?? (() => undefined);
  const runId = Math.random().toString(36).slice(2, 8);
  const t0 = performance.now();
  const convs = await setUpFleet(baseURL, size, runId, log);
  const setupSeconds = (performance.now() - t0) / 1000;
  log(`set up ${convs.length} conversations, ${convs.length * 2 * size.devicesPerAccount} devices in ${setupSeconds.toFixed(1)} s`);
  try {
    const sentTexts = new Map<ConversationId, string[]>();
    const queuedAt = new Map<string, number>();
    const start = performance.now();
    const cpu0 = process.cpuUsage();
    await Promise.all(
      convs.flatMap((c) =>
        c.devices.map(async (d) => {
          const texts = sentTexts.get(c.id) ?? [];
          sentTexts.set(c.id, texts);
          for (let i = 0; i < size.messagesPerDevice; i++) {
            const text = `${d.name}/${i}`;
            const t = performance.now();
            const row = await d.h.client.send(c.id, text);
            texts.push(text);
            queuedAt.set(`${c.id}/${row.clientMessageId}`, t);
            await d.h.client.sync.settled();
          }
        }),
      ),
    );
    log(`all queued after ${((performance.now() - start) / 1000).toFixed(1)} s`);
    const perConversation = 2 * size.devicesPerAccount * size.messagesPerDevice;
    await waitForAll(convs, perConversation, o.drainMs);
    const wallSeconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const result = await check(convs, sentTexts);
    const lat = await latencies(convs, queuedAt);
    const sorted = lat.values.sort((a, b) => a - b);
    return {
      ...size,
      ...result,
      accounts: convs.length * 2,
      devices: convs.length * 2 * size.devicesPerAccount,
      setupSeconds: round(setupSeconds),
      wallSeconds: round(wallSeconds),
      messagesPerSecond: round(result.sent / wallSeconds),
      deliveriesPerSecond: round(result.expectedCopies / wallSeconds),
      latencyP50Ms: round(percentile(sorted, 50)),
      latencyP99Ms: round(percentile(sorted, 99)),
      notPushed: lat.notPushed,
      clientCpuSeconds: round((cpu.user + cpu.system) / 1e6),
      loadAverageEnd: round(os.loadavg()[0] ?? 0),
    };
  } finally {
    closeFleet(convs);
  }
}

const round = (x: number) => Math.round(x * 10) / 10;
