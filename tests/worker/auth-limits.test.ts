import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import type { Bindings } from "../../worker/env.js";
import { AVAILABILITY_PER_SIGNUP, LOGIN_LIMIT, LOGIN_WINDOW_MS, SIGNUP_LIMIT, SIGNUP_WINDOW_MS, configuredLimit } from "../../worker/http/auth-limits.js";
import { makeAccount, requestNonce, signUp, signedLogin, type TestAccount } from "../support/account.js";
import { cookieFrom, type ApiClient } from "../support/api-client.js";
import { freshAddress } from "../support/link-relay.js";
import { api, expectError } from "./api.js";

/** The API as seen from one client address (Cloudflare's CF-Connecting-IP). */
function from(address: string): ApiClient {
  return { origin: api.origin, call: (method, path, o = {}) => api.call(method, path, { ...o, headers: { "CF-Connecting-IP": address, ...o.headers } }) };
}

/** Asserts a 429 rate_limited JSON answer whose Retry-After (whole seconds) ends within `windowMs`. */
async function expectLimited(res: Response, windowMs: number): Promise<void> {
  const retryAfter = res.headers.get("retry-after");
  expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
  expect(Number(retryAfter)).toBeLessThanOrEqual(windowMs / 1000);
  expect(res.headers.get("cache-control")).toBe("no-store");
  const message = await expectError(res, 429, "rate_limited");
  expect(message).toMatch(/^at most \d+ per \d+ s from one address/);
}

async function signedUp(client: ApiClient): Promise<TestAccount> {
  const account = await makeAccount();
  const res = await signUp(client, account);
  expect(res.status).toBe(201);
  return account;
}

describe("username check limit (GET /api/usernames/:username)", () => {
  test(`allows ${SIGNUP_LIMIT * AVAILABILITY_PER_SIGNUP} checks per address per hour, its own count apart from sign-up's`, async () => {
    const client = from(freshAddress());
    for (let i = 0; i < SIGNUP_LIMIT * AVAILABILITY_PER_SIGNUP; i++) expect((await client.call("GET", `/api/usernames/free${i}`)).status).toBe(200);
    await expectLimited(await client.call("GET", "/api/usernames/onemore"), SIGNUP_WINDOW_MS);
    await signedUp(client);
  });
});

describe("sign-up limit (POST /api/accounts)", () => {
  test(`allows ${SIGNUP_LIMIT} sign-ups per address per hour, then 429 with Retry-After; another address is unaffected`, async () => {
    const client = from(freshAddress());
    for (let i = 0; i < SIGNUP_LIMIT; i++) await signedUp(client);
    const refused = await signUp(client, await makeAccount());
    await expectLimited(refused, SIGNUP_WINDOW_MS);
    await signedUp(from(freshAddress()));
  });

  test("refused and malformed attempts count too, and the limit holds once reached", async () => {
    const client = from(freshAddress());
    for (let i = 0; i < SIGNUP_LIMIT; i++) {
      await expectError(await client.call("POST", "/api/accounts", { json: { username: "x", genesis: "AAAA" } }), 400, "invalid_body");
    }
    const account = await makeAccount();
    await expectLimited(await signUp(client, account), SIGNUP_WINDOW_MS);
    await expectLimited(await signUp(client, account), SIGNUP_WINDOW_MS);
    // The refused account was not created: its username is still free from elsewhere.
    expect((await signUp(from(freshAddress()), account)).status).toBe(201);
  });

  test("counts an IPv6 client by its /64", async () => {
    const group = () => ((Math.random() * 0xffff) | 0).toString(16);
    const prefix = `2001:db8:${group()}:${group()}`;
    for (let i = 0; i < SIGNUP_LIMIT; i++) await signedUp(from(`${prefix}::${i + 1}`));
    await expectLimited(await signUp(from(`${prefix}:1:2:3:4`), await makeAccount()), SIGNUP_WINDOW_MS);
  });

  test("a request with no client address (only possible from inside the platform) is not counted", async () => {
    for (let i = 0; i <= SIGNUP_LIMIT; i++) await signedUp(api);
  });
});

describe("login limit (POST /api/session/challenge and POST /api/session)", () => {
  test(`allows ${LOGIN_LIMIT} challenges per address per 10 minutes, then 429; another address still logs in`, async () => {
    const alice = await signedUp(api);
    const client = from(freshAddress());
    for (let i = 0; i < LOGIN_LIMIT; i++) await requestNonce(client, alice);
    const refused = await client.call("POST", "/api/session/challenge", { json: { accountId: alice.accountId, deviceId: alice.deviceId } });
    await expectLimited(refused, LOGIN_WINDOW_MS);
    const other = from(freshAddress());
    const res = await other.call("POST", "/api/session", { json: await signedLogin(other, alice, await requestNonce(other, alice)) });
    expect(res.status).toBe(200);
    expect(cookieFrom(res)).toBeDefined();
  });

  test(`allows ${LOGIN_LIMIT} login attempts per address per 10 minutes, failed ones included, then 429 even for a valid one`, async () => {
    const alice = await signedUp(api);
    const client = from(freshAddress());
    // Nonces come from elsewhere, so only the login attempts count against this address.
    const valid = await signedLogin(client, alice, await requestNonce(api, alice));
    const wrong = { ...valid, nonce: toBase64url(new Uint8Array(32)) };
    for (let i = 0; i < LOGIN_LIMIT; i++) await expectError(await client.call("POST", "/api/session", { json: wrong }), 401, "login_failed");
    const refused = await client.call("POST", "/api/session", { json: valid });
    expect(cookieFrom(refused)).toBeUndefined();
    await expectLimited(refused, LOGIN_WINDOW_MS);
    // The refused attempt did not spend the nonce: from another address the same login succeeds.
    expect((await from(freshAddress()).call("POST", "/api/session", { json: valid })).status).toBe(200);
  });
});

describe("configuredLimit", () => {
  const env = (value?: string) => ({ SIGNUP_LIMIT_PER_HOUR: value }) as unknown as Bindings;

  test("uses the default when the var is absent, and a whole number when one is set", () => {
    expect(configuredLimit(env(), "SIGNUP_LIMIT_PER_HOUR", 10)).toBe(10);
    expect(configuredLimit(env("250"), "SIGNUP_LIMIT_PER_HOUR", 10)).toBe(250);
    expect(configuredLimit(env("1000000"), "SIGNUP_LIMIT_PER_HOUR", 10)).toBe(1_000_000);
  });

  test.each(["", "0", "-5", "1.5", "1e3", " 7", "abc", "1000001"])("refuses %j rather than guess", (value) => {
    expect(() => configuredLimit(env(value), "SIGNUP_LIMIT_PER_HOUR", 10)).toThrow(/SIGNUP_LIMIT_PER_HOUR must be a whole number/);
  });
});
