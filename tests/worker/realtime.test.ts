import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { messageListResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { AccountId } from "../../protocol/ids.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, makeEpochBundle, openConversation, postEnvelope, startConversation } from "../support/conversation.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

function upgrade(o: { cookie?: string; headers?: Record<string, string>; noOrigin?: boolean } = {}): Promise<Response> {
  return api.call("GET", "/api/realtime", { ...o, headers: { Upgrade: "websocket", ...o.headers } });
}

function hubOf(accountId: AccountId) {
  return env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId));
}

/** The hub's sockets, read inside the Durable Object: all of them, or those tagged with one device. */
function hubSockets(accountId: AccountId, deviceId?: string): Promise<number> {
  return runInDurableObject(hubOf(accountId), (_hub, state) => state.getWebSockets(deviceId).length);
}

async function trio() {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const mallory = await createAccount(api, "mallory");
  return { alice, bob, mallory };
}

describe("GET /api/realtime", () => {
  test("refuses a request without a WebSocket upgrade with 426 and names the protocol", async () => {
    const alice = await createAccount(api, "alice");
    const res = await api.call("GET", "/api/realtime", { cookie: alice.cookie });
    expect(res.headers.get("upgrade")).toBe("websocket");
    expect(res.headers.get("cache-control")).toBe("no-store");
    await expectError(res, 426, "upgrade_required");
    await expectError(await api.call("GET", "/api/realtime", { cookie: alice.cookie, headers: { Upgrade: "h2c" } }), 426, "upgrade_required");
  });

  test("refuses an upgrade without a live session with 401", async () => {
    const alice = await createAccount(api, "alice");
    await expectError(await upgrade(), 401, "unauthenticated");
    await expectError(await upgrade({ cookie: `sealed_session=${toBase64url(new Uint8Array(32))}` }), 401, "unauthenticated");
    expect((await api.call("DELETE", "/api/session", { cookie: alice.cookie })).status).toBe(204);
    await expectError(await upgrade({ cookie: alice.cookie }), 401, "unauthenticated");
  });

  test.each([
    ["no Origin", "none"],
    ["a foreign Origin", { Origin: "https://evil.example" }],
    ["Origin null", { Origin: "null" }],
    ["another port", { Origin: "http://example.com:8080" }],
  ] as const)("refuses an upgrade with %s with 403, even with a live session", async (_what, headers) => {
    const alice = await createAccount(api, "alice");
    await expectError(await upgrade(headers === "none" ? { cookie: alice.cookie, noOrigin: true } : { cookie: alice.cookie, headers }), 403, "bad_origin");
    expect(await hubSockets(alice.accountId)).toBe(0);
  });

  test("opens a socket in the account's hub, tagged with the device, and says hello", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    await connectRealtime(alice); // checks the hello frame names alice's device
    expect(await hubSockets(alice.accountId, alice.deviceId)).toBe(1);
    expect(await hubSockets(bob.accountId)).toBe(0);
  });

  test("a socket closed by the client leaves the hub", async () => {
    const alice = await createAccount(api, "alice");
    const { ws } = await connectRealtime(alice);
    const closed = new Promise<number>((resolve) => ws.addEventListener("close", (e) => resolve(e.code)));
    ws.close(1000, "bye");
    expect(await closed).toBe(1000);
    await expect.poll(() => hubSockets(alice.accountId)).toBe(0);
  });

  test("the hub accepts only upgrades that carry a device id (which only the worker sets)", async () => {
    const alice = await createAccount(api, "alice");
    expect((await hubOf(alice.accountId).fetch("https://account-hub/connect", { headers: { Upgrade: "websocket" } })).status).toBe(400);
    expect((await hubOf(alice.accountId).fetch("https://account-hub/connect", { headers: { "X-Sealed-Device-Id": alice.deviceId } })).status).toBe(400);
  });

  test("a device id header from the client is ignored: the socket is the session's device", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const res = await upgrade({ cookie: alice.cookie, headers: { "X-Sealed-Device-Id": bob.deviceId } });
    expect(res.status).toBe(101);
    res.webSocket?.accept();
    res.webSocket?.close(1000);
    expect(await hubSockets(alice.accountId, bob.deviceId)).toBe(0);
    expect(await hubSockets(bob.accountId)).toBe(0);
  });
});

describe("realtime pushes", () => {
  test("a stored message reaches every socket of both members with the stored seq and bytes", async () => {
    const { alice, bob, mallory } = await trio();
    const epoch = await startConversation(api, alice, bob);
    const id = epoch.conversationId;
    // Two sockets for alice (two tabs), one for bob, one for a non-member.
    const sockets = [await connectRealtime(alice), await connectRealtime(alice), await connectRealtime(bob)];
    const outsider = await connectRealtime(mallory);

    const envelope = await makeEnvelope(alice, epoch, "pushed");
    expect((await postEnvelope(api, alice, id, envelope)).status).toBe(201);
    const listed = messageListResponse.parse(await (await api.call("GET", `/api/conversations/${id}/messages`, { cookie: bob.cookie })).json()).messages[0];
    for (const { inbox } of sockets) {
      const frame = await inbox.waitFor("message");
      expect(frame).toEqual({ type: "message", conversationId: id, seq: 1, envelope: envelope.b64, receivedAt: listed?.receivedAt });
    }

    // Frames reach mallory's socket only through mallory's own hub, which nothing of this chat touches.
    await outsider.roundTrip();
    expect(outsider.inbox.frames).toEqual([{ type: "hello", deviceId: mallory.deviceId }, { type: "pong" }]);
  });

  test("a retried send (same client message id) pushes nothing new", async () => {
    const { alice, bob } = await trio();
    const epoch = await startConversation(api, alice, bob);
    const id = epoch.conversationId;
    const [a, b] = [await connectRealtime(alice), await connectRealtime(bob)];
    const first = await makeEnvelope(alice, epoch, "once");
    expect((await postEnvelope(api, alice, id, first)).status).toBe(201);
    await b.inbox.waitFor("message", (f) => f.seq === 1);
    const retry = await postEnvelope(api, alice, id, first);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ seq: 1, duplicate: true });
    // A later message is the barrier: had the retry pushed, it would have arrived before this one.
    expect((await postEnvelope(api, bob, id, await makeEnvelope(bob, epoch, "next"))).status).toBe(201);
    for (const { inbox } of [a, b]) {
      await inbox.waitFor("message", (f) => f.seq === 2);
      expect(inbox.ofType("message").map((f) => f.seq)).toEqual([1, 2]);
    }
  });

  test("a refused message pushes nothing", async () => {
    const { alice, bob, mallory } = await trio();
    const epoch = await startConversation(api, alice, bob);
    const b = await connectRealtime(bob);
    await expectError(await postEnvelope(api, mallory, epoch.conversationId, await makeEnvelope(mallory, epoch)), 403, "not_member");
    await expectError(await postEnvelope(api, alice, epoch.conversationId, await makeEnvelope(alice, { ...epoch, epoch: 9 })), 409, "unknown_epoch");
    await b.roundTrip();
    expect(b.inbox.ofType("message")).toEqual([]);
  });

  test("a new conversation and a stored epoch reach both members, once", async () => {
    const { alice, bob, mallory } = await trio();
    const [a, b, m] = [await connectRealtime(alice), await connectRealtime(bob), await connectRealtime(mallory)];
    const id = await openConversation(api, alice, bob);
    for (const { inbox } of [a, b]) expect(await inbox.waitFor("conversation")).toEqual({ type: "conversation", conversationId: id });

    // Opening the existing conversation again (200) and a refused second bundle for epoch 0 push nothing.
    expect(await openConversation(api, bob, alice)).toBe(id);
    const e0 = await makeEpochBundle(alice, id, [alice, bob], 0);
    const post = (as: LoggedInAccount, bytes: Uint8Array) => api.call("POST", `/api/conversations/${id}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
    expect((await post(alice, e0.bytes)).status).toBe(201);
    await expectError(await post(bob, (await makeEpochBundle(bob, id, [alice, bob], 0)).bytes), 409, "epoch_exists");
    expect((await post(bob, (await makeEpochBundle(bob, id, [alice, bob], 1)).bytes)).status).toBe(201);

    for (const { inbox } of [a, b]) {
      await inbox.waitFor("epoch", (f) => f.epoch === 1);
      expect(inbox.ofType("conversation")).toEqual([{ type: "conversation", conversationId: id }]);
      expect(inbox.ofType("epoch").sort((x, y) => x.epoch - y.epoch)).toEqual([
        { type: "epoch", conversationId: id, epoch: 0 },
        { type: "epoch", conversationId: id, epoch: 1 },
      ]);
    }
    await m.roundTrip();
    expect(m.inbox.frames.map((f) => f.type)).toEqual(["hello", "pong"]);
  });

  test("a send with nobody connected still succeeds", async () => {
    const { alice, bob } = await trio();
    const epoch = await startConversation(api, alice, bob);
    expect((await postEnvelope(api, alice, epoch.conversationId, await makeEnvelope(alice, epoch))).status).toBe(201);
  });
});

describe("client frames", () => {
  test("a ping gets a pong, however it is spaced", async () => {
    const alice = await createAccount(api, "alice");
    const { ws, inbox } = await connectRealtime(alice);
    ws.send('{"type":"ping"}'); // the exact text the hub's auto-response answers without waking
    expect(await inbox.next()).toEqual({ type: "pong" });
    ws.send('{ "type" : "ping" }\n'); // anything else is parsed in webSocketMessage
    expect(await inbox.next()).toEqual({ type: "pong" });
    // Exactly the limit is still read.
    const atLimit = '{"type":"ping"}'.padEnd(4096, " ");
    ws.send(atLimit);
    expect(await inbox.next()).toEqual({ type: "pong" });
  });

  const bad: [string, string | Uint8Array, string][] = [
    ["text that is not JSON", "hello", "invalid_json"],
    ["an empty text frame", "", "invalid_json"],
    ["an unknown type", '{"type":"subscribe","conversationId":"x"}', "invalid_frame"],
    ["a ping with extra fields", '{"type":"ping","x":1}', "invalid_frame"],
    ["an object without a type", "{}", "invalid_frame"],
    ["JSON null", "null", "invalid_frame"],
    ["a JSON array", '[{"type":"ping"}]', "invalid_frame"],
    ["a frame over 4 KiB", JSON.stringify({ type: "ping", pad: "x".repeat(5000) }), "too_large"],
    ["4,200 bytes of multi-byte text in 1,400 characters", "€".repeat(1400), "too_large"],
    ["a binary frame", Uint8Array.of(123, 125), "binary_frame"],
  ];

  test.each(bad)("%s gets an error frame and the socket stays usable", async (_what, frame, code) => {
    const alice = await createAccount(api, "alice");
    const socket = await connectRealtime(alice);
    socket.ws.send(frame);
    const answer = await socket.inbox.next();
    expect(answer).toMatchObject({ type: "error", code });
    expect(answer.type === "error" && answer.message.length).toBeGreaterThan(0);
    await socket.roundTrip();
  });

  test("a burst of bad frames gets one error each and the socket still receives pushes", async () => {
    const { alice, bob } = await trio();
    const epoch = await startConversation(api, alice, bob);
    const b = await connectRealtime(bob);
    for (const [, frame] of bad) b.ws.send(frame);
    // Compared as a multiset: workerd may hand a burst of frames to the hub's handler out of order (seen
    // locally), and nothing in the protocol depends on the order of client frames.
    const answers = [];
    for (let i = 0; i < bad.length; i++) answers.push(await b.inbox.next());
    expect(answers.map((a) => (a.type === "error" ? a.code : a.type)).sort()).toEqual(bad.map(([, , code]) => code).sort());
    expect((await postEnvelope(api, alice, epoch.conversationId, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect(await b.inbox.next()).toMatchObject({ type: "message", seq: 1 });
  });
});
