// Issue 22: storage operations per send, counted on both layouts with the real app. A D1 query is a
// round trip to the one database every conversation shares; a call to a conversation's object is a round
// trip to that conversation alone. docs/SCALE.md quotes these counts.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, expect, test } from "vitest";
import { createApp } from "../../worker/app.js";
import { createAccount } from "../support/account.js";
import { apiClient } from "../support/api-client.js";
import { makeEnvelope, postEnvelope, startConversation } from "../support/conversation.js";
import { ORIGIN } from "./api.js";
import { pushedSeqs, subscribeAtPushService } from "./push-fixtures.js";
import { closeAllRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

interface Counts {
  d1: number;
  objectCalls: number;
  /** Calls the worker itself makes to account objects (AccountHub); the conversation object's own are not counted. */
  hubCalls: number;
  readonly queries: string[];
}

/** env with D1 and the conversation objects wrapped to count what the app's own code sends them. */
function countingEnv(layout: "d1" | "objects", counts: Counts) {
  const statement = (s: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(s, {
      get(target, key) {
        if (key === "bind") return (...args: unknown[]) => statement(target.bind(...args), sql);
        if (key === "first" || key === "all" || key === "run" || key === "raw") {
          return (...args: unknown[]) => {
            counts.d1++;
            counts.queries.push(sql.replace(/\s+/g, " ").slice(0, 60));
            return (target[key] as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const db = new Proxy(env.DB, {
    get(target, key) {
      if (key === "prepare") return (sql: string) => statement(target.prepare(sql), sql);
      if (key === "batch") {
        return (stmts: D1PreparedStatement[]) => {
          counts.d1++;
          counts.queries.push(`batch of ${stmts.length}`);
          return target.batch(stmts);
        };
      }
      const v = Reflect.get(target, key, target) as unknown;
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  const counted = <N extends { get(id: DurableObjectId): object }>(ns: N, count: () => void): N =>
    new Proxy(ns, {
      get(target, key) {
        if (key === "get") {
          return (id: DurableObjectId) =>
            new Proxy(target.get(id), {
              get(stub, method) {
                const v = Reflect.get(stub, method) as unknown;
                if (typeof v !== "function") return v;
                // Called as a method of the stub: an RPC method's own properties (apply, call) are remote names.
                return (...args: unknown[]) => {
                  count();
                  return (stub as unknown as Record<PropertyKey, (...a: unknown[]) => unknown>)[method]!(...args);
                };
              },
            });
        }
        const v = Reflect.get(target, key, target) as unknown;
        return typeof v === "function" ? v.bind(target) : v;
      },
    });
  const logs = counted(env.CONVERSATION_LOG, () => counts.objectCalls++);
  const hubs = counted(env.ACCOUNT_HUB, () => counts.hubCalls++);
  return { ...env, DB: db, CONVERSATION_LOG: logs, ACCOUNT_HUB: hubs, STORAGE_LAYOUT: layout };
}

const app = createApp();

async function sendCounts(layout: "d1" | "objects"): Promise<Counts> {
  const counts: Counts = { d1: 0, objectCalls: 0, hubCalls: 0, queries: [] };
  let counting = false;
  const api = apiClient(ORIGIN, async (url, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(url, init), counting ? countingEnv(layout, counts) : { ...env, STORAGE_LAYOUT: layout }, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  });
  const alice = await createAccount(api, `ops${layout}a`);
  const bob = await createAccount(api, `ops${layout}b`);
  const chat = await startConversation(api, alice, bob);
  // Bob's device has no socket and a push subscription: each send of Alice's is pushed to it.
  const bobPush = await subscribeAtPushService();
  expect((await api.call("PUT", "/api/push/subscription", { cookie: bob.cookie, json: bobPush.subscription })).status).toBe(204);
  // A first message warms the conversation (its object moves in from D1 on first use).
  expect((await postEnvelope(api, alice, chat.conversationId, await makeEnvelope(alice, chat))).status).toBe(201);
  const envelope = await makeEnvelope(alice, chat);
  counting = true;
  expect((await postEnvelope(api, alice, chat.conversationId, envelope)).status).toBe(201);
  counting = false;
  // The counted send was pushed too (on the objects layout by Bob's hub, after the answer).
  expect(await pushedSeqs(bobPush, 2)).toEqual([1, 2]);
  return counts;
}

test("a send: the D1 layout makes its checks, the insert and the push lookup in D1; the objects layout reads no D1: its session check is the sender's account object's, its fan-out and push the conversation's and the members' account objects'", async () => {
  const d1 = await sendCounts("d1");
  const objects = await sendCounts("objects");
  console.log(`storage operations per send: D1 layout ${d1.d1} D1 queries (${d1.queries.join("; ")}); objects layout ${objects.d1} D1 queries (${objects.queries.join("; ")}) and ${objects.objectCalls} calls to the conversation's object; account-object calls from the worker: D1 layout ${d1.hubCalls}, objects layout ${objects.hubCalls}`);
  expect(d1.objectCalls).toBe(0);
  expect(d1.d1).toBeGreaterThanOrEqual(4);
  // The conversation's own rows (membership, epoch key, the insert and its seq) never touch D1.
  expect(objects.queries.filter((q) => /messages|epochs|conversation_members|conversations/.test(q))).toEqual([]);
  expect(d1.queries).toContainEqual(expect.stringMatching(/^SELECT s\.device_id, s\.account_id, s\.endpoint/));
  // Two calls to the conversation's object: the member check (before the body is read) and the append.
  expect(objects.objectCalls).toBe(2);
  // The realtime frame: the D1 layout's route calls each member account's hub (two here); in the objects
  // layout the conversation object tells them itself after the append. The objects layout's one call is the
  // session check: a second-form token goes to the sender's account hub (worker/auth/hub-session.ts).
  // The D1 layout's route also asks the recipient's hub which devices have a socket before it pushes.
  expect(d1.hubCalls).toBe(3);
  expect(objects.hubCalls).toBe(1);
  // The D1 layout checks the session in D1 (joined with its device and account, which brings the key).
  expect(d1.queries[0]).toMatch(/^SELECT s\.account_id, s\.device_id, a\.username/);
  // No D1 query is left in the objects layout: the session and the sending device's key come from the
  // sender's hub, and Bob's hub pushes from the subscriptions it holds (moved from D1 once, not per send:
  // tests/worker/push-hub-migration.test.ts).
  expect(objects.queries).toEqual([]);
  expect(objects.d1).toBe(0);
});
