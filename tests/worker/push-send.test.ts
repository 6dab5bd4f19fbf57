import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test, vi } from "vitest";
import { messageListResponse } from "../../protocol/api.js";
import type { ConversationId } from "../../protocol/ids.js";
import { pushPayloadSchema } from "../../protocol/push.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, startConversation, type TestEnvelope, type TestEpoch } from "../support/conversation.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { api } from "./api.js";
import { PUSH_SERVICE, callEarly, pushApi, pushedSeqs, received, releaseHanging, setBehavior, storedEndpoint, subscribeDevice, type TestSubscription } from "./push-fixtures.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function chat(): Promise<{ alice: LoggedInAccount; bob: LoggedInAccount; epoch: TestEpoch; id: ConversationId }> {
  const alice = await createAccount(api, "alice");
  const bob = await createAccount(api, "bob");
  const epoch = await startConversation(api, alice, bob);
  return { alice, bob, epoch, id: epoch.conversationId };
}

function post(as: LoggedInAccount, id: ConversationId, envelope: TestEnvelope, extra: { notify?: boolean; mentions?: true } = {}): Promise<Response> {
  return pushApi.call("POST", `/api/conversations/${id}/messages`, { cookie: as.cookie, json: { envelope: envelope.b64, ...extra } });
}

/**
 * The pushes the service received for `sub` once `count` arrived (the members' hubs push after the send
 * answered), each checked (VAPID, headers, decryption) and parsed as protocol/push.ts says.
 */
async function payloads(sub: TestSubscription, count: number) {
  await pushedSeqs(sub, count);
  const { received: pushes } = await received(sub);
  for (const p of pushes) {
    expect(p.refusal).toBeUndefined();
    expect(p.accepted).toBe(true);
    expect(p.headers).toEqual({ ttl: "86400", contentEncoding: "aes128gcm", urgency: "high", contentType: "application/octet-stream" });
    expect(p.claims).toMatchObject({ aud: PUSH_SERVICE, sub: env.VAPID_SUBJECT });
    expect(Number(p.claims?.exp)).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 12 * 3600);
  }
  return pushes.map((p) => pushPayloadSchema.parse(JSON.parse(p.plaintext ?? "")));
}

async function stored(as: LoggedInAccount, id: ConversationId) {
  const res = await api.call("GET", `/api/conversations/${id}/messages`, { cookie: as.cookie });
  return messageListResponse.parse(await res.json()).messages;
}

describe("Web Push for a new message", () => {
  test("a device with no socket gets exactly one push, whose decrypted payload is the stored envelope; the sender's own devices get none", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    const aliceSub = await subscribeDevice(alice);
    expect((await post(alice, id, await makeEnvelope(alice, epoch, "hi bob"))).status).toBe(201);

    const [message] = await stored(bob, id);
    expect(await payloads(bobSub, 1)).toEqual([{ v: 1, type: "message", conversationId: id, seq: 1, envelope: message!.envelope, receivedAt: message!.receivedAt }]);
    // Bob's reply is Alice's first push: her own message 1 was never pushed to her.
    expect((await post(bob, id, await makeEnvelope(bob, epoch, "hi alice"))).status).toBe(201);
    expect((await payloads(aliceSub, 1)).map((p) => p.seq)).toEqual([2]);
    expect((await payloads(bobSub, 1)).map((p) => p.seq)).toEqual([1]);
  });

  test("a retried send (duplicate) pushes nothing more", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    const envelope = await makeEnvelope(alice, epoch);
    expect((await post(alice, id, envelope)).status).toBe(201);
    expect((await post(alice, id, envelope)).status).toBe(200);
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect((await payloads(bobSub, 2)).map((p) => p.seq)).toEqual([1, 2]);
  });

  test("a device with an open socket gets none, while another device of the same account without one gets it", async () => {
    const { alice, bob, epoch, id } = await chat();
    const laptop = await makeDevice();
    const add = await addDeviceEntry(accountLog(bob), laptop, genesisDevice(bob));
    expect((await postLogEntry(api, bob.cookie, bob.accountId, add)).status).toBe(201);
    const bobLaptop = asDevice(bob, laptop, (await add.next()).state);
    const laptopAs: LoggedInAccount = { ...bobLaptop, cookie: await logIn(api, bobLaptop) };
    const phoneSub = await subscribeDevice(bob);
    const laptopSub = await subscribeDevice(laptopAs);
    const socket = await connectRealtime(bob);

    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect(await socket.inbox.next()).toMatchObject({ type: "message", seq: 1 });
    expect((await payloads(laptopSub, 1)).map((p) => [p.type, p.seq])).toEqual([["message", 1]]);
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect((await payloads(laptopSub, 2)).map((p) => p.seq)).toEqual([1, 2]);
    expect(await payloads(phoneSub, 0)).toEqual([]);
  });

  test("notify:false (a receipt, an edit) stores and relays the message but pushes nothing", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    expect((await post(alice, id, await makeEnvelope(alice, epoch), { notify: false })).status).toBe(201);
    expect((await stored(bob, id)).map((m) => m.seq)).toEqual([1]);
    expect((await post(alice, id, await makeEnvelope(alice, epoch), { notify: true })).status).toBe(201);
    expect((await payloads(bobSub, 1)).map((p) => p.seq)).toEqual([2]);
  });

  test("a conversation the recipient muted pushes nothing to any of its devices, and pushes again once unmuted", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: bob.cookie, json: { muted: true } })).status).toBe(204);
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    // Alice muting it is her business: it changes nothing for Bob.
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: bob.cookie, json: { muted: false } })).status).toBe(204);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: alice.cookie, json: { muted: true } })).status).toBe(204);
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect((await payloads(bobSub, 1)).map((p) => p.seq)).toEqual([2]);
  });

  test("a message that mentions members (mentions:true) reaches muted members' devices too; without the bit, or with notify:false, it does not", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    expect((await pushApi.call("PUT", `/api/push/mutes/${id}`, { cookie: bob.cookie, json: { muted: true } })).status).toBe(204);
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect((await post(alice, id, await makeEnvelope(alice, epoch), { mentions: true })).status).toBe(201);
    expect((await post(alice, id, await makeEnvelope(alice, epoch), { notify: false, mentions: true })).status).toBe(201);
    expect((await post(alice, id, await makeEnvelope(alice, epoch), { mentions: true })).status).toBe(201);
    expect((await payloads(bobSub, 2)).map((p) => p.seq)).toEqual([2, 4]);
    // Only `true` is a value: anything else is a malformed request, and nothing is stored.
    const res = await pushApi.call("POST", `/api/conversations/${id}/messages`, { cookie: alice.cookie, json: { envelope: (await makeEnvelope(alice, epoch)).b64, mentions: false } });
    expect(res.status).toBe(400);
    expect((await stored(bob, id)).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
  });

  test("an envelope whose payload would not fit 3800 bytes is pushed as a hint naming the conversation and seq", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob);
    expect((await post(alice, id, await makeEnvelope(alice, epoch, "x".repeat(4000)))).status).toBe(201);
    expect(await payloads(bobSub, 1)).toEqual([{ v: 1, type: "hint", conversationId: id, seq: 1 }]);
  });

  test("a 410 from the push service deletes that subscription; a 500 keeps it; neither fails the send", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob, "fail");
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect(await pushedSeqs(bobSub, 1)).toEqual([1]);
    expect(await storedEndpoint(bob.accountId, bob.deviceId)).toBe(bobSub.subscription.endpoint);

    await setBehavior(bobSub, "gone");
    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect(await pushedSeqs(bobSub, 2)).toEqual([1, 2]);
    await vi.waitFor(async () => expect(await storedEndpoint(bob.accountId, bob.deviceId)).toBeUndefined(), { timeout: 30_000, interval: 50 });

    expect((await post(alice, id, await makeEnvelope(alice, epoch))).status).toBe(201);
    expect((await received(bobSub)).received).toHaveLength(2);
  });

  test("a push service that hangs does not delay the send: the POST and its request's work end while the push is still held", async () => {
    const { alice, bob, epoch, id } = await chat();
    const bobSub = await subscribeDevice(bob, "hang");
    const envelope = await makeEnvelope(alice, epoch);
    const { res, after } = await callEarly("POST", `/api/conversations/${id}/messages`, { cookie: alice.cookie, json: { envelope: envelope.b64 } });
    expect(res.status).toBe(201);
    await vi.waitFor(async () => expect((await received(bobSub)).hanging).toBe(1), { timeout: 30_000, interval: 50 });
    // Bob's hub pushes, not the request: its waitUntil work is done while the push service still holds the push.
    await after;
    expect((await received(bobSub)).hanging).toBe(1);
    await releaseHanging(bobSub);
    expect((await payloads(bobSub, 1)).map((p) => p.seq)).toEqual([1]);
  });
});
