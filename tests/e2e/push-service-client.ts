// The push service of tests/support/push-service.ts in the e2e suite: global-setup.ts starts it before
// wrangler dev and names its origin in PUSH_EXTRA_ORIGINS, so the server POSTs real RFC 8291 pushes to it;
// tests read what it checked and decrypted, and drive it by /_test/*. Also the PushManager stub that hands
// its subscriptions to the app (PLATFORM.md "Web Push": a real subscribe never succeeds offline).
import type { Page } from "playwright-core";
import { inject } from "vitest";
import { pushPayloadSchema, pushSubscriptionRequest, vapidKeyResponse } from "../../protocol/push.js";
import type { ReceivedPush } from "../support/push-service-types.js";

/** A subscription made at the push service, as PushSubscription.toJSON() gives it (minus expirationTime). */
export interface ServiceSubscription {
  readonly id: string;
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

async function pushControl(method: string, path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${inject("pushServiceUrl")}/_test${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  if (!res.ok) throw new Error(`push service ${method} ${path}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** The VAPID public key the server serves (GET /api/push/vapid), what the app subscribes with. */
export async function servedVapidKey(baseURL: string): Promise<string> {
  const res = await fetch(`${baseURL}/api/push/vapid`, { headers: { accept: "application/json" } });
  if (!res.ok) throw new Error(`GET /api/push/vapid: HTTP ${res.status}`);
  return vapidKeyResponse.parse(await res.json()).publicKey;
}

/**
 * A fresh subscription at the push service for `applicationServerKey`: it makes the P-256 pair and auth
 * secret and keeps the private key, as the browser's push machinery would.
 */
export async function subscribeAtPushService(applicationServerKey: string): Promise<ServiceSubscription> {
  const r = (await pushControl("POST", "/subscriptions", { applicationServerKey })) as { id: string; subscription: unknown };
  const s = pushSubscriptionRequest.parse(r.subscription);
  return { id: r.id, endpoint: s.endpoint, keys: s.keys };
}

/** Every push the service received for `sub`, in arrival order (checked and decrypted there). */
export async function pushesTo(sub: ServiceSubscription): Promise<ReceivedPush[]> {
  return ((await pushControl("GET", `/subscriptions/${sub.id}/received`)) as { received: ReceivedPush[] }).received;
}

/** The seq a received push names (its decrypted JSON), or undefined when it did not decrypt or parse. */
export function pushedSeq(p: ReceivedPush): number | undefined {
  if (p.plaintext === undefined) return undefined;
  try {
    const r = pushPayloadSchema.safeParse(JSON.parse(p.plaintext));
    return r.success ? r.data.seq : undefined;
  } catch {
    return undefined;
  }
}

/** Waits until `sub` has received a push for `seq` (generous: the machine is shared); returns it. */
export async function waitForPushOf(sub: ServiceSubscription, seq: number, timeoutMs = 45_000): Promise<ReceivedPush> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await pushesTo(sub);
    const hit = all.find((p) => pushedSeq(p) === seq);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no push for seq ${seq} reached the push service; it received ${JSON.stringify(all.map((p) => ({ accepted: p.accepted, refusal: p.refusal, seq: pushedSeq(p) })))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Replaces PushManager.subscribe/getSubscription in every page of `page`'s context (PLATFORM.md: a real
 * subscribe never succeeds offline). The n-th subscribe() returns the n-th of `subs`; the current one is
 * kept in localStorage so it outlives a navigation, as a browser's does. Each call's applicationServerKey
 * bytes are kept in localStorage "__subscribeKeys" (read them with subscribeKeys).
 */
export async function stubPushManager(page: Page, subs: readonly { endpoint: string; keys: { p256dh: string; auth: string } }[]): Promise<void> {
  await page.context().addInitScript((list) => {
    const CURRENT = "__pushStubCurrent";
    const KEYS = "__subscribeKeys";
    const make = (s: (typeof list)[number], key: number[]): PushSubscription =>
      ({
        endpoint: s.endpoint,
        expirationTime: null,
        options: { applicationServerKey: new Uint8Array(key).buffer, userVisibleOnly: true },
        toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }),
        unsubscribe: async () => {
          localStorage.removeItem(CURRENT);
          return true;
        },
        getKey: () => null,
      }) as unknown as PushSubscription;
    PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
      const key = options?.applicationServerKey;
      const bytes = key instanceof ArrayBuffer ? new Uint8Array(key) : ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : new Uint8Array();
      const seen = JSON.parse(localStorage.getItem(KEYS) ?? "[]") as number[][];
      seen.push([...bytes]);
      localStorage.setItem(KEYS, JSON.stringify(seen));
      if (!options?.userVisibleOnly) throw new DOMException("userVisibleOnly required", "NotAllowedError");
      const next = list[seen.length - 1];
      if (!next) throw new DOMException("the test gave no more subscriptions", "AbortError");
      localStorage.setItem(CURRENT, JSON.stringify({ index: seen.length - 1, key: [...bytes] }));
      return make(next, [...bytes]);
    };
    PushManager.prototype.getSubscription = async () => {
      const cur = JSON.parse(localStorage.getItem(CURRENT) ?? "null") as { index: number; key: number[] } | null;
      return cur ? make(list[cur.index]!, cur.key) : null;
    };
  }, subs.map((s) => ({ endpoint: s.endpoint, keys: { p256dh: s.keys.p256dh, auth: s.keys.auth } })));
}

/** The applicationServerKey bytes of each subscribe() call so far (stubPushManager), read in an app page. */
export function subscribeKeys(page: Page): Promise<number[][]> {
  return page.evaluate(() => JSON.parse(localStorage.getItem("__subscribeKeys") ?? "[]") as number[][]);
}
