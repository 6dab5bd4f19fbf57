// A fleet of headless clients (web/src/client/headless.ts) against a real `wrangler dev`: direct chats of
// two accounts, each account with several linked devices, every device on its live realtime socket.
import type { ConversationId } from "../../protocol/index.js";
import { getAccount, listMessages } from "../../web/src/client/store/db.js";
import { createHeadlessClient, type HeadlessClient } from "../../web/src/client/headless.js";
import { ExistingDeviceLink } from "../../web/src/client/link/link-existing.js";
import { linkAsNewDevice } from "../../web/src/client/link/link-new.js";
import type { FrameEvent } from "../../web/src/client/transport/realtime.js";

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

/**
 * The fleet's devices send no delivered or read marks (issue 17): the checks compare each device's store
 * with the messages sent, message for message, and receipts are envelopes in the same conversations.
 */
const receipts = false;

let devicesMade = 0;

/**
 * A device on its own loopback address (127.0.1.1 onwards), as real devices have their own: the server's
 * per-address limits (10 link codes a minute) then apply to each device rather than to the whole fleet.
 */
export function newDevice(baseURL: string, name: string): Device {
  const n = devicesMade++ % 60_000;
  const h = createHeadlessClient({ baseURL, localAddress: `127.0.${1 + Math.floor(n / 250)}.${1 + (n % 250)}`, receipts, ...timings });
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
  const abort = new AbortController();
  let code!: (c: string) => void;
  const shown = new Promise<string>((r) => (code = r));
  const joined = linkAsNewDevice(fresh.h.client.ctx, {
    deviceName: () => fresh.name,
    onStep: (s) => s.step === "showing" && code(s.code),
    confirmAccount: async () => true,
    signal: abort.signal,
  });
  const o = new ExistingDeviceLink(existing.h.client.ctx);
  try {
    // A new device that fails before showing a code must fail the link, not leave it waiting.
    await o.scan(await Promise.race([shown, joined.then(() => Promise.reject(new Error("linked without a code")))]));
    await o.confirm();
    await joined;
  } catch (e) {
    abort.abort();
    o.cancel();
    joined.catch(() => undefined);
    throw e;
  }
  if (!(await fresh.h.client.start())) throw new Error(`${fresh.name} has no account after linking`);
}

/**
 * Runs a set-up step, redoing it (up to 4 times) when it fails or takes over 2 minutes: under load the
 * dev server now and then answers 503 or not at all, and set-up steps are not all safe to resume halfway.
 */
export async function retried<T>(what: string, step: (attempt: number) => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no result in 120 s`)), 120_000)));
      return await Promise.race([step(attempt), timeout]);
    } catch (e) {
      if (attempt >= 3) throw e;
      console.warn(`${what} failed (attempt ${attempt + 1}), redoing it:`, e instanceof Error ? e.message : e);
      await new Promise((r) => setTimeout(r, 500 * (attempt + 1)));
    } finally {
      clearTimeout(timer);
    }
  }
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
export async function setUpFleet(baseURL: string, size: FleetSize, runId: string, log: (s: string) => void = () => undefined): Promise<Conversation[]> {
  let done = 0;
  return pool(Array.from({ length: size.conversations }), 8, async (_, c) => {
    const accounts = await Promise.all(
      ["a", "b"].map(async (side) => {
        const first = await retried(`sign-up c${c}${side}`, async (attempt) => {
          const d = newDevice(baseURL, `c${c}${side}0`);
          try {
            await d.h.client.signUp(`l${runId}c${c}${side}${attempt ? `r${attempt}` : ""}`);
            return d;
          } catch (e) {
            d.h.close();
            throw e;
          }
        });
        const devices = [first];
        // Log entries are appended one at a time per account.
        for (let k = 1; k < size.devicesPerAccount; k++) {
          devices.push(
            await retried(`link c${c}${side}${k}`, async () => {
              const d = newDevice(baseURL, `c${c}${side}${k}`);
              try {
                await link(first, d);
                return d;
              } catch (e) {
                d.h.close();
                throw e;
              }
            }),
          );
        }
        return devices;
      }),
    );
    const [as, bs] = accounts as [Device[], Device[]];
    const bName = (await getAccount(bs[0]!.h.client.db))!.username;
    const id = await retried(`chat c${c}`, () => as[0]!.h.client.startChat(bName));
    const devices = [...as, ...bs];
    for (const d of devices.slice(1)) {
      await retried(`open c${c} on ${d.name}`, async () => {
        await d.h.client.sync.syncNow();
        await d.h.client.openConversation(id);
      });
    }
    log(`conversation ${++done}/${size.conversations} ready`);
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
