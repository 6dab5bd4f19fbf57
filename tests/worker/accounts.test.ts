import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { accountLogResponse, userSearchResponse, usernameAvailabilityResponse, signUpResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { makeGenesis } from "../../protocol/device-log.js";
import { exportPublic } from "../../protocol/primitives.js";
import { createAccount, makeAccount, signUp, uniqueUsername } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { api, expectError } from "./api.js";

describe("POST /api/accounts", () => {
  test("creates an account whose id is the genesis hash, storing the genesis and the device", async () => {
    const account = await makeAccount();
    const res = await signUp(api, account);
    expect(res.status).toBe(201);
    expect(signUpResponse.parse(await res.json())).toEqual({ accountId: account.accountId });

    const entry = await env.DB.prepare("SELECT entry FROM log_entries WHERE account_id = ? AND seq = 0").bind(account.accountId).first<{ entry: number[] }>();
    expect(Uint8Array.from(entry?.entry ?? [])).toEqual(account.genesis);
    const device = await env.DB.prepare("SELECT account_id, added_seq, revoked_at FROM devices WHERE device_id = ?").bind(account.deviceId).first();
    expect(device).toEqual({ account_id: account.accountId, added_seq: 0, revoked_at: null });
  });

  test("refuses a username that is taken, even with a different genesis", async () => {
    const first = await makeAccount();
    expect((await signUp(api, first)).status).toBe(201);
    await expectError(await signUp(api, first), 409, "username_taken");
    const second = await makeAccount(first.username);
    await expectError(await signUp(api, second), 409, "username_taken");
  });

  test.each([
    ["the version byte", 0],
    ["a public key in the payload", 120],
    ["a signature", -1],
  ])("refuses a genesis with a flipped byte in %s", async (_where, index) => {
    const account = await makeAccount();
    const tampered = account.genesis.slice();
    const at = index < 0 ? tampered.length + index : index;
    tampered[at] = tampered[at]! ^ 0x01;
    const res = await api.call("POST", "/api/accounts", { json: { username: account.username, genesis: toBase64url(tampered) } });
    await expectError(res, 400, "invalid_genesis");
    const row = await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE username = ?").bind(account.username).first<{ n: number }>();
    expect(row?.n).toBe(0);
  });

  test("refuses a genesis made for another username", async () => {
    const account = await makeAccount();
    const other = uniqueUsername("other");
    const res = await api.call("POST", "/api/accounts", { json: { username: other, genesis: toBase64url(account.genesis) } });
    const message = await expectError(res, 400, "invalid_genesis");
    expect(message).toContain(account.username);
  });

  test("refuses a second account for a device key that is already registered", async () => {
    const first = await makeAccount();
    expect((await signUp(api, first)).status).toBe(201);
    const second = await makeAccount();
    const username = uniqueUsername("copycat");
    const { bytes } = await makeGenesis(
      testCrypto,
      {
        username,
        identityKey: await exportPublic(testCrypto, second.keys.identity.publicKey),
        recoverySigningKey: second.keys.recovery.signing.publicKey,
        recoveryBoxKey: second.keys.recovery.box.publicKey,
        historyGeneration: 0,
        historyKey: await exportPublic(testCrypto, second.keys.history.publicKey),
        deviceSigningKey: await exportPublic(testCrypto, first.keys.deviceSigning.publicKey),
        deviceBoxKey: await exportPublic(testCrypto, first.keys.deviceBox.publicKey),
      },
      { identity: second.keys.identity.privateKey, device: first.keys.deviceSigning.privateKey, recovery: second.keys.recovery.signing.privateKey },
      Date.now(),
    );
    const res = await api.call("POST", "/api/accounts", { json: { username, genesis: toBase64url(bytes) } });
    await expectError(res, 409, "device_exists");
    const row = await env.DB.prepare("SELECT count(*) AS n FROM accounts WHERE username = ?").bind(username).first<{ n: number }>();
    expect(row?.n).toBe(0); // the batch rolled back: no account without its device
  });

  test("refuses a username that is not in canonical form", async () => {
    const account = await makeAccount();
    const res = await api.call("POST", "/api/accounts", { json: { username: account.username.toUpperCase(), genesis: toBase64url(account.genesis) } });
    await expectError(res, 400, "invalid_body");
  });
});

describe("the directory", () => {
  test("serves an account's log by username and by id to a logged-in user", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const expected = { username: bob.username, accountId: bob.accountId, log: [toBase64url(bob.genesis)] };

    const byName = await api.call("GET", `/api/users/${bob.username}`, { cookie: alice.cookie });
    expect(byName.status).toBe(200);
    expect(accountLogResponse.parse(await byName.json())).toEqual(expected);
    const anyCase = await api.call("GET", `/api/users/${bob.username.toUpperCase()}`, { cookie: alice.cookie });
    expect(accountLogResponse.parse(await anyCase.json())).toEqual(expected);

    const byId = await api.call("GET", `/api/accounts/${bob.accountId}/log`, { cookie: alice.cookie });
    expect(byId.status).toBe(200);
    expect(accountLogResponse.parse(await byId.json())).toEqual(expected);
  });

  test("is not public", async () => {
    const bob = await createAccount(api, "bob");
    await expectError(await api.call("GET", `/api/users/${bob.username}`), 401, "unauthenticated");
    await expectError(await api.call("GET", `/api/accounts/${bob.accountId}/log`), 401, "unauthenticated");
  });

  test("searches by username: the account's log, or no users (200) for a name no one uses", async () => {
    const alice = await createAccount(api, "alice");
    const bob = await createAccount(api, "bob");
    const expected = { username: bob.username, accountId: bob.accountId, log: [toBase64url(bob.genesis)] };
    const found = await api.call("GET", `/api/users?username=${bob.username.toUpperCase()}`, { cookie: alice.cookie });
    expect(found.status).toBe(200);
    expect(userSearchResponse.parse(await found.json())).toEqual({ users: [expected] });
    const none = await api.call("GET", `/api/users?username=${uniqueUsername("nobody")}`, { cookie: alice.cookie });
    expect(none.status).toBe(200);
    expect(userSearchResponse.parse(await none.json())).toEqual({ users: [] });
    await expectError(await api.call("GET", `/api/users?username=${bob.username}`), 401, "unauthenticated");
    for (const query of ["", "?username=", "?username=-not-a-name", `?username=${"a".repeat(65)}`]) {
      await expectError(await api.call("GET", `/api/users${query}`, { cookie: alice.cookie }), 400, "invalid_query");
    }
  });

  test("tells a sign-up whether a username is free, without a session, in any case", async () => {
    const bob = await createAccount(api, "bob");
    const taken = await api.call("GET", `/api/usernames/${bob.username.toUpperCase()}`);
    expect(taken.status).toBe(200);
    expect(usernameAvailabilityResponse.parse(await taken.json())).toEqual({ username: bob.username, available: false });
    const name = uniqueUsername("free");
    const free = await api.call("GET", `/api/usernames/${name}`);
    expect(usernameAvailabilityResponse.parse(await free.json())).toEqual({ username: name, available: true });
    await expectError(await api.call("GET", "/api/usernames/-not-a-name"), 400, "invalid_query");
  });

  test("answers 404 for unknown or malformed names and ids", async () => {
    const alice = await createAccount(api, "alice");
    const unknownId = toBase64url(new Uint8Array(32));
    for (const path of [`/api/users/${uniqueUsername("nobody")}`, "/api/users/-not-a-name", `/api/accounts/${unknownId}/log`, "/api/accounts/short/log"]) {
      await expectError(await api.call("GET", path, { cookie: alice.cookie }), 404, "not_found");
    }
  });
});
