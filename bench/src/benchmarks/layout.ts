// Issue 22: the storage layouts side by side in one run. The same two workloads as figure 4 (latency
// between two devices, throughput with 100 connected devices) against a server on the D1 layout (every
// conversation's rows in the one D1 database, STORAGE_LAYOUT=d1) and on the objects layout (one
// ConversationLog Durable Object per conversation, the default), each on its own freshly started server.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { measureFleet, type FleetRun } from "../load/fleet.js";
import { measureLatency, type LatencyRun } from "../load/two-devices.js";
import { loadAverage } from "../machine.js";
import type { Benchmark, Figure } from "../result.js";
import { startBareServer } from "../bare-server.js";
import { startServer, type DevServer } from "../server.js";
import { median, p99, round } from "../stats.js";
import { vapidPair } from "./push-send.js";

/** d1 and objects through `wrangler dev`; bare: the objects layout under workerd alone (bare-server.ts). */
const LAYOUTS = ["d1", "objects", "bare"] as const;
type Layout = (typeof LAYOUTS)[number];
const LATENCY_MESSAGES = 300;
const LATENCY_WARMUP = 30;
const FLEET = { devices: 100, devicesPerAccount: 2, messages: 1200, inFlight: 32, drainMs: 15_000 };

interface LayoutRun {
  readonly layout: Layout;
  readonly latency: LatencyRun;
  readonly fleet: FleetRun;
}

// Web Push on, as a deployment has it: each send looks up the recipients' push subscriptions (none here, so
// nothing is pushed; the devices have sockets), which is a D1 query on the D1 layout and was one on the
// objects layout before the subscriptions moved into the account objects.
const VAPID = vapidPair();

async function withServer<T>(assets: string, layout: Layout, fn: (server: DevServer) => Promise<T>): Promise<T> {
  const server = layout === "bare" ? await startBareServer({ STORAGE_LAYOUT: "objects", ...VAPID }) : await startServer(assets, { STORAGE_LAYOUT: layout, ...VAPID });
  try {
    return await fn(server);
  } finally {
    await server.stop();
  }
}

export const layoutBenchmark: Benchmark = {
  name: "layout",
  title: "Storage layouts side by side: D1 for everything vs one Durable Object per conversation",
  method:
    "The same code and run, two layouts: STORAGE_LAYOUT=d1 (every conversation's messages, epochs and membership in D1, the " +
    "release before issue 22) and the default objects layout (each conversation a ConversationLog Durable Object with its own " +
    "SQLite; D1 keeps the directory). For each: a fresh `wrangler dev --local` (as in figure 4), then Alice posts 300 envelopes " +
    "one at a time after 30 warm-up ones and Bob's device receives each push before the next (send-to-receive), then, on " +
    "another fresh server, 100 connected devices (50 accounts × 2 sockets, 25 direct chats) with 1,200 envelopes and 32 sends in " +
    "flight. Web Push is on (a VAPID key pair; no device subscribed, so each send's push lookup runs and finds none). Server CPU is read from /proc for wrangler's Node process and its workerd processes. The layouts alternate " +
    "d1, objects so a change in the machine's load hits both alike. Third, the objects layout under workerd alone: the bundle " +
    "`wrangler deploy` makes, with wrangler.toml's bindings and compatibility settings, run by Miniflare without wrangler's dev " +
    "session (no inspector, no dev proxy worker); the same two workloads, and its server CPU is its workerd process's.",
  async run() {
    const assets = mkdtempSync(join(tmpdir(), "sealed-bench-noassets-"));
    try {
      const runs: LayoutRun[] = [];
      for (const layout of LAYOUTS) {
        console.error(`layout ${layout}: two devices`);
        const latency = await withServer(assets, layout, (s) => measureLatency(s, LATENCY_MESSAGES, LATENCY_WARMUP));
        console.error(`layout ${layout}: ${FLEET.devices} devices`);
        const fleet = await withServer(assets, layout, (s) => measureFleet(s, FLEET));
        runs.push({ layout, latency, fleet });
      }
      const load = loadAverage()[0] as number;
      return { figures: runs.flatMap((r) => figures(r, load)), details: { runs } };
    } finally {
      rmSync(assets, { recursive: true, force: true });
    }
  },
};

const ms = (n: number) => `${round(n)} ms`;
const name = (l: Layout) => (l === "d1" ? "D1 layout" : l === "objects" ? "objects layout" : "objects layout under workerd alone");

function figures(r: LayoutRun, load: number): Figure[] {
  const e2e = r.latency.endToEnd;
  const cpu = r.latency.serverCpuMsPerMessage;
  const f = r.fleet;
  const fleetCpu = f.serverCpuMsPerMessage.node + f.serverCpuMsPerMessage.workerd;
  const objects = r.layout !== "d1";
  const shared = `The 2-core machine was shared with other work (1-minute load average ${round(load)} at the end).`;
  const why =
    r.layout === "bare"
      ? `without wrangler, a send still waits on about a dozen storage round trips and object calls in turn (the session check in the sender's account object, the push-subscription read in D1, the conversation object's membership check and append, the account objects' push), each a fraction of a millisecond of workerd time on this machine; the server CPU per message is in the CPU figure. ${shared}`
      : "wrangler dev's own cost dominates on loopback: its inspector proxy relays DevTools events for every storage round trip to its " +
        `Node supervisor (figure 4). ${shared}`;
  const fix = "move the push-subscription read out of D1 into the account's object (issue 22's next slice; the session check moved on 2026-12-07); measure under workerd without the inspector.";
  return [
    {
      id: `layout.${r.layout}.p50`,
      label: `${name(r.layout)}: send to receive between two devices, p50`,
      value: round(median(e2e)),
      unit: "ms",
      ...(objects ? { goal: { kind: "at_most" as const, value: 10 }, ifMissed: { why, fix } } : {}),
      method: `${e2e.length} messages one at a time; ${ms(cpu.node + cpu.workerd)} of server CPU per message (${ms(cpu.node)} Node supervisor, ${ms(cpu.workerd)} workerd)`,
    },
    {
      id: `layout.${r.layout}.p99`,
      label: `${name(r.layout)}: send to receive between two devices, p99`,
      value: round(p99(e2e)),
      unit: "ms",
      ...(objects ? { goal: { kind: "at_most" as const, value: 50 }, ifMissed: { why, fix } } : {}),
      method: `same ${e2e.length} messages`,
    },
    r.layout === "bare"
      ? {
          id: `layout.${r.layout}.cpu`,
          label: `${name(r.layout)}: server CPU per delivered message, no inspector (two devices)`,
          value: round(cpu.workerd),
          unit: "ms",
          goal: { kind: "at_most" as const, value: 1 },
          ifMissed: {
            why: "every send still makes a D1 query (push subscriptions), a session check in the sender's account object and two calls to the conversation's object (membership check, append), and the push to the other device goes through the account's object: about a dozen storage round trips and object calls, each a few hundred microseconds of workerd CPU (tests/worker/storage-operations.test.ts counts them).",
            fix: "the account object (issue 22's next slice): the push-subscription read from the account's object instead of D1 (the session check is there since 2026-12-07); reading and checking the request and the envelope's verify are the larger steps left (docs/SCALE.md).",
          },
          method: `the workerd process's CPU (the worker, D1 and the Durable Objects) over ${r.latency.messages} messages one at a time, after ${r.latency.warmup} warm-up ones; no wrangler in the path`,
        }
      : {
          id: `layout.${r.layout}.cpu`,
          label: `${name(r.layout)}: server CPU per delivered message through wrangler dev (two devices)`,
          value: round(cpu.node + cpu.workerd),
          unit: "ms",
          method: `${ms(cpu.node)} in wrangler's Node supervisor, ${ms(cpu.workerd)} in workerd (the worker, D1 and the Durable Objects)`,
        },
    {
      id: `layout.${r.layout}.throughput.${f.devices}`,
      label: `${name(r.layout)}: messages delivered end to end per second, ${f.devices} connected devices`,
      value: round(f.fullyDelivered / (f.elapsedMs / 1000)),
      unit: "msg/s",
      method:
        `${f.fullyDelivered} of ${f.messages} messages reached all 4 devices of their chat (${f.deliveries} of ${f.expectedDeliveries} deliveries) in ${ms(f.elapsedMs)}; ` +
        `p50 ${ms(f.latencyP50)}, p99 ${ms(f.latencyP99)}; server CPU ${ms(fleetCpu)} per message (${ms(f.serverCpuMsPerMessage.node)} Node, ${ms(f.serverCpuMsPerMessage.workerd)} workerd), load client ${ms(f.clientCpuMsPerMessage)}`,
    },
  ];
}
