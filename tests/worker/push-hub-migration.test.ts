// Issue 22: push subscriptions and mutes written by the D1 layout (the release before they moved into the
// account objects) move into each account's hub on its first push-related call, whether that is a send
// to the account or one of its own push requests; D1 keeps none of them and is not read for them again.
import { env } from "cloudflare:workers";
import { afterEach, expect, test } from "vitest";
import { pushMutesResponse } from "../../protocol/push.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope, startConversation } from "../support/conversation.js";
import { api } from "./api.js";
import { d1LayoutApi } from "./hub-session-fixtures.js";
import { d1PushRows, hubEndpoints, pushedSeqs, subscribeAtPushService } from "./push-fixtures.js";
import { closeAllRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function mutes(as: LoggedInAccount): Promise<string[]> {
  const res = await api.call("GET", "/api/push/mutes", { cookie: as.cookie });
  expect(res.status).toBe(200);
  return pushMutesResponse.parse(await res.json()).muted;
}

test("a send is the first touch: the recipient's hub takes its subscription and mutes from D1, pushes, and honours the moved mute", async () => {
  const [alice, bob, carol] = await Promise.all(["pma", "pmb", "pmc"].map((p) => createAccount(d1LayoutApi, p)));
  const withAlice = await startConversation(d1LayoutApi, alice!, bob!);
  const withCarol = await startConversation(d1LayoutApi, bob!, carol!);
  // Before: Bob subscribed and muted his chat with Carol on the D1 layout; the rows are D1's.
  const bobPush = await subscribeAtPushService();
  expect((await d1LayoutApi.call("PUT", "/api/push/subscription", { cookie: bob!.cookie, json: bobPush.subscription })).status).toBe(204);
  expect((await d1LayoutApi.call("PUT", `/api/push/mutes/${withCarol.conversationId}`, { cookie: bob!.cookie, json: { muted: true } })).status).toBe(204);
  expect(await d1PushRows(bob!.accountId)).toEqual({ subscriptions: 1, mutes: 1 });
  expect(await hubEndpoints(bob!.accountId)).toEqual([]);

  // After: Alice's message is pushed to Bob's device by his hub, which moved his rows in to do it.
  expect((await postEnvelope(api, alice!, withAlice.conversationId, await makeEnvelope(alice!, withAlice))).status).toBe(201);
  expect(await pushedSeqs(bobPush, 1)).toEqual([1]);
  expect(await d1PushRows(bob!.accountId)).toEqual({ subscriptions: 0, mutes: 0 });
  expect(await hubEndpoints(bob!.accountId)).toEqual([bobPush.subscription.endpoint]);
  expect(await mutes(bob!)).toEqual([withCarol.conversationId]);

  // The moved mute holds: Carol's message is not pushed, Alice's next one is.
  expect((await postEnvelope(api, carol!, withCarol.conversationId, await makeEnvelope(carol!, withCarol))).status).toBe(201);
  expect((await postEnvelope(api, alice!, withAlice.conversationId, await makeEnvelope(alice!, withAlice))).status).toBe(201);
  expect(await pushedSeqs(bobPush, 2)).toEqual([1, 2]);

  // D1 is not read again: a row that appears there now (none should) changes nothing the hub answers.
  await env.DB.prepare("INSERT INTO push_mutes (account_id, conversation_id) VALUES (?1, ?2)").bind(bob!.accountId, withAlice.conversationId).run();
  expect(await mutes(bob!)).toEqual([withCarol.conversationId]);
});

test("an account's own push request is the first touch: a new subscription replaces the moved one, and D1 keeps neither", async () => {
  const [alice, bob] = await Promise.all(["pmd", "pme"].map((p) => createAccount(d1LayoutApi, p)));
  const chat = await startConversation(d1LayoutApi, alice!, bob!);
  const old = await subscribeAtPushService();
  expect((await d1LayoutApi.call("PUT", "/api/push/subscription", { cookie: bob!.cookie, json: old.subscription })).status).toBe(204);
  expect(await d1PushRows(bob!.accountId)).toEqual({ subscriptions: 1, mutes: 0 });

  const renewed = await subscribeAtPushService();
  expect((await api.call("PUT", "/api/push/subscription", { cookie: bob!.cookie, json: renewed.subscription })).status).toBe(204);
  expect(await d1PushRows(bob!.accountId)).toEqual({ subscriptions: 0, mutes: 0 });
  expect(await hubEndpoints(bob!.accountId)).toEqual([renewed.subscription.endpoint]);

  expect((await postEnvelope(api, alice!, chat.conversationId, await makeEnvelope(alice!, chat))).status).toBe(201);
  expect(await pushedSeqs(renewed, 1)).toEqual([1]);
});

test("a device the hub has revoked keeps no subscription: not one D1 still lists, and not one stored after the revoke (a subscribe racing it)", async () => {
  const [alice] = await Promise.all(["pmf"].map((p) => createAccount(d1LayoutApi, p)));
  const sub = await subscribeAtPushService();
  expect((await d1LayoutApi.call("PUT", "/api/push/subscription", { cookie: alice!.cookie, json: sub.subscription })).status).toBe(204);
  expect(await d1PushRows(alice!.accountId)).toEqual({ subscriptions: 1, mutes: 0 });
  // The hub marks the device revoked before D1 records it (worker/routes/device-log.ts): its D1 row is not moved in.
  const hub = env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(alice!.accountId));
  await hub.revokeDevices([alice!.deviceId]);
  expect(await hub.listPushMuted(alice!.accountId, 10)).toEqual([]);
  expect(await hubEndpoints(alice!.accountId)).toEqual([]);
  expect(await d1PushRows(alice!.accountId)).toEqual({ subscriptions: 0, mutes: 0 });
  // A subscribe whose session check passed just before the revoke stores nothing.
  const keys = { p256dh: new Uint8Array(65).fill(4), auth: new Uint8Array(16) };
  expect(await hub.putPushSubscription(alice!.accountId, { deviceId: alice!.deviceId, endpoint: sub.subscription.endpoint, ...keys, now: Date.now() })).toBe(false);
  expect(await hubEndpoints(alice!.accountId)).toEqual([]);
});
