import { createPrivateKey, createPublicKey, diffieHellman, hkdfSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AccountId,
  ContentKind,
  MAX_AVATAR_BYTES,
  MAX_PROFILE_BLOB_BYTES,
  Writer,
  decodeBody,
  decodeProfileBlob,
  encodeBody,
  fromBase64url,
  importSeed,
  labelled,
  normalizeDisplayName,
  openProfile,
  profileDigest,
  profileKey,
  sealProfile,
  toBase64url,
  type CryptoEnv,
  type HistoryKeyOf,
} from "../../../protocol/index.js";
import vector from "../../vectors/profile.json" with { type: "json" };
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

function fixedRandom(bytes: Uint8Array): CryptoEnv {
  return { subtle: env.subtle, randomBytes: (n) => bytes.slice(0, n) };
}

async function vectorKey(generation = vector.generation): Promise<HistoryKeyOf> {
  const k = await importSeed(env, "X25519", fromBase64url(vector.historySeed));
  return { historyKey: k.privateKey, historyPublic: k.publicKey, generation };
}

const accountId = AccountId.parse(vector.accountId);
const other = AccountId.fromBytes(new Uint8Array(32).fill(0x11));
const avatar = fromBase64url(vector.avatar);

/** A JPEG-shaped avatar of `n` bytes (SOI first, EOI last). */
function jpeg(n: number): Uint8Array {
  const b = new Uint8Array(n).fill(0x42);
  b.set([0xff, 0xd8, 0xff], 0);
  b.set([0xff, 0xd9], n - 2);
  return b;
}

describe("profile", () => {
  it("matches the known-answer vector (tests/vectors/profile.json, docs/PROTOCOL.md \"Profile\")", async () => {
    const k = await vectorKey();
    expect(toBase64url(k.historyPublic)).toBe(vector.historyPublic);
    const pk = await profileKey(env, k, accountId);
    expect(toBase64url(pk.key)).toBe(vector.profileKey);
    const sealed = await sealProfile(fixedRandom(fromBase64url(vector.iv)), pk, accountId, { name: vector.name, avatar });
    expect(toBase64url(sealed)).toBe(vector.sealed);
    expect(toBase64url(await profileDigest(env, sealed))).toBe(vector.digest);
    const body = encodeBody({ kind: "profile", sentAt: vector.sentAt, generation: vector.generation, key: pk.key, digest: fromBase64url(vector.digest) });
    expect(toBase64url(body)).toBe(vector.body);
    const opened = await openProfile(env, decodeProfileBlob(fromBase64url(vector.sealed)), pk, accountId);
    expect(opened.name).toBe(vector.name);
    expect(opened.avatar).toEqual(avatar);
  });

  it("derives the profile key as the spec says, checked with Node's own X25519 and HKDF", async () => {
    // X25519(seed, its own public key) through node:crypto, then HKDF with the labelled info.
    const seed = Buffer.from(fromBase64url(vector.historySeed));
    const priv = createPrivateKey({ key: Buffer.concat([Buffer.from("302e020100300506032b656e04220420", "hex"), seed]), format: "der", type: "pkcs8" });
    const pub = createPublicKey({ key: Buffer.concat([Buffer.from("302a300506032b656e032100", "hex"), Buffer.from(fromBase64url(vector.historyPublic))]), format: "der", type: "spki" });
    const shared = diffieHellman({ privateKey: priv, publicKey: pub });
    const info = labelled("sealed/profile-key/v1", new Writer().u32(vector.generation).finish(), AccountId.toBytes(accountId));
    const expected = new Uint8Array(hkdfSync("sha256", shared, new Uint8Array(0), info, 32));
    expect(toBase64url(expected)).toBe(vector.profileKey);
  });

  it("gives each generation and each account its own key", async () => {
    const a = await profileKey(env, await vectorKey(3), accountId);
    const b = await profileKey(env, await vectorKey(4), accountId);
    const c = await profileKey(env, await vectorKey(3), other);
    expect(toBase64url(a.key)).not.toBe(toBase64url(b.key));
    expect(toBase64url(a.key)).not.toBe(toBase64url(c.key));
  });

  it("round-trips a name without an avatar, padded to the smallest bucket", async () => {
    const pk = await profileKey(env, await vectorKey(), accountId);
    const sealed = await sealProfile(env, pk, accountId, { name: "Bob" });
    const longer = await sealProfile(env, pk, accountId, { name: "x".repeat(64) });
    expect(sealed.length).toBe(longer.length);
    const p = await openProfile(env, decodeProfileBlob(sealed), pk, accountId);
    expect(p).toEqual({ name: "Bob" });
  });

  it("hides an avatar's exact size inside a bucket, and takes the largest avatar", async () => {
    const pk = await profileKey(env, await vectorKey(), accountId);
    const a = await sealProfile(env, pk, accountId, { name: "A", avatar: jpeg(9000) });
    const b = await sealProfile(env, pk, accountId, { name: "A", avatar: jpeg(16000) });
    expect(a.length).toBe(b.length);
    const max = await sealProfile(env, pk, accountId, { name: "x".repeat(64), avatar: jpeg(MAX_AVATAR_BYTES) });
    expect(max.length).toBe(MAX_PROFILE_BLOB_BYTES);
    expect((await openProfile(env, decodeProfileBlob(max), pk, accountId)).avatar?.length).toBe(MAX_AVATAR_BYTES);
  });

  it("refuses a blob altered anywhere, or opened for another account", async () => {
    const pk = await profileKey(env, await vectorKey(), accountId);
    const sealed = fromBase64url(vector.sealed);
    for (const at of [5, 17, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at]! ^= 1;
      expect(await codeOf(async () => openProfile(env, decodeProfileBlob(bad), pk, accountId))).toBe("decrypt_failed");
    }
    expect(await codeOf(async () => openProfile(env, decodeProfileBlob(sealed), pk, other))).toBe("decrypt_failed");
  });

  it("refuses a blob of another generation than the key's, and a key of the wrong generation", async () => {
    const pk = await profileKey(env, await vectorKey(), accountId);
    const sealed = fromBase64url(vector.sealed);
    expect(await codeOf(async () => openProfile(env, decodeProfileBlob(sealed), { ...pk, generation: 4 }, accountId))).toBe("wrong_context");
    // The generation byte changed to match a key of generation 4: the AAD no longer matches.
    const relabelled = sealed.slice();
    relabelled[4] = 4;
    const k4 = await profileKey(env, await vectorKey(4), accountId);
    expect(await codeOf(async () => openProfile(env, decodeProfileBlob(relabelled), k4, accountId))).toBe("decrypt_failed");
  });

  it("bounds the blob before anything else: size, version, bucket", async () => {
    const sealed = fromBase64url(vector.sealed);
    expect(await codeOf(() => decodeProfileBlob(sealed.slice(0, 100)))).toBe("out_of_bounds");
    expect(await codeOf(() => decodeProfileBlob(new Uint8Array(MAX_PROFILE_BLOB_BYTES + 1)))).toBe("out_of_bounds");
    const v2 = sealed.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeProfileBlob(v2))).toBe("unsupported_version");
    expect(await codeOf(() => decodeProfileBlob(new Uint8Array(sealed.length + 1).fill(1)))).toBe("malformed");
  });

  it("normalizes display names and refuses empty, long, control and direction-override names", async () => {
    expect(normalizeDisplayName("  A\u030asa  ")).toBe("Åsa");
    expect(await codeOf(() => normalizeDisplayName("   "))).toBe("out_of_bounds");
    expect(await codeOf(() => normalizeDisplayName("é".repeat(33)))).toBe("out_of_bounds");
    expect(normalizeDisplayName("é".repeat(32))).toBe("é".repeat(32));
    expect(await codeOf(() => normalizeDisplayName("Bob\u202eevil"))).toBe("malformed");
    expect(await codeOf(() => normalizeDisplayName("Bob\nAlice"))).toBe("malformed");
    const pk = await profileKey(env, await vectorKey(), accountId);
    expect(await codeOf(() => sealProfile(env, pk, accountId, { name: " Bob" }))).toBe("malformed");
  });

  it("refuses an avatar that is not a JPEG or is too large", async () => {
    const pk = await profileKey(env, await vectorKey(), accountId);
    expect(await codeOf(() => sealProfile(env, pk, accountId, { name: "A", avatar: new Uint8Array(100) }))).toBe("malformed");
    expect(await codeOf(() => sealProfile(env, pk, accountId, { name: "A", avatar: jpeg(MAX_AVATAR_BYTES + 1) }))).toBe("out_of_bounds");
  });

  it("carries the key and digest as content kind 9, refusing a short or long payload", async () => {
    const decoded = decodeBody(fromBase64url(vector.body));
    expect(decoded.kind).toBe("profile");
    if (decoded.kind !== "profile") return;
    expect(toBase64url(decoded.key)).toBe(vector.profileKey);
    expect(toBase64url(decoded.digest)).toBe(vector.digest);
    expect(decoded.generation).toBe(vector.generation);
    const body = fromBase64url(vector.body);
    expect(body[1]).toBe(ContentKind.profile);
    // Frame: version, kind, u64 sentAt, u32 payload length (68), payload.
    const short = new Writer().u8(1).u8(9).u64(1).vbytes(body.slice(14, 14 + 67)).finish();
    expect(await codeOf(() => decodeBody(short))).toBe("malformed");
    const long = new Writer().u8(1).u8(9).u64(1).vbytes(new Uint8Array(69)).finish();
    expect(await codeOf(() => decodeBody(long))).toBe("malformed");
  });
});
