import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, inject, vi } from "vitest";
import { pushSubscriptionRequest, type PushSubscriptionRequest } from "../../protocol/push.js";
import { createApp } from "../../worker/app.js";
import type { LoggedInAccount } from "../support/account.js";
import { apiClient, type ApiClient } from "../support/api-client.js";
import type { PushBehavior, ReceivedPush } from "../support/push-service-types.js";
import { ORIGIN } from "./api.js";
import { hubSql } from "./hub-session-fixtures.js";

/** The push service of tests/support/push-service.ts (a Node HTTP server), reached from workerd over real HTTP. */
export const PUSH_SERVICE = inject("pushServiceUrl");

/** The worker's env with the test push service's origin allowed as an endpoint (PUSH_EXTRA_ORIGINS). */
export const pushEnv = { ...env, PUSH_EXTRA_ORIGINS: PUSH_SERVICE };

const app = createApp();

/** Like tests/worker/api.ts's api, under pushEnv: answers once the request's waitUntil work (the pushes) is done. */
export const pushApi: ApiClient = apiClient(ORIGIN, async (url, init) => {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(url, init), pushEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
});

/**
 * Sends one request under pushEnv and returns its answer as soon as the worker gives it, with `after`:
 * the request's waitUntil work, still running. Proves the answer does not wait for the pushes.
 */
export async function callEarly(method: string, path: string, o: { cookie: string; json: unknown }): Promise<{ res: Response; after: Promise<void> }> {
  let after: Promise<void> = Promise.resolve();
  const client = apiClient(ORIGIN, async (url, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(url, init), pushEnv, ctx);
    after = waitOnExecutionContext(ctx);
    return res;
  });
  const res = await client.call(method, path, o);
  return { res, after };
}

/** A subscription made at the push service for the server's VAPID key, as PushManager.subscribe makes one. */
export interface TestSubscription {
  readonly id: string;
  readonly subscription: PushSubscriptionRequest;
}

async function control(method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${PUSH_SERVICE}/_test${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }) });
  if (!res.ok) throw new Error(`push service ${method} ${path}: ${res.status} ${await res.text()}`);
  return res;
}

export async function subscribeAtPushService(behavior: PushBehavior = "accept"): Promise<TestSubscription> {
  const res = await control("POST", "/subscriptions", { applicationServerKey: env.VAPID_PUBLIC_KEY, behavior });
  const body = (await res.json()) as { id: string; subscription: unknown };
  return { id: body.id, subscription: pushSubscriptionRequest.parse(body.subscription) };
}

export async function received(sub: TestSubscription): Promise<{ received: ReceivedPush[]; hanging: number }> {
  return (await (await control("GET", `/subscriptions/${sub.id}/received`)).json()) as { received: ReceivedPush[]; hanging: number };
}

export async function setBehavior(sub: TestSubscription, behavior: PushBehavior): Promise<void> {
  await control("PUT", `/subscriptions/${sub.id}/behavior`, { behavior });
}

/** Answers the pushes the service holds (behavior "hang") with 201. */
export async function releaseHanging(sub: TestSubscription): Promise<void> {
  await control("POST", `/subscriptions/${sub.id}/release`);
}

/** Subscribes `as`'s device at the push service and registers the subscription with the server. */
export async function subscribeDevice(as: LoggedInAccount, behavior: PushBehavior = "accept"): Promise<TestSubscription> {
  const sub = await subscribeAtPushService(behavior);
  const res = await pushApi.call("PUT", "/api/push/subscription", { cookie: as.cookie, json: sub.subscription });
  expect(res.status, await res.clone().text()).toBe(204);
  return sub;
}

/** Runs `fn` over the SQLite of `accountId`'s hub if it has push tables; `none` if it has not made them yet. */
async function hubPushSql<T>(accountId: string, none: T, fn: (sql: SqlStorage) => T): Promise<T> {
  return hubSql(accountId, (sql) => (sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'push_subscriptions'").toArray().length > 0 ? fn(sql) : none));
}

/** The endpoints of the account's stored subscriptions, as its hub holds them (the objects layout). */
export async function hubEndpoints(accountId: string): Promise<string[]> {
  return hubPushSql(accountId, [], (sql) => sql.exec("SELECT endpoint FROM push_subscriptions ORDER BY device_id").toArray().map((r) => String(r["endpoint"])));
}

/** The device's stored subscription endpoint, read from its account's hub, or undefined. */
export async function storedEndpoint(accountId: string, deviceId: string): Promise<string | undefined> {
  return hubPushSql(accountId, undefined, (sql) => {
    const row = sql.exec("SELECT endpoint FROM push_subscriptions WHERE device_id = ?", deviceId).toArray()[0];
    return row ? String(row["endpoint"]) : undefined;
  });
}

/** How many push rows D1 holds for the account (the D1 layout's tables; the objects layout moves them out). */
export async function d1PushRows(accountId: string): Promise<{ subscriptions: number; mutes: number }> {
  const subs = await env.DB.prepare("SELECT count(*) AS n FROM push_subscriptions WHERE account_id = ?1").bind(accountId).first<{ n: number }>();
  const mutes = await env.DB.prepare("SELECT count(*) AS n FROM push_mutes WHERE account_id = ?1").bind(accountId).first<{ n: number }>();
  return { subscriptions: subs?.n ?? -1, mutes: mutes?.n ?? -1 };
}

/**
 * The seqs of the messages pushed to `sub`, once `count` pushes arrived. In the objects layout the
 * members' hubs push after the conversation object's append, outside the request the test awaited.
 */
export async function pushedSeqs(sub: TestSubscription, count: number): Promise<number[]> {
  let pushes: ReceivedPush[] = [];
  await vi.waitFor(
    async () => {
      pushes = (await received(sub)).received;
      expect(pushes.length).toBeGreaterThanOrEqual(count);
    },
    { timeout: 30_000, interval: 50 },
  );
  return pushes.map((p) => (JSON.parse(p.plaintext ?? "{}") as { seq?: number }).seq ?? -1);
}
