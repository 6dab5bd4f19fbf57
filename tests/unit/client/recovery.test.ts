import { describe, expect, test, vi } from "vitest";
import type { z } from "zod";
import type { recoveryLookupResponse } from "../../../protocol/api.js";
import { formatRecoveryKey, toBase64url, type Argon2id } from "../../../protocol/index.js";
import { Api } from "../../../web/src/client/transport/api.js";
import { makeContext } from "../../../web/src/client/context.js";
import { getAccount, getDevice } from "../../../web/src/client/store/db.js";
import { isRecoveryError, openRecovery, restoreAccount } from "../../../web/src/client/recovery/recovery.js";
import { RecoveryApi } from "../../../web/src/client/transport/recovery-api.js";
import { LinkApi } from "../../../web/src/client/transport/link-api.js";
import type { ClientContext } from "../../../web/src/client/context.js";
import { makeAccount } from "../../support/account.js";
import { testCrypto } from "../../support/crypto-env.js";
import { accountLog } from "../../support/device-log.js";
import { recoveryBlobFor } from "../../support/recovery.js";
import { freshDb } from "./helpers.js";

type Lookup = z.input<typeof recoveryLookupResponse>;

/** A server that answers the lookup with `lookup` and fails the test on anything else. */
function serverAnswering(lookup: Lookup): RecoveryApi {
  const unexpected = () => {
    throw new Error("unexpected call");
  };
  return {
    lookup: async () => ({ ...lookup, passphrase: lookup.passphrase ? { ...lookup.passphrase } : null }),
    unlockPassphrase: unexpected,
    appendLog: unexpected,
    status: unexpected,
    putBlob: unexpected,
    putPassphrase: unexpected,
    deletePassphrase: unexpected,
  } as unknown as RecoveryApi;
}

function context() {
  const offline = () => Promise.reject(new Error("no network in this test"));
  return makeContext({ db: freshDb(), api: new Api("", offline), linkApi: new LinkApi("", offline), recoveryApi: new RecoveryApi("", offline), env: testCrypto, origin: "http://localhost" });
}

/** The same device (database, clock) talking to another recovery server. */
function over(ctx: ClientContext, recoveryApi: RecoveryApi): ClientContext {
  return { ...ctx, recoveryApi };
}

const neverArgon: Argon2id = () => Promise.reject(new Error("Argon2id must not run"));

describe("restore refuses before changing anything", () => {
  test("weakened Argon2id parameters from the server are refused before Argon2id runs", async () => {
    const alice = await makeAccount();
    const blob = await recoveryBlobFor(accountLog(alice), alice.keys.recovery, 1);
    const argon2id = vi.fn(neverArgon);
    const ctx = context();
    for (const weak of [
      { memoryKiB: 1024, iterations: 3, parallelism: 1 },
      { memoryKiB: 65_536, iterations: 1, parallelism: 1 },
      { memoryKiB: 64 * 1024 * 1024, iterations: 3, parallelism: 1 },
    ]) {
      const rapi = serverAnswering({ accountId: alice.accountId, blob: toBase64url(blob), passphrase: { ...weak, salt: toBase64url(new Uint8Array(16)) }, lastUsedAt: null, log: [toBase64url(alice.genesis)] });
      const err = await restoreAccount(over(ctx, rapi), { username: alice.username, secret: { kind: "passphrase", passphrase: "six words of a strong passphrase" }, argon2id }).catch((e: unknown) => e);
      expect(isRecoveryError(err, "weak_kdf")).toBe(true);
    }
    expect(argon2id).not.toHaveBeenCalled();
    expect(await getAccount(ctx.db)).toBeUndefined();
    expect(await getDevice(ctx.db)).toBeUndefined();
  });

  test("a blob of another account sealed to the same recovery key is refused", async () => {
    const alice = await makeAccount();
    const mallory = await makeAccount();
    // The server serves Mallory's secrets sealed to Alice's recovery box key, with either log.
    const swapped = await recoveryBlobFor(accountLog(mallory), alice.keys.recovery, 7);
    const key = await formatRecoveryKey(testCrypto, alice.keys.recoveryKey);
    for (const log of [alice.genesis, mallory.genesis]) {
      const ctx = context();
      const rapi = serverAnswering({ accountId: alice.accountId, blob: toBase64url(swapped), passphrase: null, lastUsedAt: null, log: [toBase64url(log)] });
      await expect(openRecovery(over(ctx, rapi), { username: alice.username, secret: { kind: "key", recoveryKey: key }, argon2id: neverArgon })).rejects.toThrow();
      await expect(restoreAccount(over(ctx, rapi), { username: alice.username, secret: { kind: "key", recoveryKey: key }, argon2id: neverArgon })).rejects.toThrow();
      expect(await getAccount(ctx.db)).toBeUndefined();
      expect(await getDevice(ctx.db)).toBeUndefined();
    }
  });

  test("a wrong recovery key and a mistyped one are told apart", async () => {
    const alice = await makeAccount();
    const blob = await recoveryBlobFor(accountLog(alice), alice.keys.recovery, 1);
    const rapi = serverAnswering({ accountId: alice.accountId, blob: toBase64url(blob), passphrase: null, lastUsedAt: null, log: [toBase64url(alice.genesis)] });
    const other = await formatRecoveryKey(testCrypto, testCrypto.randomBytes(16));
    const wrong = await openRecovery(over(context(), rapi), { username: alice.username, secret: { kind: "key", recoveryKey: other }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(wrong, "wrong_recovery_key")).toBe(true);
    const right = await formatRecoveryKey(testCrypto, alice.keys.recoveryKey);
    const typo = (right[0] === "A" ? "B" : "A") + right.slice(1);
    const mistyped = await openRecovery(over(context(), rapi), { username: alice.username, secret: { kind: "key", recoveryKey: typo }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(mistyped, "recovery_key_typo")).toBe(true);
    const opened = await openRecovery(over(context(), rapi), { username: alice.username, secret: { kind: "key", recoveryKey: right.toLowerCase() }, argon2id: neverArgon });
    expect(opened.accountId).toBe(alice.accountId);
  });

  test("a stale blob (older keys than the log) is refused", async () => {
    const alice = await makeAccount();
    const log = accountLog(alice);
    // Sealed with a history key the log does not name.
    const stale = await recoveryBlobFor({ ...log, history: mallorysHistory(await makeAccount()) }, alice.keys.recovery, 1);
    const rapi = serverAnswering({ accountId: alice.accountId, blob: toBase64url(stale), passphrase: null, lastUsedAt: null, log: [toBase64url(alice.genesis)] });
    const key = await formatRecoveryKey(testCrypto, alice.keys.recoveryKey);
    const err = await openRecovery(over(context(), rapi), { username: alice.username, secret: { kind: "key", recoveryKey: key }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(err, "stale_recovery")).toBe(true);
  });
});

function mallorysHistory(a: Awaited<ReturnType<typeof makeAccount>>) {
  return a.keys.history;
}
