import { describe, expect, test } from "vitest";
import { formatRecoveryKey, isProtocolError, parseUsername } from "../../../protocol/index.js";
import { ClientError, isClientError, usernameFrom } from "../../../web/src/client/errors.js";
import { Api, ApiError, isApiError } from "../../../web/src/client/transport/api.js";
import { RecoveryApi } from "../../../web/src/client/transport/recovery-api.js";
import { LinkApi } from "../../../web/src/client/transport/link-api.js";
import { makeContext } from "../../../web/src/client/context.js";
import { RecoveryError, isRecoveryError, openRecovery } from "../../../web/src/client/recovery/recovery.js";
import { testCrypto } from "../../support/crypto-env.js";
import { freshDb } from "./helpers.js";

const neverArgon = () => Promise.reject(new Error("Argon2id must not run"));

function contextAnswering(fetch: (url: string) => Promise<Response>) {
  return makeContext({ db: freshDb(), api: new Api("", fetch), linkApi: new LinkApi("", fetch), recoveryApi: new RecoveryApi("", fetch), env: testCrypto, origin: "http://localhost" });
}

describe("one error hierarchy for the client", () => {
  test("ApiError and RecoveryError are ClientErrors that keep their own names and codes", () => {
    const api = new ApiError("not_member", "refused", 403);
    const recovery = new RecoveryError("wrong_passphrase", "wrong");
    for (const e of [api, recovery]) expect(e).toBeInstanceOf(ClientError);
    expect([api.name, api.code, recovery.name, recovery.code]).toEqual(["ApiError", "not_member", "RecoveryError", "wrong_passphrase"]);
    // The server's not_member is not the core's own: the UI maps each code space once.
    expect(isClientError(api, "not_member")).toBe(false);
    expect(isClientError(recovery)).toBe(false);
    expect(isClientError(new ClientError("not_member", "left"), "not_member")).toBe(true);
    expect(isRecoveryError(recovery, "wrong_passphrase")).toBe(true);
  });

  test("a wrapped error keeps its cause", () => {
    const err = (() => {
      try {
        return usernameFrom("Not A Name!", parseUsername);
      } catch (e) {
        return e;
      }
    })();
    expect(isClientError(err, "invalid_username")).toBe(true);
    expect(isProtocolError((err as Error).cause)).toBe(true);
  });

  test("a failed fetch becomes a network ApiError whose cause is what fetch threw", async () => {
    const down = new TypeError("Failed to fetch");
    const err = await new Api("", () => Promise.reject(down)).me().catch((e: unknown) => e);
    expect(isApiError(err, "network")).toBe(true);
    expect((err as ApiError).cause).toBe(down);
  });

  test("the recovery server's refusal becomes a RecoveryError caused by the ApiError", async () => {
    const ctx = contextAnswering(async () => new Response(JSON.stringify({ error: { code: "rate_limited", message: "slow down" } }), { status: 429, headers: { "retry-after": "90" } }));
    const err = await openRecovery(ctx, { username: "alice", secret: { kind: "passphrase", passphrase: "x" }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(err, "too_many_tries")).toBe(true);
    expect((err as RecoveryError).retryAfterSeconds).toBe(90);
    expect(isApiError((err as RecoveryError).cause, "rate_limited")).toBe(true);
  });

  test("a recovery key of the wrong length is bad_recovery_key caused by the protocol's error; one wrong character is recovery_key_typo", async () => {
    const ctx = contextAnswering(() => Promise.reject(new Error("nothing is fetched for a mistyped key")));
    const err = await openRecovery(ctx, { username: "alice", secret: { kind: "key", recoveryKey: "AAAA-AAAA" }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(err, "bad_recovery_key")).toBe(true);
    expect(isProtocolError((err as RecoveryError).cause)).toBe(true);
    const right = await formatRecoveryKey(testCrypto, testCrypto.randomBytes(16));
    const typo = (right[0] === "A" ? "B" : "A") + right.slice(1);
    const mistyped = await openRecovery(ctx, { username: "alice", secret: { kind: "key", recoveryKey: typo }, argon2id: neverArgon }).catch((e: unknown) => e);
    expect(isRecoveryError(mistyped, "recovery_key_typo")).toBe(true);
  });
});
