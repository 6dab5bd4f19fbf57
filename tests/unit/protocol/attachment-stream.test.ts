// The streaming attachment encryptor and decryptor (protocol/attachment-stream.ts): round trips over random
// sizes and random slicing, every truncation and bit flip refused, and misuse refused.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ATTACHMENT_CHUNK_BYTES,
  ATTACHMENT_HEADER_BYTES,
  AttachmentDigest,
  FULL_CHUNK_CIPHERTEXT_BYTES,
  Label,
  MAX_ATTACHMENT_PLAINTEXT_BYTES,
  ProtocolError,
  aesGcmEncrypt,
  attachmentChunkCount,
  chunkAad,
  chunkNonce,
  concat,
  createAttachmentDecryptor,
  createAttachmentEncryptor,
  decodeAttachmentHeader,
  deriveAttachmentKeys,
  encodeAttachmentHeader,
  encryptedSize,
  generateAttachmentKey,
  hkdf,
  importAesKey,
  labelled,
  plaintextSize,
  toHex,
} from "../../../protocol/index.js";
import { decryptWhole, encryptWhole, sliceAt } from "./attachment-helpers.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && toHex(a) === toHex(b);
const BOUNDARIES = [0, 1, 15, 16, 17, ATTACHMENT_CHUNK_BYTES - 1, ATTACHMENT_CHUNK_BYTES, ATTACHMENT_CHUNK_BYTES + 1, 2 * ATTACHMENT_CHUNK_BYTES, 2 * ATTACHMENT_CHUNK_BYTES + 1];
const size = fc.oneof(fc.constantFrom(...BOUNDARIES), fc.integer({ min: 0, max: 3 * ATTACHMENT_CHUNK_BYTES + 100 }));
/** A file, and cut points for its plaintext and for its blob (as offsets scaled to each length). */
const scenario = fc.record({
  size,
  seed: fc.integer({ min: 0, max: 255 }),
  plainCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 12 }),
  blobCuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 40 }),
});

function fileOf(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const scaled = (cuts: number[], length: number) => cuts.map((c) => Math.floor(c * length));

describe("attachment stream round trips", () => {
  it("decrypts what it encrypts, for any size and any slicing on either side", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const plain = fileOf(s.size, s.seed);
        const key = generateAttachmentKey(env);
        const sealed = await encryptWhole(env, key, plain, scaled(s.plainCuts, s.size));
        expect(sealed.plainSize).toBe(s.size);
        expect(sealed.blob.length).toBe(encryptedSize(s.size));
        expect(plaintextSize(sealed.blob.length)).toBe(s.size);
        const back = await decryptWhole(env, { key, plainSize: s.size, digest: sealed.digest }, sealed.blob, scaled(s.blobCuts, sealed.blob.length));
        expect(same(back, plain)).toBe(true);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("gives the same blob and digest however the plaintext is sliced (a key gives one blob per file)", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const plain = fileOf(s.size, s.seed);
        const key = fileOf(32, s.seed + 1);
        const whole = await encryptWhole(env, key, plain);
        const sliced = await encryptWhole(env, key, plain, scaled(s.plainCuts, s.size));
        expect(same(sliced.blob, whole.blob) && same(sliced.digest, whole.digest)).toBe(true);
      }),
      { numRuns: 30 },
    );
  }, 120_000);

  it("returns the header first and holds a full chunk back until a byte after it shows it is not the last", async () => {
    const enc = await createAttachmentEncryptor(env, generateAttachmentKey(env));
    const first = await enc.push(new Uint8Array(ATTACHMENT_CHUNK_BYTES));
    expect(first.map((p) => p.length)).toEqual([ATTACHMENT_HEADER_BYTES]);
    expect(decodeAttachmentHeader(first[0]!).chunkBytes).toBe(ATTACHMENT_CHUNK_BYTES);
    expect((await enc.push(new Uint8Array(1))).map((p) => p.length)).toEqual([FULL_CHUNK_CIPHERTEXT_BYTES]);
    const sealed = await enc.final();
    expect(sealed.ciphertext.map((p) => p.length)).toEqual([1 + 16]);
    expect(sealed.plainSize).toBe(ATTACHMENT_CHUNK_BYTES + 1);
  });

  it("decrypts chunk by chunk as the bytes arrive, holding back only what may be the final chunk", async () => {
    const key = generateAttachmentKey(env);
    const plain = fileOf(2 * ATTACHMENT_CHUNK_BYTES + 5, 9);
    const { blob, digest } = await encryptWhole(env, key, plain);
    const dec = await createAttachmentDecryptor(env, { key, plainSize: plain.length, digest });
    expect(await dec.push(blob.slice(0, ATTACHMENT_HEADER_BYTES + FULL_CHUNK_CIPHERTEXT_BYTES))).toEqual([]);
    const firstChunk = await dec.push(blob.slice(ATTACHMENT_HEADER_BYTES + FULL_CHUNK_CIPHERTEXT_BYTES, ATTACHMENT_HEADER_BYTES + FULL_CHUNK_CIPHERTEXT_BYTES + 1));
    expect(firstChunk.map((p) => p.length)).toEqual([ATTACHMENT_CHUNK_BYTES]);
    expect(same(firstChunk[0]!, plain.slice(0, ATTACHMENT_CHUNK_BYTES))).toBe(true);
    const rest = [...(await dec.push(blob.slice(ATTACHMENT_HEADER_BYTES + FULL_CHUNK_CIPHERTEXT_BYTES + 1))), ...(await dec.finish())];
    expect(rest.map((p) => p.length)).toEqual([ATTACHMENT_CHUNK_BYTES, 5]);
  });

  it("derives a different chunk key and commitment for every K", async () => {
    const a = await deriveAttachmentKeys(env, fileOf(32, 1));
    const b = await deriveAttachmentKeys(env, fileOf(32, 2));
    expect(toHex(a.commitment)).not.toBe(toHex(b.commitment));
    expect(a.chunkKey.extractable).toBe(false);
  });
});

describe("attachment stream refusals", () => {
  const small = fc.integer({ min: 0, max: 2 * ATTACHMENT_CHUNK_BYTES + 50 });

  it("refuses every truncation of a blob", async () => {
    await fc.assert(
      fc.asyncProperty(small, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), async (n, at) => {
        const key = generateAttachmentKey(env);
        const { blob, digest } = await encryptWhole(env, key, fileOf(n, 3));
        const cut = blob.slice(0, Math.floor(at * blob.length));
        expect(await codeOf(() => decryptWhole(env, { key, plainSize: n, digest }, cut))).toMatch(/^(malformed|decrypt_failed)$/);
      }),
      { numRuns: 60 },
    );
  }, 120_000);

  it("refuses a blob with any one bit flipped, wherever it is", async () => {
    await fc.assert(
      fc.asyncProperty(small, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 7 }), async (n, at, bit) => {
        const key = generateAttachmentKey(env);
        const { blob, digest } = await encryptWhole(env, key, fileOf(n, 4));
        const flipped = blob.slice();
        const offset = Math.floor(at * blob.length);
        flipped[offset] = flipped[offset]! ^ (1 << bit);
        expect(await codeOf(() => decryptWhole(env, { key, plainSize: n, digest }, flipped))).toMatch(/^(malformed|unsupported_version|out_of_bounds|commitment_mismatch|decrypt_failed)$/);
      }),
      { numRuns: 80 },
    );
  }, 120_000);

  it("refuses any bytes appended after the final chunk", async () => {
    await fc.assert(
      fc.asyncProperty(small, fc.uint8Array({ minLength: 1, maxLength: FULL_CHUNK_CIPHERTEXT_BYTES + 20 }), async (n, extra) => {
        const key = generateAttachmentKey(env);
        const { blob, digest } = await encryptWhole(env, key, fileOf(n, 5));
        expect(await codeOf(() => decryptWhole(env, { key, plainSize: n, digest }, concat(blob, extra)))).toBe("decrypt_failed");
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("refuses a final empty chunk after data, even one made with the right key (only an empty file ends empty)", async () => {
    const key = generateAttachmentKey(env);
    const { commitment } = await deriveAttachmentKeys(env, key);
    const chunkKey = await importAesKey(env, await hkdf(env, key, new Uint8Array(0), labelled(Label.attachmentChunkKey), 32), false, ["encrypt"]);
    const header = encodeAttachmentHeader(commitment);
    const chunks = [
      await aesGcmEncrypt(env, chunkKey, chunkNonce(0, false), chunkAad(header), new Uint8Array(ATTACHMENT_CHUNK_BYTES)),
      await aesGcmEncrypt(env, chunkKey, chunkNonce(1, true), chunkAad(header), new Uint8Array(0)),
    ];
    const digest = await AttachmentDigest.start(env, header);
    await digest.add(chunks);
    const params = { key, plainSize: ATTACHMENT_CHUNK_BYTES, digest: digest.value };
    expect(await codeOf(() => decryptWhole(env, params, concat(header, ...chunks)))).toBe("malformed");
  });

  it("stops as soon as the blob holds more than the message's size, before the end", async () => {
    const key = generateAttachmentKey(env);
    const { blob, digest } = await encryptWhole(env, key, fileOf(3 * ATTACHMENT_CHUNK_BYTES, 6));
    const dec = await createAttachmentDecryptor(env, { key, plainSize: 10, digest });
    expect(await codeOf(() => dec.push(blob))).toBe("malformed");
  });

  it("refuses every later call after an error, with the same error", async () => {
    const key = generateAttachmentKey(env);
    const { blob, digest } = await encryptWhole(env, key, fileOf(10, 7));
    const dec = await createAttachmentDecryptor(env, { key: generateAttachmentKey(env), plainSize: 10, digest });
    const err = await dec.push(blob).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProtocolError);
    await expect(dec.push(new Uint8Array(1))).rejects.toBe(err);
    await expect(dec.finish()).rejects.toBe(err);
  });

  it("refuses overlapping calls and calls after the end", async () => {
    const enc = await createAttachmentEncryptor(env, generateAttachmentKey(env));
    const first = enc.push(new Uint8Array(10));
    await expect(enc.push(new Uint8Array(10))).rejects.toThrow(/before the previous one resolved/);
    await first;
    await enc.final();
    await expect(enc.push(new Uint8Array(1))).rejects.toThrow(/already finished/);
  });

  it("refuses bad parameters: a key or digest of the wrong size, a size outside 0..4 GiB", async () => {
    const digest = new Uint8Array(32);
    expect(await codeOf(() => createAttachmentEncryptor(env, new Uint8Array(31)))).toBe("malformed");
    expect(await codeOf(() => createAttachmentDecryptor(env, { key: new Uint8Array(32), plainSize: 1, digest: new Uint8Array(31) }))).toBe("malformed");
    for (const bad of [-1, 0.5, MAX_ATTACHMENT_PLAINTEXT_BYTES + 1, Number.NaN]) {
      expect(await codeOf(() => createAttachmentDecryptor(env, { key: new Uint8Array(32), plainSize: bad, digest }))).toBe("out_of_bounds");
    }
  });
});

describe("attachment sizes", () => {
  it("counts one chunk for an empty file and ceil(size / 64 KiB) otherwise, up to 4 GiB", () => {
    expect([0, 1, 65536, 65537, 2 ** 32].map(attachmentChunkCount)).toEqual([1, 1, 1, 2, 65536]);
    expect(encryptedSize(0)).toBe(57);
    expect(encryptedSize(2 ** 32)).toBe(41 + 2 ** 32 + 65536 * 16);
    expect(() => encryptedSize(2 ** 32 + 1)).toThrow(/4294967296/);
  });

  it("maps a blob size back to its file size, and refuses sizes no file encrypts to", async () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 }), (n) => plaintextSize(encryptedSize(n)) === n));
    for (const bad of [0, 56, 41 + 65552 + 16, 41 + 65552 + 1, encryptedSize(2 ** 32) + 17]) {
      expect(await codeOf(() => plaintextSize(bad))).toMatch(/^(malformed|out_of_bounds)$/);
    }
  });

  it("slices a stream exactly at the given offsets", () => {
    const parts = sliceAt(Uint8Array.of(1, 2, 3, 4), [3, 1, 1, 9]);
    expect(parts.map((p) => [...p])).toEqual([[1], [2, 3], [4], []]);
  });
});
