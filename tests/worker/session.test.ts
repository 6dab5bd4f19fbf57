import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { challengeResponse, sessionResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { generateSigningPair } from "../../protocol/primitives.js";
import { createAccount, logIn, makeAccount, requestNonce, signedLogin, signUp, type TestAccount } from "../support/account.js";
import { cookieFrom } from "../support/api-client.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError, httpsApi } from "./api.js";
import { hubSql } from "./hub-session-fixtures.js";

async function signedUp(): Promise<TestAccount> {
  const account = await makeAccount();
  expect((await signUp(api, account)).status).toBe(201);
  return account;
}

async function sha256(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await testCrypto.subtle.digest("SHA-256", bytes));
}

describe("POST /api/session/challenge", () => {
  test("answers a fresh 32-byte nonce that expires within two minutes", async () => {
    const account = await signedUp();
    const res = await api.call("POST", "/api/session/challenge", { json: { accountId: account.accountId, deviceId: account.deviceId } });
    expect(res.status).toBe(200);
    const { nonce } = challengeResponse.parse(await res.json());
    expect(fromBase64url(nonce)).toHaveLength(32);
    const row = await env.DB.prepare("SELECT expires_at FROM login_nonces WHERE nonce = ?").bind(fromBase64url(nonce)).first<{ expires_at: number }>();
    expect(row!.expires_at - Date.now()).toBeGreaterThan(60_000);
    expect(row!.expires_at - Date.now()).toBeLessThanOrEqual(120_000);
    expect(await requestNonce(api, account)).not.toBe(nonce);
  });

  test("answers 404 for a device that is not the account's", async () => {
    const a = await signedUp();
    const b = await signedUp();
    const res = await api.call("POST", "/api/session/challenge", { json: { accountId: a.accountId, deviceId: b.deviceId } });
    await expectError(res, 404, "not_found");
  });
});

describe("POST /api/session", () => {
  test("a good signature logs in with an HttpOnly, SameSite=Strict cookie stored only as a hash", async () => {
    const account = await signedUp();
    const res = await api.call("POST", "/api/session", { json: await signedLogin(api, account, await requestNonce(api, account)) });
    expect(res.status).toBe(200);
    expect(sessionResponse.parse(await res.json())).toEqual({ accountId: account.accountId, deviceId: account.deviceId, username: account.username });

    const setCookie = res.headers.get("set-cookie") ?? "";
    // Second form (issue 22): the account id routes the check to its hub, then 32 random bytes.
    expect(setCookie).toMatch(new RegExp(`^sealed_session=2\\.${account.accountId}\\.[A-Za-z0-9_-]{43};`));
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    expect(setCookie).toMatch(/; Path=\//);
    expect(setCookie).toMatch(/; Max-Age=2592000/);
    expect(setCookie).not.toMatch(/Secure/i); // plain http is only the local dev origin

    const secret = fromBase64url(cookieFrom(res)!.split(".")[2]!);
    const label = new TextEncoder().encode(`sealed/session-token/v2\0${account.accountId}\0`);
    const stored = await hubSql(account.accountId, (sql) => sql.exec("SELECT token_hash FROM sessions WHERE device_id = ?", account.deviceId).toArray());
    expect(stored.map((r) => toBase64url(new Uint8Array(r["token_hash"] as ArrayBuffer)))).toEqual([toBase64url(await sha256(new Uint8Array([...label, ...secret])))]);
  });

  test("over https the cookie is __Host- prefixed and Secure", async () => {
    const account = await makeAccount();
    expect((await signUp(httpsApi, account)).status).toBe(201);
    const res = await httpsApi.call("POST", "/api/session", { json: await signedLogin(httpsApi, account, await requestNonce(httpsApi, account)) });
    expect(res.status).toBe(200);
    const setCookie = res.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^__Host-sealed_session=/);
    expect(setCookie).toMatch(/; Secure/);
    expect(setCookie).toMatch(/; HttpOnly/i);
    expect(setCookie).toMatch(/; SameSite=Strict/i);
    const me = await httpsApi.call("GET", "/api/me", { cookie: cookieFrom(res)! });
    expect(me.status).toBe(200);
  });

  test("a nonce works once", async () => {
    const account = await signedUp();
    const nonce = await requestNonce(api, account);
    expect((await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) })).status).toBe(200);
    const again = await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) });
    await expectError(again, 401, "login_failed");
  });

  test("a failed attempt uses up the nonce too", async () => {
    const account = await signedUp();
    const nonce = await requestNonce(api, account);
    const wrong = await signedLogin(api, account, nonce, { expiresAt: Date.now() - 1 });
    await expectError(await api.call("POST", "/api/session", { json: wrong }), 401, "login_failed");
    await expectError(await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) }), 401, "login_failed");
  });

  test("refuses a signature by another key", async () => {
    const account = await signedUp();
    const other = await generateSigningPair(testCrypto, false);
    const body = await signedLogin(api, account, await requestNonce(api, account), { signingKey: other.privateKey });
    await expectError(await api.call("POST", "/api/session", { json: body }), 401, "login_failed");
  });

  test("refuses a signature made for another origin", async () => {
    const account = await signedUp();
    const body = await signedLogin(api, account, await requestNonce(api, account), { origin: "https://evil.example" });
    await expectError(await api.call("POST", "/api/session", { json: body }), 401, "login_failed");
  });

  test("refuses a signature with a tampered field", async () => {
    const account = await signedUp();
    const body = await signedLogin(api, account, await requestNonce(api, account));
    await expectError(await api.call("POST", "/api/session", { json: { ...body, expiresAt: body.expiresAt + 1 } }), 401, "login_failed");
  });

  test("refuses an expired signature", async () => {
    const account = await signedUp();
    const body = await signedLogin(api, account, await requestNonce(api, account), { expiresAt: Date.now() - 1000 });
    const message = await expectError(await api.call("POST", "/api/session", { json: body }), 401, "login_failed");
    expect(message).toMatch(/expired/);
  });

  test("refuses a signature that would stay valid too long", async () => {
    const account = await signedUp();
    const body = await signedLogin(api, account, await requestNonce(api, account), { expiresAt: Date.now() + 60 * 60_000 });
    await expectError(await api.call("POST", "/api/session", { json: body }), 401, "login_failed");
  });

  test("refuses an expired nonce", async () => {
    const account = await signedUp();
    const nonce = await requestNonce(api, account);
    await env.DB.prepare("UPDATE login_nonces SET expires_at = ? WHERE nonce = ?").bind(Date.now() - 1, fromBase64url(nonce)).run();
    await expectError(await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) }), 401, "login_failed");
  });

  test("refuses a nonce issued to another device", async () => {
    const a = await signedUp();
    const b = await signedUp();
    const body = await signedLogin(api, a, await requestNonce(api, b));
    await expectError(await api.call("POST", "/api/session", { json: body }), 401, "login_failed");
  });

  test("refuses a request from another origin before looking at it", async () => {
    const account = await signedUp();
    const nonce = await requestNonce(api, account);
    const body = await signedLogin(api, account, nonce, { origin: "https://evil.example" });
    const res = await api.call("POST", "/api/session", { json: body, headers: { Origin: "https://evil.example" } });
    await expectError(res, 403, "bad_origin");
    // The nonce was not consumed: the refused request never reached the route.
    expect((await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) })).status).toBe(200);
  });
});

describe("sessions", () => {
  test("GET /api/me answers who the session is", async () => {
    const account = await createAccount(api);
    const res = await api.call("GET", "/api/me", { cookie: account.cookie });
    expect(res.status).toBe(200);
    expect(sessionResponse.parse(await res.json())).toEqual({ accountId: account.accountId, deviceId: account.deviceId, username: account.username });
  });

  test.each([
    ["no cookie", undefined],
    ["a malformed cookie", "sealed_session=not-a-token"],
    ["an unknown token", `sealed_session=${toBase64url(new Uint8Array(32))}`],
  ])("GET /api/me with %s is 401", async (_what, cookie) => {
    await expectError(await api.call("GET", "/api/me", cookie === undefined ? {} : { cookie }), 401, "unauthenticated");
  });

  test("logging out ends the session and clears the cookie", async () => {
    const account = await createAccount(api);
    const res = await api.call("DELETE", "/api/session", { cookie: account.cookie });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(/^sealed_session=; Max-Age=0/);
    await expectError(await api.call("GET", "/api/me", { cookie: account.cookie }), 401, "unauthenticated");
    const { results } = await env.DB.prepare("SELECT 1 FROM sessions WHERE device_id = ?").bind(account.deviceId).all();
    expect(results).toHaveLength(0);
    expect(await hubSql(account.accountId, (sql) => sql.exec("SELECT 1 FROM sessions WHERE device_id = ?", account.deviceId).toArray())).toHaveLength(0);
    // Idempotent: a second logout is still 204.
    expect((await api.call("DELETE", "/api/session", { cookie: account.cookie })).status).toBe(204);
  });

  test("an expired session is refused", async () => {
    const account = await createAccount(api);
    await hubSql(account.accountId, (sql) => sql.exec("UPDATE sessions SET expires_at = ? WHERE device_id = ?", Date.now() - 1, account.deviceId));
    await expectError(await api.call("GET", "/api/me", { cookie: account.cookie }), 401, "unauthenticated");
  });

  test("a revoked device's sessions stop working and it cannot log in again", async () => {
    const account = await createAccount(api);
    const nonce = await requestNonce(api, account);
    // In the app's order (routes/device-log.ts): the account's hub first, then D1.
    await env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(account.accountId)).revokeDevices([account.deviceId]);
    await env.DB.prepare("UPDATE devices SET revoked_at = ? WHERE device_id = ?").bind(Date.now(), account.deviceId).run();
    await expectError(await api.call("GET", "/api/me", { cookie: account.cookie }), 401, "unauthenticated");
    await expectError(await api.call("POST", "/api/session", { json: await signedLogin(api, account, nonce) }), 401, "login_failed");
    const challenge = await api.call("POST", "/api/session/challenge", { json: { accountId: account.accountId, deviceId: account.deviceId } });
    await expectError(challenge, 403, "forbidden");
  });

  test("each login is its own session", async () => {
    const account = await createAccount(api);
    const second = await logIn(api, account);
    expect(second).not.toBe(account.cookie);
    expect((await api.call("DELETE", "/api/session", { cookie: second })).status).toBe(204);
    expect((await api.call("GET", "/api/me", { cookie: account.cookie })).status).toBe(200);
  });
});
