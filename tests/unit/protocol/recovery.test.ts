import { describe, expect, it } from "vitest";
import {
  KDF_DEFAULTS,
  assertRecoveryMatches,
  decodeKeyFile,
  decodePassphraseBlob,
  deriveRecoveryKeys,
  derivePassphraseKeys,
  encodeKeyFile,
  fromHex,
  generateRecoveryKey,
  openPassphraseBlob,
  openRecoveryBlob,
  sealPassphraseBlob,
  sealRecoveryBlob,
  toHex,
  type KdfParams,
} from "../../../protocol/index.js";
import vectors from "../../vectors/published.json" with { type: "json" };
import fc from "fast-check";
import { argon2id } from "../../support/argon2.js";
import { argon2idReference } from "../../support/argon2-reference.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount } from "./fixtures.js";

const secrets = { identityKey: new Uint8Array(48).fill(1), historyGeneration: 2, historyKey: new Uint8Array(48).fill(2) };

describe("recovery blob", () => {
  it("opens only with the recovery key it was sealed to", async () => {
    const rk = generateRecoveryKey(env);
    const keys = await deriveRecoveryKeys(env, rk);
    const a = await makeAccount("alice");
    const blob = await sealRecoveryBlob(env, { accountId: a.state.accountId, counter: 7, recoveryBoxKey: keys.box.publicKey, secrets });
    const opened = await openRecoveryBlob(env, blob, keys.box);
    expect(opened).toMatchObject({ accountId: a.state.accountId, counter: 7, secrets });
    const other = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    expect(await codeOf(() => openRecoveryBlob(env, blob, other.box))).toBe("decrypt_failed");
  });

  it("refuses a changed header or ciphertext", async () => {
    const keys = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    const a = await makeAccount("alice");
    const blob = await sealRecoveryBlob(env, { accountId: a.state.accountId, counter: 1, recoveryBoxKey: keys.box.publicKey, secrets });
    for (const [offset, code] of [[0, "unsupported_version"], [5, "decrypt_failed"], [36, "decrypt_failed"], [40, "low_order_point"], [blob.length - 1, "decrypt_failed"]] as const) {
      const bad = blob.slice();
      bad[offset]! ^= offset === 40 ? 0 : 1;
      if (offset === 40) bad.fill(0, 37, 69); // an all-zero ephemeral key
      expect([offset, await codeOf(() => openRecoveryBlob(env, bad, keys.box))]).toEqual([offset, code]);
    }
  });

  it("is accepted only for the account it is bound to, set up with this recovery key", async () => {
    const a = await makeAccount("alice");
    const b = await makeAccount("bob");
    const keysA = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    const blobForB = await sealRecoveryBlob(env, { accountId: b.state.accountId, counter: 1, recoveryBoxKey: keysA.box.publicKey, secrets });
    const opened = await openRecoveryBlob(env, blobForB, keysA.box);
    // The server serves Alice's log with a blob of another account sealed to the same recovery key.
    expect(await codeOf(() => assertRecoveryMatches(a.state, opened, keysA.box.publicKey))).toBe("identity_mismatch");
    // Right account id, but Alice's genesis names another recovery key.
    expect(await codeOf(() => assertRecoveryMatches(b.state, opened, keysA.box.publicKey))).toBe("identity_mismatch");
  });
});

describe("passphrase", () => {
  const params = (over: Partial<KdfParams> = {}): KdfParams => ({ ...KDF_DEFAULTS, salt: new Uint8Array(16).fill(5), ...over });

  it("RFC 9106 5.3 Argon2id vector (secret and associated data) through the test-only reference implementation", async () => {
    for (const v of vectors.argon2id_rfc9106) {
      const tag = await argon2idReference({ password: fromHex(v.password), salt: fromHex(v.salt), secret: fromHex(v.secret), ad: fromHex(v.associated_data), memoryKiB: v.memory_kib, iterations: v.iterations, parallelism: v.parallelism, length: 32 });
      expect(toHex(tag)).toBe(v.tag);
    }
  });

  it("hash-wasm, through our wrapper, agrees with the RFC-checked reference implementation", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 40 }), fc.uint8Array({ minLength: 8, maxLength: 32 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 16, max: 96 }), async (password, salt, parallelism, iterations, memoryKiB) => {
        const params = { password, salt, parallelism, iterations, memoryKiB: Math.max(memoryKiB, 8 * parallelism), length: 32 };
        expect(toHex(await argon2id(params))).toBe(toHex(await argon2idReference(params)));
      }),
      { numRuns: 12 },
    );
  });

  it("Argon2id through our wrapper matches the reference implementation's vector", async () => {
    for (const v of vectors.argon2id) {
      const tag = await argon2id({ password: fromHex(v.password), salt: fromHex(v.salt), memoryKiB: v.memory_kib, iterations: v.iterations, parallelism: v.parallelism, length: 32 });
      expect(toHex(tag)).toBe(v.tag);
    }
  });

  it("wraps the recovery key; the right passphrase opens it, a wrong one does not", { timeout: 30_000 }, async () => {
    const a = await makeAccount("alice");
    const rk = generateRecoveryKey(env);
    const keys = await derivePassphraseKeys(env, argon2id, "correct horse battery staple ocean violet", a.state.accountId, params());
    const blob = await sealPassphraseBlob(env, { accountId: a.state.accountId, params: params(), keys, recoveryKey: rk });
    expect(decodePassphraseBlob(blob).params).toEqual(params());
    expect((await openPassphraseBlob(env, blob, keys)).recoveryKey).toEqual(rk);
    const wrong = await derivePassphraseKeys(env, argon2id, "correct horse battery staple ocean violets", a.state.accountId, params());
    expect(wrong.accessToken).not.toEqual(keys.accessToken);
    expect(await codeOf(() => openPassphraseBlob(env, blob, wrong))).toBe("decrypt_failed");
    // Same passphrase, another account: other keys (the account id is bound into the derivation).
    const b = await makeAccount("bob");
    expect((await derivePassphraseKeys(env, argon2id, "correct horse battery staple ocean violet", b.state.accountId, params())).accessToken).not.toEqual(keys.accessToken);
  });

  it("refuses weakened or absurd Argon2id parameters before running it (KDF downgrade)", async () => {
    const a = await makeAccount("alice");
    for (const weak of [params({ memoryKiB: 19_456 }), params({ iterations: 2 }), params({ parallelism: 0 }), params({ memoryKiB: 4_194_304 }), params({ salt: new Uint8Array(8) })]) {
      expect(["out_of_bounds", "malformed"]).toContain(await codeOf(() => derivePassphraseKeys(env, argon2id, "x", a.state.accountId, weak)));
    }
    // A stored blob whose parameters were lowered is refused on decode.
    const keys = { wrapKey: new Uint8Array(32), accessToken: new Uint8Array(32) };
    const blob = await sealPassphraseBlob(env, { accountId: a.state.accountId, params: params(), keys, recoveryKey: new Uint8Array(16) });
    const lowered = blob.slice();
    lowered[34] = 0x00; // memoryKiB 0x00010000 (64 MiB) -> 0
    expect(await codeOf(() => decodePassphraseBlob(lowered))).toBe("out_of_bounds");
  });
});

describe("key file", () => {
  it("round-trips as text and refuses other files", async () => {
    const file = { username: "alice", recoveryBlob: new Uint8Array(200).fill(3), passphraseBlob: new Uint8Array(93).fill(4) };
    const text = encodeKeyFile(file);
    expect(text.startsWith("SEALED KEY FILE v1\n")).toBe(true);
    expect(decodeKeyFile(text)).toEqual(file);
    expect(decodeKeyFile(encodeKeyFile({ username: "bob", recoveryBlob: new Uint8Array(10) }))).toEqual({ username: "bob", recoveryBlob: new Uint8Array(10) });
    expect(await codeOf(() => decodeKeyFile("hello"))).toBe("malformed");
    expect(await codeOf(() => decodeKeyFile(text.replace("\n", "\nAA")))).toBe("malformed");
  });
});
