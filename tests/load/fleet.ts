// A fleet of headless clients (web/src/client/headless.ts) against a real `wrangler dev`: direct chats of
// two accounts, each account with several linked devices, every device on its live realtime socket.
import type { ConversationId } from "../../protocol/index.js";
import { listMessages } from "../../web/src/client/db.js";
import { createHeadlessClient, type HeadlessClient } from "../../web/src/client/headless.js";
import { ExistingDeviceLink } from "../../web/src/client/link-existing.js";
import { linkAsNewDevice } from "../../web/src/client/link-new.js";
import type { FrameEvent } from "../../web/src/client/realtime.js";

export interface FleetSize {
  /** Direct conversations, each between two accounts of its own. */
  readonly conversations: number;
  /** Devices per account (the first signs up, the others are linked to it). */
  readonly devicesPerAccount: number;
  /** Messages each device sends. */
  readonly messagesPerDevice: number;
}

export interface Device {
  readonly name: string;
  readonly h: HeadlessClient;
  /** First arrival (performance.now()) of each pushed message frame, by seq. */
  readonly pushedAt: Map<number, number>;
  /** Message frames that arrived again for a seq already pushed. */
  pushDuplicates: number;
}

export interface Conversation {
  readonly id: ConversationId;
  readonly devices: Device[];
}

/** Short retry and reconnect timings: a fleet on a small machine meets many 5xx and timeouts. */
const timings = { syncTiming: { retry: { initialMs: 200, maxMs: 3000 } }, reconnect: { initialMs: 200, maxMs: 3000 } };

export function newDevice(baseURL: string, name: string): Device {
  const h = createHeadlessClient({ baseURL, ...timings });
  const d: Device = { name, h, pushedAt: new Map(), pushDuplicates: 0 };
  h.realtime?.addEventListener("frame", (e) => {
    const f = (e as FrameEvent).frame;
    if (f.type !== "message") return;
    if (d.pushedAt.has(f.seq)) d.pushDuplicates++;
    else d.pushedAt.set(f.seq, performance.now());
  });
  return d;
}

/** Links `fresh` to the account of `existing` through the real link protocol (code, secrets, co-signed entry). */
export async function link(existing: Device, fresh: Device): Promise<void> {
  const linkApi = fresh.h.client.ctx.linkApi;
  const oldApi = existing.h.client.ctx.linkApi;
  if (!linkApi || !oldApi) throw new Error("headless clients have a LinkApi");
  const abort = new AbortController();
  let code!: (c: string) => void;
  const shown = new Promise<string>((r) => (code = r));
  const joined = linkAsNewDevice(fresh.h.client.ctx, linkApi, {
    deviceName: () => fresh.name,
    onStep: (s) => s.step === "showing" && code(s.code),
    confirmAccount: async () => true,
    signal: abort.signal,
  });
  const o = new ExistingDeviceLink(existing.h.client.ctx, oldApi);
  await o.scan(await shown);
  await o.confirm();
  await joined;
  if (!(await fresh.h.client.start())) throw new Error(`${fresh.name} has no account after linking`);
}

async function pool<T, R>(items: readonly T[], width: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i] as T, i);
      }
    }),
  );
  return out;
}

/** Signs up two accounts per conversation, links their other devices, and opens the chat on every device. */
export async function setUpFleet(baseURL: string, size: FleetSize, runId: string): Promise<Conversation[]> {
  return pool(Array.from({ length: size.conversations }), 4, async (_, c) => {
    const accounts = await Promise.all(
      ["a", "b"].map(async (side) => {
        const devices = Array.from({ length: size.devicesPerAccount }, (_, k) => newDevice(baseURL, `c${c}${side}${k}`));
        const first = devices[0] as Device;
        await first.h.client.signUp(`l${runId}c${c}${side}`);
        // Log entries are appended one at a time per account.
        for (const d of devices.slice(1)) await link(first, d);
        return devices;
      }),
    );
    const [as, bs] = accounts as [Device[], Device[]];
    const id = await (as[0] as Device).h.client.startChat(`l${runId}c${c}b`);
    const devices = [...as, ...bs];
    for (const d of devices.slice(1)) {
      await d.h.client.sync.syncNow();
      await d.h.client.openConversation(id);
    }
    return { id, devices };
  });
}

/**
 * Waits until every device of every conversation holds `expected` messages with a server seq, or the
 * timeout; returns how many were still missing (the check that follows names them).
 */
export async function waitForAll(convs: readonly Conversation[], expected: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    let missing = 0;
    for (const c of convs) {
      for (const d of c.devices) missing += expected - (await listMessages(d.h.client.db, c.id)).filter((m) => m.seq !== undefined).length;
    }
    if (missing <= 0 || performance.now() > deadline) return missing;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export interface Check {
  /** Messages queued by the fleet. */
  readonly sent: number;
  /** Expected stored messages on all devices (each conversation's messages on each of its devices). */
  readonly expectedCopies: number;
  readonly lost: number;
  /** Stored more than once (the same text on one device, or more seqs than messages). */
  readonly duplicated: number;
  /** Devices whose order differs from the conversation's first device. */
  readonly orderMismatches: number;
  /** Rows flagged with a gap or a broken chain, or left pending or failed. */
  readonly flagged: number;
  readonly pushDuplicates: number;
}

/**
 * Compares every device's store with what was sent: each conversation's messages exactly once, with the
 * seqs 1..n, in the same order on every device, each sender's messages in the order it wrote them.
 */
export async function check(convs: readonly Conversation[], sentTexts: ReadonlyMap<ConversationId, readonly string[]>): Promise<Check> {
  let sent = 0;
  let expectedCopies = 0;
  let lost = 0;
  let duplicated = 0;
  let orderMismatches = 0;
  let flagged = 0;
  let pushDuplicates = 0;
  for (const c of convs) {
    const texts = sentTexts.get(c.id) ?? [];
    sent += texts.length;
    let reference: string | undefined;
    for (const d of c.devices) {
      expectedCopies += texts.length;
      pushDuplicates += d.pushDuplicates;
      const rows = (await listMessages(d.h.client.db, c.id)).sort((x, y) => (x.seq ?? Infinity) - (y.seq ?? Infinity));
      flagged += rows.filter((m) => m.status !== "sent" || m.seq === undefined || (m.missingBefore ?? 0) > 0 || m.chainBroken).length;
      const seen = new Map<string, number>();
      for (const m of rows) seen.set(m.text, (seen.get(m.text) ?? 0) + 1);
      for (const t of texts) if (!seen.has(t)) lost++;
      for (const n of seen.values()) if (n > 1) duplicated += n - 1;
      const seqs = rows.map((m) => m.seq);
      if (seqs.some((s, i) => s !== i + 1)) duplicated += Math.max(0, rows.length - texts.length);
      // One sender's messages keep the order it wrote them (text "<device>/<i>").
      const lastBySender = new Map<string, number>();
      for (const m of rows) {
        const [sender = "", i = "0"] = m.text.split("/");
        if ((lastBySender.get(sender) ?? -1) > Number(i)) orderMismatches++;
        lastBySender.set(sender, Number(i));
      }
      const order = rows.map((m) => `${m.seq}:${m.clientMessageId}`).join(",");
      reference ??= order;
      if (order !== reference) orderMismatches++;
    }
  }
  return { sent, expectedCopies, lost, duplicated, orderMismatches, flagged, pushDuplicates };
}

/**
 * Delivery latency per message: from its queueing on the sender to the push reaching the last other device
 * of the conversation (ms). Messages some device only got by catching up are left out (counted apart).
 */
export async function latencies(convs: readonly Conversation[], queuedAt: ReadonlyMap<string, number>): Promise<{ values: number[]; notPushed: number }> {
  const values: number[] = [];
  let notPushed = 0;
  for (const c of convs) {
    for (const sender of c.devices) {
      const own = (await listMessages(sender.h.client.db, c.id)).filter((m) => queuedAt.has(`${c.id}/${m.clientMessageId}`));
      for (const m of own) {
        const t0 = queuedAt.get(`${c.id}/${m.clientMessageId}`) as number;
        let last = 0;
        let complete = m.seq !== undefined;
        for (const d of c.devices) {
          if (d === sender) continue;
          const t = m.seq === undefined ? undefined : d.pushedAt.get(m.seq);
          if (t === undefined) complete = false;
          else last = Math.max(last, t);
        }
        if (complete) values.push(last - t0);
        else notPushed++;
      }
    }
  }
  return { values, notPushed };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

export function closeFleet(convs: readonly Conversation[]): void {
  for (const c of convs) for (const d of c.devices) d.h.close();
}
