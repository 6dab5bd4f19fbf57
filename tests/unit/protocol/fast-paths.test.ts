// The per-message fast paths of issue 23 give exactly what the plain code they replaced gave: the same
// bytes, the same errors, no aliasing, fresh randomness, and a verify-key cache that tells keys apart.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DeviceId,
  MAX_TEXT_BYTES,
  Writer,
  cryptoEnvFrom,
  decodeEnvelope,
  encodeBody,
  encodePaddedBody,
  generateSigningPair,
  exportPublic,
  labelled,
  pad,
  sign,
  toBase64url,
  utf8Length,
  verify,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";
import { makeAccount, makeDirectEpoch, randomClientMessageId } from "./fixtures.js";

/** Any UTF-16 string, lone surrogates included (what a text field can hold). */
const anyUtf16 = fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 64 }).map((units) => String.fromCharCode(...units));

describe("fast paths", () => {
  it("toBase64url matches Node's base64url for every length, across its 6 KB chunks", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        expect(toBase64url(b)).toBe(Buffer.from(b).toString("base64url"));
      }),
      { numRuns: 500 },
    );
    for (const n of [6143, 6144, 6145, 12288, 20001]) {
      const b = env.randomBytes(n);
      expect(toBase64url(b)).toBe(Buffer.from(b).toString("base64url"));
    }
  });

  it("utf8Length is TextEncoder's length for any string, lone surrogates included", () => {
    fc.assert(
      fc.property(fc.oneof(anyUtf16, fc.string({ unit: "grapheme", maxLength: 64 })), (s) => {
        expect(utf8Length(s)).toBe(new TextEncoder().encode(s).length);
      }),
      { numRuns: 2000 },
    );
  });

  it("encodePaddedBody is pad(encodeBody(body)) byte for byte, for text of any size and for other kinds", () => {
    fc.assert(
      fc.property(anyUtf16.filter((t) => t.length > 0), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), (text, sentAt) => {
        const body = { kind: "text" as const, text, sentAt };
        expect(encodePaddedBody(body)).toEqual(pad(encodeBody(body)));
      }),
      { numRuns: 1000 },
    );
    // ASCII texts (written without TextEncoder), with a non-ASCII unit anywhere switching to it.
    const ascii = fc.array(fc.integer({ min: 0, max: 0x7f }), { minLength: 1, maxLength: 600 }).map((units) => String.fromCharCode(...units));
    fc.assert(
      fc.property(ascii, fc.option(fc.integer({ min: 0x80, max: 0xffff })), fc.nat(), (text, other, at) => {
        const withOther = other === null ? text : text.slice(0, at % text.length) + String.fromCharCode(other) + text.slice(at % text.length);
        const body = { kind: "text" as const, text: withOther, sentAt: 7 };
        expect(encodePaddedBody(body)).toEqual(pad(encodeBody(body)));
      }),
      { numRuns: 1000 },
    );
    for (const text of ["a".repeat(241), "a".repeat(242), "é".repeat(5000), "a".repeat(MAX_TEXT_BYTES)]) {
      const body = { kind: "text" as const, text, sentAt: 1 };
      expect(encodePaddedBody(body)).toEqual(pad(encodeBody(body)));
    }
    const to = { deviceId: DeviceId.fromBytes(new Uint8Array(16)), clientMessageId: randomClientMessageId() };
    const reaction = { kind: "reaction" as const, sentAt: 5, to, emoji: "👍" };
    expect(encodePaddedBody(reaction)).toEqual(pad(encodeBody(reaction)));
  });

  it("encodePaddedBody refuses what encodeBody refuses, with the same error", async () => {
    for (const text of ["", "a".repeat(MAX_TEXT_BYTES + 1), "€".repeat(MAX_TEXT_BYTES / 3 + 1)]) {
      const body = { kind: "text" as const, text, sentAt: 1 };
      expect(await codeOf(() => encodePaddedBody(body))).toBe("out_of_bounds");
      expect(await codeOf(() => encodeBody(body))).toBe("out_of_bounds");
    }
    for (const sentAt of [-1, 1.5, 2 ** 53]) {
      expect(() => encodePaddedBody({ kind: "text", text: "hi", sentAt })).toThrow(RangeError);
      expect(() => encodeBody({ kind: "text", text: "hi", sentAt })).toThrow(RangeError);
    }
  });

  it("a Writer of exact capacity gives the same bytes as a growing one, and skip() writes zeros", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.nat({ max: 0xffffffff })), { maxLength: 12 }), (fields) => {
        const write = (w: Writer) => {
          for (const f of fields) typeof f === "number" ? w.u32(f).u64(f).u16(f & 0xffff) : w.vbytes(f).skip(f.length % 5);
          return w;
        };
        const grown = write(new Writer(1)).finish();
        const exact = write(new Writer(grown.length)).finish();
        expect(exact).toEqual(grown);
        expect(exact.length).toBe(grown.length);
      }),
      { numRuns: 300 },
    );
    expect(new Writer(3).u8(1).skip(2).finish()).toEqual(Uint8Array.of(1, 0, 0));
    expect(labelled("sealed/test/v1", Uint8Array.of(9))).toEqual(new Writer().str("sealed/test/v1").vbytes(Uint8Array.of(9)).finish());
  });

  it("a decoded envelope's header does not change with its input, and openEnvelope judges the header as parsed whatever the input became", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const { sealEnvelope, openEnvelope } = await import("../../../protocol/index.js");
    const sealed = await sealEnvelope(env, {
      header: {
        conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId, senderAccountId: alice.state.accountId, senderDeviceId: alice.device.deviceId,
        senderLogSeq: alice.state.head.seq, senderLogHead: alice.state.head.hash, counter: 1, prevHash: new Uint8Array(32), clientMessageId: randomClientMessageId(),
      },
      ck: e.ck,
      signingKey: alice.device.signing.privateKey,
      body: { kind: "text", text: "hello", sentAt: 1 },
    });
    const params = { conversationId: e.conversationId, sender: alice.state, ck: e.ck, keyId: e.bundle.keyId };
    // The parsed header is the caller's own: changing the input leaves it as it was.
    const input = sealed.bytes.slice();
    const d = decodeEnvelope(input);
    const header = { ...d.header, keyId: d.header.keyId.slice(), prevHash: d.header.prevHash.slice(), senderLogHead: d.header.senderLogHead.slice() };
    input.fill(0xaa);
    expect(d.header).toEqual(header);
    // Header bytes changed after decoding (a forged sender, another counter): the signature is checked over
    // the header the checks judged, so the message opens as it was sent, never as the changed bytes say.
    const changedHeader = sealed.bytes.slice();
    const d2 = decodeEnvelope(changedHeader);
    for (let i = 1; i < 189; i++) changedHeader[i] = changedHeader[i]! ^ 0x5a;
    expect(await openEnvelope(env, d2, params)).toEqual({ kind: "text", text: "hello", sentAt: 1 });
    // The IV, ciphertext or signature changed after decoding: refused, as a forged envelope is.
    for (const at of [189 + 3, 189 + 12 + 4 + 20, sealed.bytes.length - 5]) {
      const changed = sealed.bytes.slice();
      const d3 = decodeEnvelope(changed);
      changed[at] = changed[at]! ^ 1;
      expect(await codeOf(() => openEnvelope(env, d3, params))).toBe("bad_signature");
    }
    // An IV changed to all zero after decoding (reserved for key commitments) is refused as decoding would.
    const zeroIv = sealed.bytes.slice();
    const d4 = decodeEnvelope(zeroIv);
    zeroIv.fill(0, 189, 189 + 12);
    expect(await codeOf(() => openEnvelope(env, d4, params))).toBe("malformed");
  });

  it("seals made at once (work buffers are reused) each open to their own text, also after a seal that failed", async () => {
    const alice = await makeAccount("alice");
    const bob = await makeAccount("bob");
    const e = await makeDirectEpoch(alice, bob);
    const { sealEnvelope, openEnvelope, envelopeHash } = await import("../../../protocol/index.js");
    const seal = (text: string, signingKey = alice.device.signing.privateKey) =>
      sealEnvelope(env, {
        header: {
          conversationId: e.conversationId, epoch: 0, keyId: e.bundle.keyId, senderAccountId: alice.state.accountId, senderDeviceId: alice.device.deviceId,
          senderLogSeq: alice.state.head.seq, senderLogHead: alice.state.head.hash, counter: 1, prevHash: new Uint8Array(32), clientMessageId: randomClientMessageId(),
        },
        ck: e.ck,
        signingKey,
        body: { kind: "text", text, sentAt: 1 },
      });
    // A box key cannot sign: this seal fails after its work buffer was filled.
    await expect(seal("fails", alice.device.box.privateKey)).rejects.toThrow();
    const texts = Array.from({ length: 24 }, (_, i) => `message ${i} `.repeat(1 + ((i * 97) % 400)));
    const sealed = await Promise.all(texts.map((t) => seal(t)));
    for (const [i, s] of sealed.entries()) {
      const body = await openEnvelope(env, decodeEnvelope(s.bytes), { conversationId: e.conversationId, sender: alice.state, ck: e.ck, keyId: e.bundle.keyId });
      expect(body).toEqual({ kind: "text", text: texts[i], sentAt: 1 });
      expect(s.hash).toEqual(await envelopeHash(env, s.bytes));
      expect(s.bytes.byteOffset).toBe(0);
      expect(s.bytes.buffer.byteLength).toBe(s.bytes.length);
    }
  });

  it("randomBytes hands out fresh bytes of the asked length, across pool refills and past the pooled size", () => {
    const rnd = cryptoEnvFrom(globalThis.crypto);
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const n = [12, 16, 32, 64][i % 4]!;
      const b = rnd.randomBytes(n);
      expect(b.length).toBe(n);
      expect(b.byteOffset).toBe(0);
      expect(b.buffer.byteLength).toBe(n);
      seen.add(toBase64url(b));
    }
    expect(seen.size).toBe(2000);
    for (const n of [0, 65, 4097, 70000]) expect(rnd.randomBytes(n).length).toBe(n);
    expect(rnd.randomBytes(70000).some((x) => x !== 0)).toBe(true);
  });

  it("the verify-key cache tells keys apart: a key one bit off, or changed in place, does not verify", async () => {
    const pair = await generateSigningPair(env, false);
    const pub = await exportPublic(env, pair.publicKey);
    const msg = Uint8Array.of(1, 2, 3);
    const sig = await sign(env, pair.privateKey, msg);
    expect(await verify(env, pub, sig, msg)).toBe(true);
    for (let i = 0; i < 32; i += 7) {
      const other = pub.slice();
      other[i] = other[i]! ^ 0x80;
      expect(await verify(env, other, sig, msg)).toBe(false);
    }
    const mutated = pub.slice();
    expect(await verify(env, mutated, sig, msg)).toBe(true);
    mutated[31] = mutated[31]! ^ 1;
    expect(await verify(env, mutated, sig, msg)).toBe(false);
  });
});
