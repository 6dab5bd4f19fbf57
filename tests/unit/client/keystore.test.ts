import { describe, expect, test } from "vitest";
import { cryptoEnvFrom, verify } from "../../../protocol/index.js";
import { getDevice, putDevice } from "../../../web/src/client/store/db.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { createDeviceKeys, draftAccountSecrets, ensureDevice, sealAccountSecrets } from "../../../web/src/client/identity/keystore.js";
import { freshDb } from "./helpers.js";

const env = cryptoEnvFrom(globalThis.crypto);
const accountId = "A".repeat(43);

describe("device keys", () => {
  test("are generated non-extractable with the expected algorithms", async () => {
    const d = await createDeviceKeys(env, 1);
    expect([d.signingKey, d.boxKey, d.vaultKey].map((k) => [k.algorithm.name, k.type, k.extractable])).toEqual([
      ["Ed25519", "private", false],
      ["X25519", "private", false],
      ["AES-GCM", "secret", false],
    ]);
  });

  test("survive a round trip through IndexedDB still non-extractable and usable", async () => {
    const db = freshDb();
    const made = await ensureDevice(db, env, 1);
    const again = await ensureDevice(db, env, 2);
    expect(again.deviceId).toBe(made.deviceId);
    const row = (await getDevice(db))!;
    expect(row.signingKey).toBeInstanceOf(CryptoKey);
    expect(row.signingKey.extractable).toBe(false);
    const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", row.signingKey, new Uint8Array([1])));
    expect(await verify(env, row.signingPublic, sig, new Uint8Array([1]))).toBe(true);
  });

  test("a device row holding an extractable key is refused on write", async () => {
    const db = freshDb();
    const d = await createDeviceKeys(env, 1);
    const leaky = (await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["wrapKey", "unwrapKey"])) as CryptoKey;
    const err = await putDevice(db, { ...d, vaultKey: leaky }).catch((e: unknown) => e);
    expect(isClientError(err, "corrupt_store")).toBe(true);
    expect(await db.device.count()).toBe(0);
  });
});

describe("account secrets", () => {
  test("usable copies are non-extractable and match the published public keys", async () => {
    const device = await createDeviceKeys(env, 1);
    const draft = await draftAccountSecrets(env);
    expect(draft.identity.privateKey.extractable).toBe(true);
    const sealed = await sealAccountSecrets(env, device.vaultKey, draft, accountId as never);
    expect(sealed.identityKey.extractable).toBe(false);
    expect(sealed.historyKey.extractable).toBe(false);
    const msg = new Uint8Array([7, 7]);
    const sig = new Uint8Array(await crypto.subtle.sign("Ed25519", sealed.identityKey, msg));
    expect(await verify(env, draft.identityPublic, sig, msg)).toBe(true);
    // The wrapped bytes are not the key in the clear.
    expect(sealed.identityWrapped.length).toBeGreaterThan(48);
  });
});
