import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { profileResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { AccountId } from "../../protocol/ids.js";
import { MAX_PROFILE_BLOB_BYTES, decodeProfileBlob, openProfile } from "../../protocol/profile.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { profileKeyOf, sealedProfileOf } from "../support/profile.js";
import { api, expectError } from "./api.js";

// Profiles (docs/API.md "Profiles"): one sealed blob per account, written by its devices, read by any
// signed-in user; the server checks only the blob's structure and never learns the name or avatar.

function put(as: LoggedInAccount, sealed: Uint8Array | string, extra: Record<string, unknown> = {}): Promise<Response> {
  return api.call("PUT", "/api/profile", { cookie: as.cookie, json: { sealed: typeof sealed === "string" ? sealed : toBase64url(sealed), ...extra } });
}

function get(as: LoggedInAccount, accountId: string): Promise<Response> {
  return api.call("GET", `/api/accounts/${accountId}/profile`, { cookie: as.cookie });
}

async function storedRow(accountId: string): Promise<unknown> {
  return env.DB.prepare("SELECT sealed FROM profiles WHERE account_id = ?1").bind(accountId).first();
}

describe("profiles", () => {
  test("a profile is stored opaque, replaced by the next write, and served to another account, who opens it with the key", async () => {
    const [alice, bob] = await Promise.all(["pa", "pb"].map((p) => createAccount(api, p)));
    const none = await get(bob!, alice!.accountId);
    expect(none.status).toBe(200);
    expect(profileResponse.parse(await none.json())).toEqual({ sealed: null, updatedAt: null });
    const first = await sealedProfileOf(alice!, { name: "Alice" });
    expect((await put(alice!, first)).status).toBe(204);
    const second = await sealedProfileOf(alice!, { name: "Alice Liddell" });
    expect((await put(alice!, second)).status).toBe(204);
    const res = await get(bob!, alice!.accountId);
    expect(res.status).toBe(200);
    const body = profileResponse.parse(await res.json());
    expect(body.sealed).toBe(toBase64url(second));
    // What the server handed out opens, with the key alice's devices give their contacts, to the newest name.
    const opened = await openProfile(testCrypto, decodeProfileBlob(second), await profileKeyOf(alice!), alice!.accountId);
    expect(opened.name).toBe("Alice Liddell");
    // The stored bytes are the sealed bytes: no name in the clear.
    const row = (await storedRow(alice!.accountId)) as { sealed: ArrayBuffer };
    expect(new TextDecoder().decode(new Uint8Array(row.sealed))).not.toContain("Alice");
  });

  test("a device writes only its own account's profile", async () => {
    const [alice, bob] = await Promise.all(["pc", "pd"].map((p) => createAccount(api, p)));
    // Bob's device stores bytes sealed for alice: they land under bob's account, never alice's.
    expect((await put(bob!, await sealedProfileOf(alice!))).status).toBe(204);
    expect(await storedRow(alice!.accountId)).toBeNull();
    expect(await storedRow(bob!.accountId)).not.toBeNull();
  });

  test("refuses malformed blobs with invalid_profile or invalid_body, and stores nothing", async () => {
    const alice = await createAccount(api, "pe");
    const good = await sealedProfileOf(alice);
    const badVersion = good.slice();
    badVersion[0] = 2;
    const offBucket = new Uint8Array(good.length + 5).fill(1);
    offBucket[0] = 1;
    await expectError(await put(alice, badVersion), 400, "invalid_profile");
    await expectError(await put(alice, offBucket), 400, "invalid_profile");
    await expectError(await put(alice, new Uint8Array(20)), 400, "invalid_body");
    await expectError(await put(alice, new Uint8Array(MAX_PROFILE_BLOB_BYTES + 1)), 400, "invalid_body");
    await expectError(await put(alice, "not base64url!"), 400, "invalid_body");
    await expectError(await put(alice, good, { extra: 1 }), 400, "invalid_body");
    expect(await storedRow(alice.accountId)).toBeNull();
  });

  test("needs a session to read or write, and answers a malformed id with 404", async () => {
    const alice = await createAccount(api, "pf");
    await expectError(await api.call("PUT", "/api/profile", { json: { sealed: toBase64url(await sealedProfileOf(alice)) } }), 401, "unauthenticated");
    await expectError(await api.call("GET", `/api/accounts/${alice.accountId}/profile`), 401, "unauthenticated");
    await expectError(await get(alice, "nope"), 404, "not_found");
    const unknown = await get(alice, AccountId.fromBytes(new Uint8Array(32).fill(9)));
    expect(unknown.status).toBe(200);
    expect(profileResponse.parse(await unknown.json()).sealed).toBeNull();
  });
});
