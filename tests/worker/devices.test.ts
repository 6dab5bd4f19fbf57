import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { MAX_SEALED_NAME_BYTES, deviceListResponse, type DeviceInfo } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { createAccount, logIn, makeAccount, signUp, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { api, expectError } from "./api.js";
import { hubSql } from "./hub-session-fixtures.js";

async function devicesOf(account: LoggedInAccount): Promise<DeviceInfo[]> {
  const res = await api.call("GET", "/api/devices", { cookie: account.cookie });
  expect(res.status).toBe(200);
  return deviceListResponse.parse(await res.json()).devices;
}

function putName(account: LoggedInAccount, deviceId: string, sealedName: string): Promise<Response> {
  return api.call("PUT", `/api/devices/${deviceId}/name`, { cookie: account.cookie, json: { sealedName } });
}

/** Moves the device's and its sessions' last-seen marks `ms` into the past (sessions: D1's and its hub's). */
async function age(account: LoggedInAccount, ms: number): Promise<number> {
  const { deviceId } = account;
  const at = Date.now() - ms;
  await env.DB.batch([
    env.DB.prepare("UPDATE devices SET last_seen_at = ?2 WHERE device_id = ?1").bind(deviceId, at),
    env.DB.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE device_id = ?1").bind(deviceId, at),
  ]);
  await hubSql(account.accountId, (sql) => sql.exec("UPDATE sessions SET last_seen_at = ? WHERE device_id = ?", at, deviceId));
  return at;
}

describe("GET /api/devices", () => {
  test("lists the caller's devices in log order, with when each was added and last seen", async () => {
    const before = Date.now();
    const alice = await createAccount(api, "alice");
    const [first] = await devicesOf(alice);
    expect(first).toEqual({ deviceId: alice.deviceId, addedAtSeq: 0, createdAt: expect.any(Number), lastSeenAt: expect.any(Number), revokedAt: null, sealedName: null });
    expect(first!.createdAt).toBeGreaterThanOrEqual(before);
    expect(first!.lastSeenAt).toBeGreaterThanOrEqual(first!.createdAt);

    // A device added by the log is listed at once, unseen until it logs in.
    const device = await makeDevice();
    const entry = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice));
    expect((await postLogEntry(api, alice.cookie, alice.accountId, entry)).status).toBe(201);
    const listed = await devicesOf(alice);
    expect(listed.map((d) => [d.deviceId, d.addedAtSeq, d.lastSeenAt])).toEqual([
      [alice.deviceId, 0, first!.lastSeenAt],
      [device.deviceId, 1, null],
    ]);
    const cookie = await logIn(api, asDevice(alice, device, (await entry.next()).state));
    const seen = (await devicesOf({ ...alice, cookie })).find((d) => d.deviceId === device.deviceId);
    expect(seen?.lastSeenAt).toEqual(expect.any(Number));
  });

  test("a device that signed up but never logged in has not been seen", async () => {
    const account = await makeAccount();
    expect((await signUp(api, account)).status).toBe(201);
    const row = await env.DB.prepare("SELECT last_seen_at FROM devices WHERE device_id = ?").bind(account.deviceId).first();
    expect(row).toEqual({ last_seen_at: null });
  });

  test("last seen moves on an authenticated request at most once a minute", async () => {
    const alice = await createAccount(api, "alice");
    const recent = await age(alice, 30_000);
    expect((await api.call("GET", "/api/me", { cookie: alice.cookie })).status).toBe(200);
    expect((await devicesOf(alice))[0]?.lastSeenAt).toBe(recent);

    await age(alice, 90_000);
    const before = Date.now();
    expect((await api.call("GET", "/api/me", { cookie: alice.cookie })).status).toBe(200);
    expect((await devicesOf(alice))[0]?.lastSeenAt).toBeGreaterThanOrEqual(before);
  });

  test("shows only the caller's own account", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    expect((await devicesOf(bob)).map((d) => d.deviceId)).toEqual([bob.deviceId]);
    expect((await devicesOf(alice)).map((d) => d.deviceId)).toEqual([alice.deviceId]);
    await expectError(await api.call("GET", "/api/devices"), 401, "unauthenticated");
  });
});

describe("PUT /api/devices/:deviceId/name", () => {
  test("stores the sealed name opaque and returns it in the list; a later one replaces it", async () => {
    const alice = await createAccount(api, "alice");
    const sealed = toBase64url(testCrypto.randomBytes(80));
    const res = await putName(alice, alice.deviceId, sealed);
    expect(res.status).toBe(204);
    expect((await devicesOf(alice))[0]?.sealedName).toBe(sealed);
    const longest = toBase64url(testCrypto.randomBytes(MAX_SEALED_NAME_BYTES));
    expect((await putName(alice, alice.deviceId, longest)).status).toBe(204);
    expect((await devicesOf(alice))[0]?.sealedName).toBe(longest);
  });

  test("names another device of the same account", async () => {
    const alice = await createAccount(api, "alice");
    const device = await makeDevice();
    expect((await postLogEntry(api, alice.cookie, alice.accountId, await addDeviceEntry(accountLog(alice), device, genesisDevice(alice)))).status).toBe(201);
    const sealed = toBase64url(testCrypto.randomBytes(40));
    expect((await putName(alice, device.deviceId, sealed)).status).toBe(204);
    expect((await devicesOf(alice)).map((d) => d.sealedName)).toEqual([null, sealed]);
  });

  test("refuses a name over 512 bytes, an empty one, and bad base64url", async () => {
    const alice = await createAccount(api, "alice");
    for (const sealedName of [toBase64url(new Uint8Array(MAX_SEALED_NAME_BYTES + 1)), "", "AA=="]) {
      expect(await expectError(await putName(alice, alice.deviceId, sealedName), 400, "invalid_body")).toContain("sealedName");
    }
    expect((await devicesOf(alice))[0]?.sealedName).toBeNull();
  });

  test("403 for another account's device, 404 for an unknown or malformed id, 401 without a session", async () => {
    const alice = await createAccount(api, "alice");
    const mallory = await createAccount(api, "mallory");
    const sealed = toBase64url(new Uint8Array(16));
    await expectError(await putName(mallory, alice.deviceId, sealed), 403, "forbidden");
    await expectError(await putName(mallory, toBase64url(testCrypto.randomBytes(16)), sealed), 404, "not_found");
    await expectError(await putName(mallory, "nope", sealed), 404, "not_found");
    await expectError(await api.call("PUT", `/api/devices/${alice.deviceId}/name`, { json: { sealedName: sealed } }), 401, "unauthenticated");
    expect((await devicesOf(alice))[0]?.sealedName).toBeNull();
  });
});
