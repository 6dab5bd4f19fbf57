// Issue 15: passphrase guesses are counted atomically and budgeted per account. Attacks first: 25
// concurrent wrong guesses from one address all got 403 (the count was read, then raised after the
// check), and guesses spread over many addresses had no ceiling at all.
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import type { Argon2id } from "../../protocol/passphrase.js";
import { createAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog } from "../support/device-log.js";
import { passphraseBlobFor, recoveryBlobFor } from "../support/recovery.js";
import { api, expectError } from "./api.js";

const fakeArgon2id: Argon2id = async (p) => new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([...p.password, ...p.salt]))).slice(0, p.length);

let next = 0;
/** Addresses no other test file uses (198.18.0.0/15 is for benchmarks, RFC 2544). */
function newAddress(): string {
  next += 1;
  return `198.18.${Math.floor(next / 250)}.${next % 250}`;
}

async function withPassphrase() {
  const alice = await createAccount(api, "ppa");
  const log = accountLog(alice);
  const blob = await recoveryBlobFor(log, alice.keys.recovery, 1);
  expect((await api.call("PUT", "/api/recovery/blob", { cookie: alice.cookie, json: { blob: toBase64url(blob) } })).status).toBe(204);
  const pp = await passphraseBlobFor(log, fakeArgon2id, "correct horse battery staple", alice.keys.recoveryKey);
  expect((await api.call("PUT", "/api/recovery/passphrase", { cookie: alice.cookie, json: { blob: toBase64url(pp.blob), accessToken: toBase64url(pp.accessToken) } })).status).toBe(204);
  return { alice, accessToken: pp.accessToken };
}

function unlock(username: string, accessToken: Uint8Array, address: string): Promise<Response> {
  return api.call("POST", `/api/recovery/${username}/passphrase`, { json: { accessToken: toBase64url(accessToken) }, headers: { "CF-Connecting-IP": address } });
}

describe("passphrase attempts", () => {
  test("25 concurrent wrong guesses from one address: only the 3 free tries are judged, the rest wait (429)", async () => {
    const { alice } = await withPassphrase();
    const address = newAddress();
    const wrong = testCrypto.randomBytes(32);
    const statuses = await Promise.all(Array.from({ length: 25 }, () => unlock(alice.username, wrong, address).then((r) => r.status)));
    expect(statuses.filter((s) => s === 403)).toHaveLength(3);
    expect(statuses.filter((s) => s === 429)).toHaveLength(22);
  });

  test("a daily budget per account: 100 wrong guesses from 100 addresses, then even the right one waits until tomorrow", async () => {
    const { alice, accessToken } = await withPassphrase();
    const wrong = testCrypto.randomBytes(32);
    for (let i = 0; i < 100; i++) await expectError(await unlock(alice.username, wrong, newAddress()), 403, "wrong_passphrase");
    const refused = await unlock(alice.username, accessToken, newAddress());
    expect(await expectError(refused.clone(), 429, "rate_limited")).toMatch(/today/);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(24 * 3600);
    // The next day (the stored day moved back by one) the budget is fresh.
    await env.DB.prepare("UPDATE passphrase_budget SET day = day - 1 WHERE account_id = ?1").bind(alice.accountId).run();
    expect((await unlock(alice.username, accessToken, newAddress())).status).toBe(200);
  });

  test("a right passphrase does not use up the budget", async () => {
    const { alice, accessToken } = await withPassphrase();
    for (let i = 0; i < 120; i++) expect((await unlock(alice.username, accessToken, newAddress())).status).toBe(200);
  });
});
