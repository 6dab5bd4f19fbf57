import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { REALTIME_CLOSE_REVOKED, accountLogResponse, appendLogResponse, deviceListResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { generateSigningPair } from "../../protocol/primitives.js";
import { createAccount, logIn, requestNonce, signedLogin, type LoggedInAccount } from "../support/account.js";
import { cookieFrom } from "../support/api-client.js";
import { openConversation } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function storedLog(account: LoggedInAccount): Promise<string[]> {
  const res = await api.call("GET", `/api/accounts/${account.accountId}/log`, { cookie: account.cookie });
  expect(res.status).toBe(200);
  return accountLogResponse.parse(await res.json()).log;
}

/** Alice with a second device added through the API and logged in. */
async function aliceWithTwoDevices() {
  const alice = await createAccount(api, "alice");
  const first = genesisDevice(alice);
  const second = await makeDevice();
  const entry = await addDeviceEntry(accountLog(alice), second, first);
  const res = await postLogEntry(api, alice.cookie, alice.accountId, entry);
  expect(res.status).toBe(201);
  const log = await entry.next();
  const secondAccount: LoggedInAccount = { ...asDevice(alice, second, log.state), cookie: "" };
  return { alice, first, second, log, secondAs: { ...secondAccount, cookie: await logIn(api, secondAccount) } };
}

describe("POST /api/accounts/:accountId/log: add-device", () => {
  test("stores a valid entry at the next position, and the new device can log in", async () => {
    const alice = await createAccount(api, "alice");
    const device = await makeDevice();
    const entry = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice));
    // Before: the device is unknown.
    await expectError(await api.call("POST", "/api/session/challenge", { json: { accountId: alice.accountId, deviceId: device.deviceId } }), 404, "not_found");

    const res = await postLogEntry(api, alice.cookie, alice.accountId, entry);
    expect(res.status).toBe(201);
    expect(appendLogResponse.parse(await res.json())).toEqual({ seq: 1 });
    expect(await storedLog(alice)).toEqual([toBase64url(alice.genesis), entry.b64]);
    const row = await env.DB.prepare("SELECT account_id, added_seq, revoked_at FROM devices WHERE device_id = ?").bind(device.deviceId).first();
    expect(row).toEqual({ account_id: alice.accountId, added_seq: 1, revoked_at: null });

    const log = await entry.next();
    const cookie = await logIn(api, asDevice(alice, device, log.state));
    const me = await api.call("GET", "/api/me", { cookie });
    expect(await me.json()).toEqual({ accountId: alice.accountId, deviceId: device.deviceId, username: alice.username });
  });

  test("answers a retry of the stored entry with 200 and the same seq, storing nothing twice", async () => {
    const alice = await createAccount(api, "alice");
    const entry = await addDeviceEntry(accountLog(alice), await makeDevice(), genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, entry)).status).toBe(201);
    const retry = await postLogEntry(api, alice.cookie, alice.accountId, entry);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ seq: 1 });
    expect(await storedLog(alice)).toHaveLength(2);
  });

  test("refuses a second, different entry at a taken position with 409 log_conflict", async () => {
    const alice = await createAccount(api, "alice");
    const log = accountLog(alice);
    const first = await addDeviceEntry(log, await makeDevice(), genesisDevice(alice));
    const rival = await addDeviceEntry(log, await makeDevice(), genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, first)).status).toBe(201);
    await expectError(await postLogEntry(api, alice.cookie, alice.accountId, rival), 409, "log_conflict");
    expect(await storedLog(alice)).toEqual([toBase64url(alice.genesis), first.b64]);
  });

  test("of two different entries raced at one position exactly one is stored", async () => {
    const alice = await createAccount(api, "alice");
    const log = accountLog(alice);
    const entries = [await addDeviceEntry(log, await makeDevice(), genesisDevice(alice)), await addDeviceEntry(log, await makeDevice(), genesisDevice(alice))];
    const results = await Promise.all(entries.map((e) => postLogEntry(api, alice.cookie, alice.accountId, e)));
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    const stored = await storedLog(alice);
    expect(stored).toHaveLength(2);
    expect(entries.map((e) => e.b64)).toContain(stored[1]);
    const { results: devices } = await env.DB.prepare("SELECT device_id FROM devices WHERE account_id = ?").bind(alice.accountId).all();
    expect(devices).toHaveLength(2);
  });

  test("refuses an entry signed without the account's identity key, naming the reason", async () => {
    const alice = await createAccount(api, "alice");
    const device = await makeDevice();
    const forged = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice), { identity: await generateSigningPair(testCrypto, false) });
    const message = await expectError(await postLogEntry(api, alice.cookie, alice.accountId, forged), 400, "invalid_entry");
    expect(message).toContain("unknown_signer");
    expect(message).toMatch(/role 1/); // the identity signature
    expect(await storedLog(alice)).toHaveLength(1);
    await expectError(await api.call("POST", "/api/session/challenge", { json: { accountId: alice.accountId, deviceId: device.deviceId } }), 404, "not_found");
  });

  test("refuses an entry with a broken signature, one that skips a position, and bytes that are no entry", async () => {
    const alice = await createAccount(api, "alice");
    const entry = await addDeviceEntry(accountLog(alice), await makeDevice(), genesisDevice(alice));
    const tampered = entry.bytes.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(await expectError(await postLogEntry(api, alice.cookie, alice.accountId, { b64: toBase64url(tampered) }), 400, "invalid_entry")).toContain("bad_signature");
    const ahead = await addDeviceEntry(accountLog(alice), await makeDevice(), genesisDevice(alice), { seq: 2 });
    expect(await expectError(await postLogEntry(api, alice.cookie, alice.accountId, ahead), 400, "invalid_entry")).toContain("position 1");
    await expectError(await postLogEntry(api, alice.cookie, alice.accountId, { b64: toBase64url(new Uint8Array(40).fill(1)) }), 400, "invalid_entry");
    expect(await storedLog(alice)).toHaveLength(1);
  });

  test("refuses a device key that another account registered with 409 device_exists", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const entry = await addDeviceEntry(accountLog(alice), genesisDevice(bob), genesisDevice(alice));
    await expectError(await postLogEntry(api, alice.cookie, alice.accountId, entry), 409, "device_exists");
    expect(await storedLog(alice)).toHaveLength(1);
  });

  test("only a device of the account may append: 403 for another account, 401 without a session", async () => {
    const alice = await createAccount(api, "alice");
    const mallory = await createAccount(api, "mallory");
    const entry = await addDeviceEntry(accountLog(alice), await makeDevice(), genesisDevice(alice));
    await expectError(await postLogEntry(api, mallory.cookie, alice.accountId, entry), 403, "forbidden");
    // Even with an unparseable body: the account is checked first.
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { cookie: mallory.cookie, json: { nonsense: 1 } }), 403, "forbidden");
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: entry.b64 } }), 401, "unauthenticated");
    await expectError(await api.call("POST", "/api/accounts/not-an-id/log", { cookie: alice.cookie, json: { entry: entry.b64 } }), 404, "not_found");
    expect(await storedLog(alice)).toHaveLength(1);
  });

  test("pushes a log frame to the account's sockets and to its conversation peers, not to strangers", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const stranger = await createAccount(api, "carol");
    await openConversation(api, alice, bob);
    const sockets = [await connectRealtime(alice), await connectRealtime(bob)];
    const outsider = await connectRealtime(stranger);
    const entry = await addDeviceEntry(accountLog(alice), await makeDevice(), genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, entry)).status).toBe(201);
    for (const { inbox } of sockets) expect(await inbox.waitFor("log")).toEqual({ type: "log", accountId: alice.accountId, seq: 1 });
    await outsider.roundTrip();
    expect(outsider.inbox.ofType("log")).toEqual([]);
  });
});

describe("POST /api/accounts/:accountId/log: revoke", () => {
  test("logs the removed device out at once: 401, its socket closed, no new login", async () => {
    const { alice, first, second, log, secondAs } = await aliceWithTwoDevices();
    const socket = await connectRealtime(secondAs);
    const closed = new Promise<{ code: number; reason: string }>((resolve) => socket.ws.addEventListener("close", (e) => resolve({ code: e.code, reason: e.reason })));
    const firstSocket = await connectRealtime(alice);
    // A challenge issued before the revoke must not be usable after it.
    const earlyNonce = await requestNonce(api, secondAs);
    expect((await api.call("GET", "/api/me", { cookie: secondAs.cookie })).status).toBe(200);

    const revoke = await revokeEntry(log, second.deviceId, first);
    const res = await postLogEntry(api, alice.cookie, alice.accountId, revoke);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ seq: 2 });

    // The hub closed the socket before the 201 was sent.
    expect(await closed).toMatchObject({ code: REALTIME_CLOSE_REVOKED });
    await expectError(await api.call("GET", "/api/me", { cookie: secondAs.cookie }), 401, "unauthenticated");
    await expectError(await api.call("GET", "/api/realtime", { cookie: secondAs.cookie, headers: { Upgrade: "websocket" } }), 401, "unauthenticated");
    await expectError(await api.call("POST", "/api/session/challenge", { json: { accountId: alice.accountId, deviceId: second.deviceId } }), 403, "forbidden");
    const late = await api.call("POST", "/api/session", { json: await signedLogin(api, secondAs, earlyNonce) });
    await expectError(late, 401, "login_failed");
    expect(cookieFrom(late)).toBeUndefined();
    const sessions = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE device_id = ?").bind(second.deviceId).first<{ n: number }>();
    expect(sessions?.n).toBe(0);

    // The remaining device carries on, and hears about the new log entry.
    expect((await api.call("GET", "/api/me", { cookie: alice.cookie })).status).toBe(200);
    expect(await firstSocket.inbox.waitFor("log", (f) => f.seq === 2)).toEqual({ type: "log", accountId: alice.accountId, seq: 2 });
    const devices = deviceListResponse.parse(await (await api.call("GET", "/api/devices", { cookie: alice.cookie })).json()).devices;
    expect(devices.find((d) => d.deviceId === second.deviceId)?.revokedAt).toEqual(expect.any(Number));
    expect(devices.find((d) => d.deviceId === first.deviceId)?.revokedAt).toBeNull();
  });

  test("after a revoke only the new identity key signs: an entry under the old one is refused", async () => {
    const { alice, first, second, log } = await aliceWithTwoDevices();
    const revoke = await revokeEntry(log, second.deviceId, first);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, revoke)).status).toBe(201);
    const afterRevoke: AccountLog = await revoke.next();
    const third: TestDevice = await makeDevice();
    const underOldKey = await addDeviceEntry(afterRevoke, third, first, { identity: log.identity });
    expect(await expectError(await postLogEntry(api, alice.cookie, alice.accountId, underOldKey), 400, "invalid_entry")).toContain("unknown_signer");
    // The removed device can never come back under its key.
    const readd = await addDeviceEntry(afterRevoke, second, first);
    await expectError(await postLogEntry(api, alice.cookie, alice.accountId, readd), 400, "invalid_entry");
    const valid = await addDeviceEntry(afterRevoke, third, first);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, valid)).status).toBe(201);
  });

  test("a device cannot co-sign its own removal", async () => {
    const { alice, second, log, secondAs } = await aliceWithTwoDevices();
    const selfRevoke = await revokeEntry(log, second.deviceId, second);
    await expectError(await postLogEntry(api, secondAs.cookie, alice.accountId, selfRevoke), 400, "invalid_entry");
    expect((await api.call("GET", "/api/me", { cookie: secondAs.cookie })).status).toBe(200);
  });

  test("the stored log verifies, byte for byte, as the client's", async () => {
    const { alice, first, second, log } = await aliceWithTwoDevices();
    const revoke = await revokeEntry(log, second.deviceId, first);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, revoke)).status).toBe(201);
    const expected = await revoke.next();
    expect((await storedLog(alice)).map((e) => fromBase64url(e))).toEqual(expected.entries);
  });
});
