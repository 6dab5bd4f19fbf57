import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { recoveryLookupResponse, recoveryStatusResponse, unlockPassphraseResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import type { Argon2id } from "../../protocol/passphrase.js";
import { createAccount, logIn, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry } from "../support/device-log.js";
import { passphraseBlobFor, recoverEntry, recoveryBlobFor } from "../support/recovery.js";
import { api, expectError } from "./api.js";

/** The server never runs Argon2id, so a cheap stand-in with the same shape builds valid blobs here. */
const fakeArgon2id: Argon2id = async (p) => {
  const input = new Uint8Array([...p.password, ...p.salt]);
  return new Uint8Array(await crypto.subtle.digest("SHA-256", input)).slice(0, p.length);
};

let addressCounter = 0;
/** A client address no other test uses, so rate limits and backoff do not leak between tests. */
function newAddress(): string {
  addressCounter += 1;
  return `203.0.${Math.floor(addressCounter / 250)}.${addressCounter % 250}`;
}

async function putBlob(account: LoggedInAccount, blob: Uint8Array): Promise<Response> {
  return api.call("PUT", "/api/recovery/blob", { cookie: account.cookie, json: { blob: toBase64url(blob) } });
}

async function withBlob(prefix = "rec") {
  const alice = await createAccount(api, prefix);
  const log = accountLog(alice);
  const blob = await recoveryBlobFor(log, alice.keys.recovery, 1);
  expect((await putBlob(alice, blob)).status).toBe(204);
  return { alice, log, blob };
}

async function withPassphrase() {
  const base = await withBlob("pp");
  const { blob, accessToken } = await passphraseBlobFor(base.log, fakeArgon2id, "correct horse battery staple", base.alice.keys.recoveryKey);
  const res = await api.call("PUT", "/api/recovery/passphrase", { cookie: base.alice.cookie, json: { blob: toBase64url(blob), accessToken: toBase64url(accessToken) } });
  expect(res.status).toBe(204);
  return { ...base, passphraseBlob: blob, accessToken };
}

function unlock(username: string, accessToken: Uint8Array, address: string): Promise<Response> {
  return api.call("POST", `/api/recovery/${username}/passphrase`, { json: { accessToken: toBase64url(accessToken) }, headers: { "CF-Connecting-IP": address } });
}

/** Moves the stored last failure back in time, as if `ms` had passed. */
async function age(accountId: string, ms: number): Promise<void> {
  await env.DB.prepare("UPDATE passphrase_failures SET last_failure_at = last_failure_at - ?2 WHERE account_id = ?1").bind(accountId, ms).run();
}

describe("PUT /api/recovery/blob", () => {
  test("stores the blob, and GET /api/recovery/:username serves it without a session", async () => {
    const { alice, blob } = await withBlob();
    const res = await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } });
    expect(res.status).toBe(200);
    expect(recoveryLookupResponse.parse(await res.json())).toEqual({ accountId: alice.accountId, blob: toBase64url(blob), passphrase: null, lastUsedAt: null, log: [toBase64url(alice.genesis)] });
  });

  test("a higher counter replaces the blob; the same or a lower one is 409 stale_blob", async () => {
    const { alice, log } = await withBlob();
    const second = await recoveryBlobFor(log, alice.keys.recovery, 2);
    expect((await putBlob(alice, second)).status).toBe(204);
    await expectError(await putBlob(alice, await recoveryBlobFor(log, alice.keys.recovery, 2)), 409, "stale_blob");
    await expectError(await putBlob(alice, await recoveryBlobFor(log, alice.keys.recovery, 1)), 409, "stale_blob");
    const status = recoveryStatusResponse.parse(await (await api.call("GET", "/api/recovery", { cookie: alice.cookie })).json());
    expect(status).toMatchObject({ blob: toBase64url(second), counter: 2, passphraseBlob: null });
  });

  test("refuses a blob bound to another account and one that does not decode", async () => {
    const alice = await createAccount(api, "rec");
    const bob = await createAccount(api, "rec");
    const bobsBlob = await recoveryBlobFor(accountLog(bob), bob.keys.recovery, 1);
    await expectError(await putBlob(alice, bobsBlob), 400, "invalid_blob");
    await expectError(await putBlob(alice, new Uint8Array(40).fill(1)), 400, "invalid_blob");
    const truncated = (await recoveryBlobFor(accountLog(alice), alice.keys.recovery, 1)).slice(0, 80);
    await expectError(await putBlob(alice, truncated), 400, "invalid_blob");
    await expectError(await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } }), 404, "not_found");
  });

  test("needs a session", async () => {
    const { log, alice } = await withBlob();
    const blob = await recoveryBlobFor(log, alice.keys.recovery, 5);
    await expectError(await api.call("PUT", "/api/recovery/blob", { json: { blob: toBase64url(blob) } }), 401, "unauthenticated");
  });

  test("lookups are rate-limited per client address", async () => {
    const { alice } = await withBlob();
    const address = newAddress();
    let last: Response | undefined;
    for (let i = 0; i < 31; i++) last = await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": address } });
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } })).status).toBe(200);
  });
});

describe("passphrase", () => {
  test("stores only SHA-256 of the access token, and releases the blob to the right token", async () => {
    const { alice, passphraseBlob, accessToken } = await withPassphrase();
    const row = await env.DB.prepare("SELECT blob, token_hash FROM passphrase_blobs WHERE account_id = ?1").bind(alice.accountId).first<{ blob: number[]; token_hash: number[] }>();
    const expectedHash = new Uint8Array(await crypto.subtle.digest("SHA-256", accessToken));
    expect(Uint8Array.from(row!.token_hash)).toEqual(expectedHash);
    expect(Uint8Array.from(row!.token_hash)).not.toEqual(accessToken);
    const lookup = recoveryLookupResponse.parse(await (await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } })).json());
    expect(lookup.passphrase).toMatchObject({ memoryKiB: 65_536, iterations: 3, parallelism: 1 });
    const res = await unlock(alice.username, accessToken, newAddress());
    expect(res.status).toBe(200);
    expect(fromBase64url(unlockPassphraseResponse.parse(await res.json()).blob)).toEqual(passphraseBlob);
  });

  test("refuses a passphrase blob for another account or with weakened parameters", async () => {
    const { alice, log } = await withBlob("pp");
    const bob = await createAccount(api, "pp");
    const forBob = await passphraseBlobFor(accountLog(bob), fakeArgon2id, "pw", bob.keys.recoveryKey);
    await expectError(await api.call("PUT", "/api/recovery/passphrase", { cookie: alice.cookie, json: { blob: toBase64url(forBob.blob), accessToken: toBase64url(forBob.accessToken) } }), 400, "invalid_blob");
    const good = await passphraseBlobFor(log, fakeArgon2id, "pw", alice.keys.recoveryKey);
    const weak = good.blob.slice();
    // memoryKiB (u32 after version and account id) lowered to 1024: a downgrade.
    new DataView(weak.buffer).setUint32(33, 1024);
    await expectError(await api.call("PUT", "/api/recovery/passphrase", { cookie: alice.cookie, json: { blob: toBase64url(weak), accessToken: toBase64url(good.accessToken) } }), 400, "invalid_blob");
  });

  test("wrong tokens: 3 free tries, then 429 with growing Retry-After; success resets", async () => {
    const { alice, accessToken } = await withPassphrase();
    const address = newAddress();
    const wrong = testCrypto.randomBytes(32);
    for (let i = 0; i < 3; i++) await expectError(await unlock(alice.username, wrong, address), 403, "wrong_passphrase");
    // The third failure starts a 5 s wait.
    let res = await unlock(alice.username, accessToken, address);
    await expectError(res.clone(), 429, "rate_limited");
    expect(Number(res.headers.get("retry-after"))).toBe(5);
    await age(alice.accountId, 5_000);
    await expectError(await unlock(alice.username, wrong, address), 403, "wrong_passphrase");
    res = await unlock(alice.username, wrong, address);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBe(10);
    await age(alice.accountId, 10_000);
    await expectError(await unlock(alice.username, wrong, address), 403, "wrong_passphrase");
    res = await unlock(alice.username, wrong, address);
    expect(Number(res.headers.get("retry-after"))).toBe(20);
    const row = await env.DB.prepare("SELECT failures FROM passphrase_failures WHERE account_id = ?1").bind(alice.accountId).first<{ failures: number }>();
    expect(row!.failures).toBe(5);
    await age(alice.accountId, 20_000);
    expect((await unlock(alice.username, accessToken, address)).status).toBe(200);
    expect(await env.DB.prepare("SELECT * FROM passphrase_failures WHERE account_id = ?1").bind(alice.accountId).first()).toBeNull();
    // Counting starts over.
    await expectError(await unlock(alice.username, wrong, address), 403, "wrong_passphrase");
  });

  test("the delay is capped at an hour, never a permanent lock", async () => {
    const { alice, accessToken } = await withPassphrase();
    const address = newAddress();
    await env.DB.prepare("INSERT INTO passphrase_failures (account_id, client, failures, last_failure_at) VALUES (?1, ?2, 500, ?3)").bind(alice.accountId, address, Date.now()).run();
    const res = await unlock(alice.username, accessToken, address);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get("retry-after"))).toBe(3600);
    await age(alice.accountId, 3_600_000);
    expect((await unlock(alice.username, accessToken, address)).status).toBe(200);
  });

  test("a stranger's failures from another address do not slow the owner", async () => {
    const { alice, accessToken } = await withPassphrase();
    const stranger = newAddress();
    const wrong = testCrypto.randomBytes(32);
    for (let i = 0; i < 4; i++) await unlock(alice.username, wrong, stranger);
    expect((await unlock(alice.username, wrong, stranger)).status).toBe(429);
    expect((await unlock(alice.username, accessToken, newAddress())).status).toBe(200);
  });

  test("DELETE removes the passphrase; unlocking is then 404 and the lookup shows none", async () => {
    const { alice, accessToken } = await withPassphrase();
    expect((await api.call("DELETE", "/api/recovery/passphrase", { cookie: alice.cookie })).status).toBe(204);
    await expectError(await unlock(alice.username, accessToken, newAddress()), 404, "not_found");
    const lookup = recoveryLookupResponse.parse(await (await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } })).json());
    expect(lookup.passphrase).toBeNull();
  });
});

describe("recover entry without a session", () => {
  test("is accepted, records the recovery time, and the new device can log in", async () => {
    const { alice, log } = await withBlob();
    const device = await makeDevice();
    const entry = await recoverEntry(log, device, alice.keys.recovery);
    const res = await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: entry.b64 }, headers: { "CF-Connecting-IP": newAddress() } });
    expect(res.status).toBe(201);
    const next = await entry.next();
    const cookie = await logIn(api, asDevice(alice, device, next.state));
    const status = recoveryStatusResponse.parse(await (await api.call("GET", "/api/recovery", { cookie })).json());
    expect(status.lastUsedAt).toBeGreaterThan(Date.now() - 60_000);
    const lookup = recoveryLookupResponse.parse(await (await api.call("GET", `/api/recovery/${alice.username}`, { headers: { "CF-Connecting-IP": newAddress() } })).json());
    expect(lookup.lastUsedAt).toBe(status.lastUsedAt);
  });

  test("other kinds without a session are 401, and a recover entry that does not verify is 400", async () => {
    const { alice, log } = await withBlob();
    const add = await addDeviceEntry(log, await makeDevice(), genesisDevice(alice));
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: add.b64 } }), 401, "unauthenticated");
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: "AAAA" } }), 401, "unauthenticated");
    const bob = await createAccount(api, "rec");
    // Signed with another account's recovery key: the log does not verify.
    const forged = await recoverEntry(log, await makeDevice(), bob.keys.recovery);
    await expectError(await api.call("POST", `/api/accounts/${alice.accountId}/log`, { json: { entry: forged.b64 }, headers: { "CF-Connecting-IP": newAddress() } }), 400, "invalid_entry");
    const row = await env.DB.prepare("SELECT recovery_last_used_at FROM accounts WHERE id = ?1").bind(alice.accountId).first();
    expect(row).toEqual({ recovery_last_used_at: null });
  });
});
