import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { pushMutesResponse, vapidKeyResponse } from "../../protocol/push.js";
import { createApp } from "../../worker/app.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { apiClient } from "../support/api-client.js";
import { makeEnvelope, openConversation, postEnvelope, startConversation } from "../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry } from "../support/device-log.js";
import { resetEntry } from "../support/recovery.js";
import { ORIGIN, api, expectError } from "./api.js";
import { d1PushRows, hubEndpoints, pushApi, storedEndpoint, subscribeAtPushService, subscribeDevice } from "./push-fixtures.js";

const P256DH = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
const AUTH = "BTBZMqHH6r4Tts7J_aSIgg";
const subscription = (endpoint: string) => ({ endpoint, keys: { p256dh: P256DH, auth: AUTH } });

function putSubscription(as: LoggedInAccount, body: unknown) {
  return pushApi.call("PUT", "/api/push/subscription", { cookie: as.cookie, json: body });
}

/** The app under another env: VAPID keys missing or broken. */
function apiWith(overrides: Record<string, string | undefined>) {
  const app = createApp();
  const changed = { ...env, ...overrides };
  return apiClient(ORIGIN, async (url, init) => {
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request(url, init), changed, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  });
}

describe("GET /api/push/vapid", () => {
  test("answers the server's VAPID public key to anyone, without a session", async () => {
    const res = await api.call("GET", "/api/push/vapid");
    expect(res.status).toBe(200);
    expect(vapidKeyResponse.parse(await res.json())).toEqual({ publicKey: env.VAPID_PUBLIC_KEY });
  });

  test.each([
    ["no keys", { VAPID_PUBLIC_KEY: undefined, VAPID_PRIVATE_KEY: undefined }],
    ["a public key that is not a point", { VAPID_PUBLIC_KEY: "AAAA" }],
    ["a private key of another pair", { VAPID_PRIVATE_KEY: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94" }],
    ["a subject that is not mailto: or https:", { VAPID_SUBJECT: "admin@localhost" }],
  ])("with %s: 503 push_unavailable, subscribing too, and messages still go", async (_what, overrides) => {
    const broken = apiWith(overrides);
    await expectError(await broken.call("GET", "/api/push/vapid"), 503, "push_unavailable");
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    await expectError(await broken.call("PUT", "/api/push/subscription", { cookie: bob.cookie, json: subscription("https://fcm.googleapis.com/fcm/send/x") }), 503, "push_unavailable");
    const epoch = await startConversation(api, alice, bob);
    expect((await postEnvelope(broken, alice, epoch.conversationId, await makeEnvelope(alice, epoch))).status).toBe(201);
  });
});

describe("PUT /api/push/subscription", () => {
  test("needs a session", async () => {
    await expectError(await pushApi.call("PUT", "/api/push/subscription", { json: subscription("https://fcm.googleapis.com/fcm/send/x") }), 401, "unauthenticated");
  });

  test.each([
    "https://fcm.googleapis.com/fcm/send/dGVzdA:APA91b",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAA",
    "https://web.push.apple.com/QGuQyavXutnMH",
    "https://api.push.apple.com/3/device/abc",
    "https://db5p.notify.windows.com/w/?token=BQYAAA",
  ])("accepts a known push service's endpoint: %s", async (endpoint) => {
    const alice = await createAccount(api, "alice");
    expect((await putSubscription(alice, subscription(endpoint))).status).toBe(204);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBe(endpoint);
  });

  test.each([
    ["plain http", "http://fcm.googleapis.com/fcm/send/x"],
    ["an unknown host", "https://evil.example/push"],
    ["a look-alike host", "https://fcm.googleapis.com.evil.example/fcm/send/x"],
    ["a host that only ends like one", "https://evilpush.apple.com/x"],
    ["a known host in the path", "https://evil.example/fcm.googleapis.com/fcm/send/x"],
    ["a loopback address", "https://127.0.0.1/push"],
    ["a private address", "https://10.0.0.1/push"],
    ["another port", "https://fcm.googleapis.com:8443/fcm/send/x"],
    ["credentials", "https://user:pw@fcm.googleapis.com/fcm/send/x"],
    ["a data: URL", "data:text/plain,hi"],
  ])("refuses %s with 400 push_endpoint_refused (the server would fetch it)", async (_what, endpoint) => {
    const alice = await createAccount(api, "alice");
    await expectError(await putSubscription(alice, subscription(endpoint)), 400, "push_endpoint_refused");
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeUndefined();
  });

  test("refuses the test push service's origin unless PUSH_EXTRA_ORIGINS lists it", async () => {
    const alice = await createAccount(api, "alice");
    const sub = await subscribeAtPushService();
    const noExtra = apiWith({ PUSH_EXTRA_ORIGINS: undefined });
    await expectError(await noExtra.call("PUT", "/api/push/subscription", { cookie: alice.cookie, json: sub.subscription }), 400, "push_endpoint_refused");
    expect((await putSubscription(alice, sub.subscription)).status).toBe(204);
  });

  test.each([
    ["no keys", { endpoint: "https://fcm.googleapis.com/x" }],
    ["a short auth secret", { endpoint: "https://fcm.googleapis.com/x", keys: { p256dh: P256DH, auth: "AAAA" } }],
    ["a p256dh of 64 bytes", { endpoint: "https://fcm.googleapis.com/x", keys: { p256dh: P256DH.slice(0, 86), auth: AUTH } }],
    ["an extra field", { ...subscription("https://fcm.googleapis.com/x"), expirationTime: null }],
    ["an endpoint that is not a URL", subscription("not a url")],
    ["an endpoint over 2048 characters", subscription(`https://fcm.googleapis.com/${"a".repeat(2048)}`)],
  ])("refuses a body with %s: 400 invalid_body", async (_what, body) => {
    const alice = await createAccount(api, "alice");
    await expectError(await putSubscription(alice, body), 400, "invalid_body");
  });

  test("refuses a p256dh that is 65 bytes but not a point on P-256", async () => {
    const alice = await createAccount(api, "alice");
    const offCurve = `BA${"A".repeat(85)}`;
    const message = await expectError(await putSubscription(alice, { endpoint: "https://fcm.googleapis.com/x", keys: { p256dh: offCurve, auth: AUTH } }), 400, "invalid_body");
    expect(message).toContain("p256dh");
  });

  test("a second PUT replaces the device's subscription; DELETE removes it and is idempotent", async () => {
    const alice = await createAccount(api, "alice");
    expect((await putSubscription(alice, subscription("https://fcm.googleapis.com/fcm/send/one"))).status).toBe(204);
    expect((await putSubscription(alice, subscription("https://fcm.googleapis.com/fcm/send/two"))).status).toBe(204);
    // Held by the account's hub (the objects layout), none in D1.
    expect(await hubEndpoints(alice.accountId)).toEqual(["https://fcm.googleapis.com/fcm/send/two"]);
    expect(await d1PushRows(alice.accountId)).toEqual({ subscriptions: 0, mutes: 0 });
    expect((await pushApi.call("DELETE", "/api/push/subscription", { cookie: alice.cookie })).status).toBe(204);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeUndefined();
    expect((await pushApi.call("DELETE", "/api/push/subscription", { cookie: alice.cookie })).status).toBe(204);
    await expectError(await pushApi.call("DELETE", "/api/push/subscription"), 401, "unauthenticated");
  });
});

describe("a device's subscription goes with the device", () => {
  test("signing out deletes it", async () => {
    const alice = await createAccount(api, "alice");
    await subscribeDevice(alice);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeDefined();
    expect((await api.call("DELETE", "/api/session", { cookie: alice.cookie })).status).toBe(204);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeUndefined();
  });

  test("a revoke deletes the removed device's, and keeps the others'", async () => {
    const alice = await createAccount(api, "alice");
    const second = await makeDevice();
    const add = await addDeviceEntry(accountLog(alice), second, genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, add)).status).toBe(201);
    const log = await add.next();
    const secondAccount = asDevice(alice, second, log.state);
    const secondAs: LoggedInAccount = { ...secondAccount, cookie: await logIn(api, secondAccount) };
    await subscribeDevice(alice);
    await subscribeDevice(secondAs);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, await revokeEntry(log, second.deviceId, genesisDevice(alice)))).status).toBe(201);
    expect(await storedEndpoint(alice.accountId, second.deviceId)).toBeUndefined();
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeDefined();
  });
});

describe("a reset takes every old device's subscription with it", () => {
  test("a reset entry (the recovery key, no session) deletes the subscriptions of all the devices it removes", async () => {
    const alice = await createAccount(api, "alice");
    const second = await makeDevice();
    const add = await addDeviceEntry(accountLog(alice), second, genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, add)).status).toBe(201);
    const log = await add.next();
    const secondAccount = asDevice(alice, second, log.state);
    await subscribeDevice(alice);
    await subscribeDevice({ ...secondAccount, cookie: await logIn(api, secondAccount) });
    const entry = await resetEntry(log, await makeDevice(), alice.keys.recovery);
    const res = await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: entry.b64 }, headers: { "CF-Connecting-IP": "198.51.100.219" } });
    expect(res.status).toBe(201);
    expect(await storedEndpoint(alice.accountId, alice.deviceId)).toBeUndefined();
    expect(await storedEndpoint(alice.accountId, second.deviceId)).toBeUndefined();
  });
});

describe("mutes", () => {
  test("a member mutes and unmutes a conversation for its account; GET lists what is muted", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const id = await openConversation(api, alice, bob);
    const list = async (as: LoggedInAccount) => pushMutesResponse.parse(await (await pushApi.call("GET", "/api/push/mutes", { cookie: as.cookie })).json()).muted;
    expect(await list(alice)).toEqual([]);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: alice.cookie, json: { muted: true } })).status).toBe(204);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: alice.cookie, json: { muted: true } })).status).toBe(204);
    expect(await list(alice)).toEqual([id]);
    expect(await list(bob)).toEqual([]);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: alice.cookie, json: { muted: false } })).status).toBe(204);
    expect(await list(alice)).toEqual([]);
  });

  test("a non-member gets 403 not_member, an unknown conversation 404, a bad body 400, no session 401", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const mallory = await createAccount(api, "mallory");
    const id = await openConversation(api, alice, bob);
    await expectError(await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: mallory.cookie, json: { muted: true } }), 403, "not_member");
    await expectError(await pushApi.call("PUT", "/api/push/mutes/AAAAAAAAAAAAAAAAAAAAAA", { cookie: alice.cookie, json: { muted: true } }), 404, "not_found");
    await expectError(await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: alice.cookie, json: { muted: "yes" } }), 400, "invalid_body");
    await expectError(await pushApi.call("PUT", `/api/push/mutes/${id}`, { json: { muted: true } }), 401, "unauthenticated");
    await expectError(await pushApi.call("GET", "/api/push/mutes"), 401, "unauthenticated");
    const list = async (as: LoggedInAccount) => pushMutesResponse.parse(await (await pushApi.call("GET", "/api/push/mutes", { cookie: as.cookie })).json()).muted;
    expect(await list(alice)).toEqual([]);
    expect(await list(mallory)).toEqual([]);
  });
});
