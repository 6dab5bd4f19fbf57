// npm run test:load: 200 headless devices (20 direct chats, two accounts each, five linked devices per
// account) on live sockets, 50 messages from each device. Sizes can be changed with LOAD_CONVERSATIONS,
// LOAD_DEVICES_PER_ACCOUNT and LOAD_MESSAGES; only the full size writes bench/results/load.json.
import { writeFileSync } from "node:fs";
import os from "node:os";
import { expect, inject, test } from "vitest";
import { machineInfo } from "../../bench/src/machine.js";
import type { BenchResult, Figure } from "../../bench/src/result.js";
import { runLoad, sizeFromEnv, type LoadRun } from "./run.js";

const FULL = { conversations: 20, devicesPerAccount: 5, messagesPerDevice: 50 };

function figures(r: LoadRun): Figure[] {
  const method = `${r.devices} headless ChatClients in one Node process (${r.accounts} accounts, ${r.devicesPerAccount} linked devices each, ${r.conversations} direct chats), each on its live realtime socket, each sending ${r.messagesPerDevice} messages one after another (the next once the previous was posted); against one local wrangler dev on the same 2-core machine`;
  return [
    { id: "load.devices", label: "Load: concurrent devices on live sockets", value: r.devices, unit: "devices", goal: { kind: "at_least", value: 200 }, method },
    { id: "load.messages", label: "Load: messages sent", value: r.sent, unit: "messages", method: `${r.expectedCopies} stored copies expected across the devices` },
    { id: "load.wall", label: "Load: first send to every device holding every message", value: r.wallSeconds, unit: "s", method: `set-up (sign-ups, ${r.devices - r.accounts} links, chats) took ${r.setupSeconds} s more` },
    { id: "load.throughput", label: "Load: messages per second", value: r.messagesPerSecond, unit: "msg/s", method: `${r.deliveriesPerSecond} stored copies per second; the clients' process used ${r.clientCpuSeconds} s of CPU over the ${r.wallSeconds} s (the server the rest of the 2 cores); 1-minute load average at the end ${r.loadAverageEnd}` },
    { id: "load.latency.p50", label: "Load: queued on the sender to pushed to the last other device, p50", value: r.latencyP50Ms, unit: "ms", method: `over ${r.sent - r.notPushed} messages; ${r.notPushed} reached some device by catch-up instead of push` },
    { id: "load.latency.p99", label: "Load: queued on the sender to pushed to the last other device, p99", value: r.latencyP99Ms, unit: "ms" },
    { id: "load.lost", label: "Load: messages lost", value: r.lost, unit: "", goal: { kind: "at_most", value: 0 } },
    { id: "load.duplicated", label: "Load: messages duplicated", value: r.duplicated, unit: "", goal: { kind: "at_most", value: 0 }, method: `pushed frames repeated for a seq: ${r.pushDuplicates}` },
    { id: "load.order", label: "Load: devices whose order differs", value: r.orderMismatches, unit: "", goal: { kind: "at_most", value: 0 } },
  ];
}

test("every device gets every message exactly once, in the same order", async () => {
  const size = sizeFromEnv(FULL);
  const started = new Date();
  const load0 = os.loadavg();
  const r = await runLoad(inject("baseURL"), size, { drainMs: 600_000, log: console.log });
  console.log(JSON.stringify(r, null, 2));
  const full = size.conversations === FULL.conversations && size.devicesPerAccount === FULL.devicesPerAccount && size.messagesPerDevice === FULL.messagesPerDevice;
  if (full) {
    const result: BenchResult = {
      name: "load",
      title: "Load: 200 devices on live sockets (npm run test:load)",
      startedAt: started.toISOString(),
      seconds: Math.round((Date.now() - started.getTime()) / 100) / 10,
      machine: machineInfo(),
      loadAverage: { before: load0.map((x) => Math.round(x * 100) / 100), after: os.loadavg().map((x) => Math.round(x * 100) / 100) },
      figures: figures(r),
      details: { ...r },
    };
    writeFileSync("bench/results/load.json", JSON.stringify(result, null, 2) + "\n");
  }
  expect(r.devices).toBe(size.conversations * 2 * size.devicesPerAccount);
  expect(r.sent).toBe(r.devices * size.messagesPerDevice);
  expect({ lost: r.lost, duplicated: r.duplicated, orderMismatches: r.orderMismatches, flagged: r.flagged }).toEqual({ lost: 0, duplicated: 0, orderMismatches: 0, flagged: 0 });
});
