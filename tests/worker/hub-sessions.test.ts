// Sessions checked by the account's hub (issue 22, docs/decisions.md "The send path"): a login hands out a
// second-form token `2.<accountId>.<secret>`, the account's AccountHub answers the check from its own
// storage (no D1), every revocation reaches the hub before D1, and first-form tokens made before keep
// working through D1 and are moved to the hub on their next request.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import type { DeviceId } from "../../protocol/ids.js";
import { createAccount, logIn, signedLogin, requestNonce } from "../support/account.js";
import { cookieFrom } from "../support/api-client.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, leaveEntry, makeDevice, postLogEntry, revokeEntry } from "../support/device-log.js";
import { api, expectError } from "./api.js";
import { d1LayoutApi, hubSql, tokenOf } from "./hub-session-fixtures.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

const me = (cookie: string) => api.call("GET", "/api/me", { cookie });

/** Alice with a second device logged in, on the default (objects) layout. */
async function twoDevices() {
  const alice = await createAccount(api, "hubsess");
  const device = await makeDevice();
  const add = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice));
  expect((await postLogEntry(api, alice.cookie, alice.accountId, add)).status).toBe(201);
  const log = await add.next();
  const second = asDevice(alice, device, log.state);
  return { alice, device, log, second: { ...second, cookie: await logIn(api, second) } };
}

async function hubRowsOf(accountId: string, deviceId: string): Promise<string[]> {
  return hubSql(accountId, (sql) => sql.exec("SELECT token_hash FROM sessions WHERE device_id = ?", deviceId).toArray().map((r) => toBase64url(new Uint8Array(r["token_hash"] as ArrayBuffer))));
}

describe("second-form session tokens", () => {
  test("a login sets 2.<accountId>.<secret>; the hub stores only a hash bound to the account, D1 no row", async () => {
    const alice = await createAccount(api, "hubsess");
    const token = tokenOf(alice.cookie);
    expect(token).toMatch(new RegExp(`^2\\.${alice.accountId}\\.[A-Za-z0-9_-]{43}$`));
    const secret = fromBase64url(token.split(".")[2]!);
    const label = new TextEncoder().encode(`sealed/session-token/v2\0${alice.accountId}\0`);
    const expected = new Uint8Array(await testCrypto.subtle.digest("SHA-256", new Uint8Array([...label, ...secret])));
    expect(await hubRowsOf(alice.accountId, alice.deviceId)).toEqual([toBase64url(expected)]);
    const d1 = await env.DB.prepare("SELECT COUNT(*) AS n FROM sessions WHERE device_id = ?").bind(alice.deviceId).first<{ n: number }>();
    expect(d1?.n).toBe(0);
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test("a revoked device's very next request is 401, and it cannot log in again", async () => {
    const { alice, second, log } = await twoDevices();
    expect((await me(second.cookie)).status).toBe(200);
    const nonce = await requestNonce(api, second);
    expect((await postLogEntry(api, alice.cookie, alice.accountId, await revokeEntry(log, second.deviceId, genesisDevice(alice)))).status).toBe(201);
    await expectError(await me(second.cookie), 401, "unauthenticated");
    await expectError(await api.call("POST", "/api/session", { json: await signedLogin(api, second, nonce) }), 401, "login_failed");
    expect(await hubRowsOf(alice.accountId, second.deviceId)).toEqual([]);
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test("a device that left is 401 on its very next request", async () => {
    const { alice, second, device, log } = await twoDevices();
    expect((await postLogEntry(api, second.cookie, alice.accountId, await leaveEntry(log, device))).status).toBe(201);
    await expectError(await me(second.cookie), 401, "unauthenticated");
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test("a signed-out session is 401 on its next request; the device's other session lives on", async () => {
    const alice = await createAccount(api, "hubsess");
    const other = await logIn(api, alice);
    expect((await api.call("DELETE", "/api/session", { cookie: alice.cookie })).status).toBe(204);
    await expectError(await me(alice.cookie), 401, "unauthenticated");
    expect((await me(other)).status).toBe(200);
    expect(await hubRowsOf(alice.accountId, alice.deviceId)).toHaveLength(1);
  });

  test("a secret moved under another account's id is 401 (that hub holds no such hash), and so is a made-up secret", async () => {
    const alice = await createAccount(api, "hubsess");
    const bob = await createAccount(api, "hubsess");
    const [, , secret] = tokenOf(alice.cookie).split(".");
    await expectError(await me(`sealed_session=2.${bob.accountId}.${secret}`), 401, "unauthenticated");
    await expectError(await me(`sealed_session=2.${alice.accountId}.${toBase64url(new Uint8Array(32))}`), 401, "unauthenticated");
    // Bob's own secret under Alice's id: Alice's hub does not hold it either.
    const [, , bobSecret] = tokenOf(bob.cookie).split(".");
    await expectError(await me(`sealed_session=2.${alice.accountId}.${bobSecret}`), 401, "unauthenticated");
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test.each([
    ["a wrong form number", (t: string) => `3${t.slice(1)}`],
    ["a short secret", (t: string) => t.slice(0, -2)],
    ["an extra part", (t: string) => `${t}.x`],
    ["an account id that is not one", (t: string) => t.replace(/^2\.[^.]+\./, "2.not-an-id.")],
  ])("a second-form token with %s is 401", async (_what, change) => {
    const alice = await createAccount(api, "hubsess");
    await expectError(await me(`sealed_session=${change(tokenOf(alice.cookie))}`), 401, "unauthenticated");
  });

  test("a device the hub has revoked cannot start a session even while D1 still has it active (fail closed)", async () => {
    const alice = await createAccount(api, "hubsess");
    const stub = env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(alice.accountId));
    await stub.revokeDevices([alice.deviceId as DeviceId]);
    await expectError(await me(alice.cookie), 401, "unauthenticated");
    const res = await api.call("POST", "/api/session", { json: await signedLogin(api, alice, await requestNonce(api, alice)) });
    await expectError(res, 401, "login_failed");
    expect(cookieFrom(res)).toBeUndefined();
  });

  test("a device holds at most 16 sessions: the 17th pushes out the one stored first", async () => {
    const alice = await createAccount(api, "hubsess");
    const stub = env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(alice.accountId));
    const expiresAt = Date.now() + 60_000;
    const hashes = Array.from({ length: 17 }, () => testCrypto.randomBytes(32));
    for (const h of hashes) expect(await stub.startSession(h, { deviceId: alice.deviceId as DeviceId, username: alice.username, signingKey: new Uint8Array(32), expiresAt, movedFrom: null })).toBe(true);
    const held = await hubRowsOf(alice.accountId, alice.deviceId);
    expect(held).toHaveLength(16);
    expect(held).not.toContain(toBase64url(hashes[0]!));
    expect(held).toContain(toBase64url(hashes[16]!));
    // The login's own session ends later than these: it is kept.
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test("an expired second-form session is 401", async () => {
    const alice = await createAccount(api, "hubsess");
    await hubSql(alice.accountId, (sql) => sql.exec("UPDATE sessions SET expires_at = ? WHERE device_id = ?", Date.now() - 1, alice.deviceId));
    await expectError(await me(alice.cookie), 401, "unauthenticated");
  });

  test("the D1 layout refuses second-form tokens (its sessions are D1's)", async () => {
    const alice = await createAccount(api, "hubsess");
    await expectError(await d1LayoutApi.call("GET", "/api/me", { cookie: alice.cookie }), 401, "unauthenticated");
  });
});

describe("first-form tokens (made by the release before)", () => {
  /** An account logged in on the D1 layout: a bare 32-byte token and its row in D1's sessions table. */
  async function oldSession() {
    const alice = await createAccount(d1LayoutApi, "hubold");
    expect(tokenOf(alice.cookie)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const hash = new Uint8Array(await testCrypto.subtle.digest("SHA-256", fromBase64url(tokenOf(alice.cookie))));
    return { alice, hash };
  }

  test("is admitted, then moved: the answer sets a second-form cookie with the same expiry, which works, and the old one lives a minute more", async () => {
    const { alice, hash } = await oldSession();
    const before = await env.DB.prepare("SELECT expires_at FROM sessions WHERE token_hash = ?").bind(hash).first<{ expires_at: number }>();
    const res = await me(alice.cookie);
    expect(res.status).toBe(200);
    const moved = cookieFrom(res);
    expect(moved && tokenOf(moved)).toMatch(new RegExp(`^2\\.${alice.accountId}\\.[A-Za-z0-9_-]{43}$`));
    const maxAge = Number(/Max-Age=(\d+)/i.exec(res.headers.get("set-cookie") ?? "")?.[1]);
    expect(Math.abs(Date.now() + maxAge * 1000 - before!.expires_at)).toBeLessThan(5_000);
    const movedRes = await me(moved!);
    expect(movedRes.status).toBe(200);
    expect(cookieFrom(movedRes)).toBeUndefined();
    const after = await env.DB.prepare("SELECT expires_at FROM sessions WHERE token_hash = ?").bind(hash).first<{ expires_at: number }>();
    expect(after!.expires_at).toBeLessThanOrEqual(Date.now() + 60_000);
    expect(await hubRowsOf(alice.accountId, alice.deviceId)).toHaveLength(1);
  });

  test("a WebSocket upgrade with a first-form token is admitted and the socket works", async () => {
    const { alice } = await oldSession();
    const socket = await connectRealtime(alice);
    await socket.roundTrip();
    expect((await me(alice.cookie)).status).toBe(200);
  });

  test("signing out with the moved cookie ends the old token too", async () => {
    const { alice } = await oldSession();
    const moved = cookieFrom(await me(alice.cookie))!;
    expect((await api.call("DELETE", "/api/session", { cookie: moved })).status).toBe(204);
    await expectError(await me(moved), 401, "unauthenticated");
    await expectError(await me(alice.cookie), 401, "unauthenticated");
  });

  test("a revoke reaches both: the old token and the moved one are 401 on the next request", async () => {
    const { alice } = await oldSession();
    const device = await makeDevice();
    const add = await addDeviceEntry(accountLog(alice), device, genesisDevice(alice));
    expect((await postLogEntry(d1LayoutApi, alice.cookie, alice.accountId, add)).status).toBe(201);
    const log = await add.next();
    const second = asDevice(alice, device, log.state);
    const oldCookie = await logIn(d1LayoutApi, second);
    const moved = cookieFrom(await me(oldCookie))!;
    expect((await me(moved)).status).toBe(200);
    const admin = cookieFrom(await me(alice.cookie))!;
    expect((await postLogEntry(api, admin, alice.accountId, await revokeEntry(log, device.deviceId, genesisDevice(alice)))).status).toBe(201);
    await expectError(await me(moved), 401, "unauthenticated");
    await expectError(await me(oldCookie), 401, "unauthenticated");
  });
});
