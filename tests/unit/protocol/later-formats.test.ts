// Field-by-field tampering and property round-trips for the link, passphrase and key-file formats.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AccountId,
  KDF_DEFAULTS,
  createLinkOffer,
  createLinkResponder,
  decodeKeyFile,
  decodeLinkMessage,
  deriveLinkChannel,
  encodeKeyFile,
  encodeLinkMessage,
  encodeLinkOffer,
  fromBase64url,
  openLinkFrame,
  openPassphraseBlob,
  parseLinkOffer,
  sealLinkFrame,
  sealPassphraseBlob,
  toBase64url,
  type LinkMessage,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

const NOW = 1_800_000_000_000;
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });

describe("link offer: every field", () => {
  // u8 version | 16 link id | 32 ephemeral key | 32 secret | u64 createdAt
  it.each([
    ["link id", 1],
    ["ephemeral key", 17],
    ["secret", 49],
  ])("a changed %s gives a channel the new device does not share", async (_f, offset) => {
    const n = await createLinkOffer(env, env.randomBytes(16), NOW);
    const raw = fromBase64url(n.text.slice("sealed-link:".length));
    raw[offset]! ^= 1;
    const tampered = parseLinkOffer(`sealed-link:${toBase64url(raw)}`, NOW);
    const o = await createLinkResponder(env);
    const existing = await deriveLinkChannel(env, { role: "existing", offer: tampered, ownPrivate: o.ephemeralPrivate, newEphemeral: tampered.ephemeralKey, existingEphemeral: o.ephemeralKey });
    const fresh = await deriveLinkChannel(env, { role: "new", offer: n.offer, ownPrivate: n.ephemeralPrivate, newEphemeral: n.offer.ephemeralKey, existingEphemeral: o.ephemeralKey });
    const frame = await sealLinkFrame(env, fresh, { type: "done", seq: 0 });
    expect(["decrypt_failed", "low_order_point"]).toContain(await codeOf(() => openLinkFrame(env, existing, frame)));
  });

  it("a changed creation time makes the code expired or from the future", async () => {
    const n = await createLinkOffer(env, env.randomBytes(16), NOW);
    const raw = fromBase64url(n.text.slice("sealed-link:".length));
    raw[84]! ^= 0x01; // createdAt moves by 2^32 ms (about 50 days)
    expect(await codeOf(() => parseLinkOffer(`sealed-link:${toBase64url(raw)}`, NOW))).toBe("expired");
  });

  it("round-trips any offer", () =>
    fc.assert(
      fc.property(bytes(16), bytes(32), bytes(32), fc.integer({ min: 0, max: 2 ** 50 }), (linkId, ephemeralKey, secret, createdAt) => {
        expect(parseLinkOffer(encodeLinkOffer({ linkId, ephemeralKey, secret, createdAt }), createdAt)).toEqual({ linkId, ephemeralKey, secret, createdAt });
      }),
      { numRuns: 1000 },
    ));
});

describe("link messages round-trip", () => {
  const message: fc.Arbitrary<LinkMessage> = fc.oneof(
    fc.record({ type: fc.constant("hello" as const), deviceName: fc.string({ maxLength: 20 }), deviceSigningKey: bytes(32), deviceBoxKey: bytes(32) }),
    fc.record({ type: fc.constant("accept" as const), genesis: fc.uint8Array({ minLength: 1, maxLength: 1024 }) }),
    fc.record({ type: fc.constant("secrets" as const), identityKey: fc.uint8Array({ minLength: 16, maxLength: 80 }), historyGeneration: fc.nat(), historyKey: fc.uint8Array({ minLength: 16, maxLength: 80 }), headSeq: fc.nat(), headHash: bytes(32) }),
    fc.record({ type: fc.constant("request" as const), entryBody: fc.uint8Array({ minLength: 1, maxLength: 200 }), signature: bytes(64) }),
    fc.record({ type: fc.constant("done" as const), seq: fc.nat() }),
  );
  it("every message", () =>
    fc.assert(
      fc.property(message, (m) => {
        expect(decodeLinkMessage(encodeLinkMessage(m))).toEqual(m);
      }),
      { numRuns: 2000 },
    ));
});

describe("passphrase blob: every field", () => {
  // u8 version | 32 account id | u32 memoryKiB | u32 iterations | u8 parallelism | 16 salt | 12 nonce | 32 ciphertext
  it.each([
    ["account id", 1, "decrypt_failed"],
    ["memoryKiB (raised)", 33, "decrypt_failed"],
    ["iterations (raised)", 40, "decrypt_failed"],
    ["parallelism (raised)", 41, "decrypt_failed"],
    ["salt", 42, "decrypt_failed"],
    ["nonce", 58, "decrypt_failed"],
    ["ciphertext", 70, "decrypt_failed"],
  ] as const)("a changed %s is refused", async (_f, offset, code) => {
    const keys = { wrapKey: env.randomBytes(32), accessToken: env.randomBytes(32) };
    const blob = await sealPassphraseBlob(env, { accountId: AccountId.fromBytes(env.randomBytes(32)), params: { ...KDF_DEFAULTS, salt: env.randomBytes(16) }, keys, recoveryKey: env.randomBytes(16) });
    expect(blob.length).toBe(102);
    const bad = blob.slice();
    // Parameters are raised within their bounds (lowered ones are refused before decryption: recovery.test.ts).
    const flip: Record<number, number> = { 33: 0, 40: 0x04, 41: 0x02 };
    bad[offset]! ^= flip[offset] ?? 1;
    if (offset === 33) bad[35] = 0x01; // memoryKiB 0x00010000 -> 0x00010100
    expect(await codeOf(() => openPassphraseBlob(env, bad, keys))).toBe(code);
  });
});

describe("key file round-trips", () => {
  it("any username and blobs", () =>
    fc.assert(
      fc.property(fc.constantFrom("alice", "bob.smith", "c_3po"), fc.uint8Array({ minLength: 1, maxLength: 300 }), fc.option(fc.uint8Array({ minLength: 1, maxLength: 200 }), { nil: undefined }), (username, recoveryBlob, passphraseBlob) => {
        const file = passphraseBlob ? { username, recoveryBlob, passphraseBlob } : { username, recoveryBlob };
        expect(decodeKeyFile(encodeKeyFile(file))).toEqual(file);
      }),
      { numRuns: 1000 },
    ));
});
