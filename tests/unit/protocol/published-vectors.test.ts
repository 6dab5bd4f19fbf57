// Published known-answer vectors, run through the project's own wrappers (protocol/primitives.ts).
import { describe, expect, it } from "vitest";
import vectors from "../../vectors/published.json" with { type: "json" };
import { aesGcmDecrypt, aesGcmEncrypt, fromHex, hkdf, importAesKey, importSeed, sign, toHex, verify, x25519 } from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

describe("published vectors through our wrappers", () => {
  it.each(vectors.hkdf_sha256)("HKDF-SHA-256: $source", async (v) => {
    expect(toHex(await hkdf(env, fromHex(v.ikm), fromHex(v.salt), fromHex(v.info), v.length))).toBe(v.okm);
  });

  it.each(vectors.ed25519)("Ed25519: $source", async (v) => {
    const { privateKey, publicKey } = await importSeed(env, "Ed25519", fromHex(v.secret));
    expect(toHex(publicKey)).toBe(v.public);
    expect(toHex(await sign(env, privateKey, fromHex(v.message)))).toBe(v.signature);
    expect(await verify(env, fromHex(v.public), fromHex(v.signature), fromHex(v.message))).toBe(true);
    const other = fromHex(v.signature);
    other[0]! ^= 1;
    expect(await verify(env, fromHex(v.public), other, fromHex(v.message))).toBe(false);
  });

  it.each(vectors.x25519)("X25519: $source", async (v) => {
    const alice = await importSeed(env, "X25519", fromHex(v.alice_private));
    const bob = await importSeed(env, "X25519", fromHex(v.bob_private));
    expect(toHex(alice.publicKey)).toBe(v.alice_public);
    expect(toHex(bob.publicKey)).toBe(v.bob_public);
    expect(toHex(await x25519(env, alice.privateKey, fromHex(v.bob_public)))).toBe(v.shared);
    expect(toHex(await x25519(env, bob.privateKey, fromHex(v.alice_public)))).toBe(v.shared);
  });

  it.each(vectors.x25519_low_order)("X25519 refuses low-order point %s", async (point) => {
    const me = await importSeed(env, "X25519", fromHex(vectors.x25519[0]!.alice_private));
    expect(await codeOf(() => x25519(env, me.privateKey, fromHex(point)))).toBe("low_order_point");
  });

  it.each(vectors.aes_256_gcm)("AES-256-GCM: $source", async (v) => {
    const key = await importAesKey(env, fromHex(v.key), false, ["encrypt", "decrypt"]);
    const out = await aesGcmEncrypt(env, key, fromHex(v.iv), fromHex(v.aad), fromHex(v.plaintext));
    expect(toHex(out)).toBe(v.ciphertext + v.tag);
    expect(toHex(await aesGcmDecrypt(env, key, fromHex(v.iv), fromHex(v.aad), out))).toBe(v.plaintext);
    out[0]! ^= 1;
    expect(await codeOf(() => aesGcmDecrypt(env, key, fromHex(v.iv), fromHex(v.aad), out))).toBe("decrypt_failed");
  });
});
