import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cryptoEnvFrom, encryptedSize, generateAttachmentKey } from "../../../protocol/index.js";
import { DecryptStream, EncryptStream, decryptStream, encryptStream } from "../../../web/src/client/attachments/streams.js";
import { ClientError } from "../../../web/src/client/errors.js";

// The attachment streams (web/src/client/attachments/streams.ts): whatever the file's size and however its
// bytes are sliced on the way in and on the way back, decrypt(encrypt(file)) is the file; a failure is a
// ClientError; and a slow reader holds the writer back (backpressure).

const env = cryptoEnvFrom(globalThis.crypto);

/** `bytes` as a stream cut at the given points (sorted, deduplicated, within bounds). */
function sliced(bytes: Uint8Array, cuts: readonly number[]): ReadableStream<Uint8Array> {
  const points = [...new Set([0, ...cuts.filter((c) => c > 0 && c < bytes.length), bytes.length])].sort((a, b) => a - b);
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i + 1 >= points.length) return controller.close();
      controller.enqueue(bytes.slice(points[i], points[i + 1]));
      i++;
    },
  });
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

describe("encryptStream and decryptStream", () => {
  it("round-trip files of random sizes sliced at random points both ways", () =>
    fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 65_530, max: 65_542 }), fc.integer({ min: 0, max: 4 * 65_536 + 100 })),
        fc.array(fc.integer({ min: 0, max: 4 * 65_536 + 100 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 0, max: 4 * 65_536 + 300 }), { maxLength: 12 }),
        async (size, plainCuts, cipherCuts) => {
          const plain = randomBytes(size);
          const key = generateAttachmentKey(env);
          const enc = encryptStream(key, env);
          const blob = await collect(sliced(plain, plainCuts).pipeThrough(enc));
          const { plainSize, digest } = await enc.sealed;
          expect(plainSize).toBe(size);
          expect(blob.length).toBe(encryptedSize(size));
          const back = await collect(sliced(blob, cipherCuts).pipeThrough(decryptStream({ key, plainSize, digest }, env)));
          expect(back).toEqual(plain);
        },
      ),
      { numRuns: 30 },
    ), 120_000);

  it("refuse a blob cut short at any point with a ClientError the UI words ('attachment_corrupt')", () =>
    fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2 * 65_536 + 99 }), fc.integer({ min: 0, max: 10_000 }), async (size, cutSeed) => {
        const plain = randomBytes(size);
        const key = generateAttachmentKey(env);
        const enc = new EncryptStream(key, env);
        const blob = await collect(sliced(plain, []).pipeThrough(enc));
        const { digest } = await enc.sealed;
        const cut = cutSeed % blob.length;
        const err = await collect(sliced(blob.slice(0, cut), [cut >> 1]).pipeThrough(new DecryptStream({ key, plainSize: size, digest }, env))).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(ClientError);
        expect(err).toMatchObject({ code: "attachment_corrupt" });
      }),
      { numRuns: 20 },
    ), 120_000);

  it("a wrong key is refused before any plaintext comes out", async () => {
    const plain = randomBytes(3 * 65_536);
    const enc = encryptStream(generateAttachmentKey(env), env);
    const blob = await collect(sliced(plain, []).pipeThrough(enc));
    const { digest } = await enc.sealed;
    const out: Uint8Array[] = [];
    const err = await sliced(blob, [1000, 70_000])
      .pipeThrough(decryptStream({ key: generateAttachmentKey(env), plainSize: plain.length, digest }, env))
      .pipeTo(new WritableStream({ write: (c) => void out.push(c) }))
      .then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: "attachment_corrupt" });
    expect(out).toEqual([]);
  });

  it("a file over the format's 4 GiB is refused as too large (a ClientError, not a crash)", async () => {
    const enc = encryptStream(generateAttachmentKey(env), env);
    const writer = enc.writable.getWriter();
    const reading = collect(enc.readable).catch((e: unknown) => e);
    // One view of 4 GiB + 1 bytes would not fit in memory; the size check reads only its length.
    const huge = { length: 2 ** 32 + 1 } as unknown as Uint8Array;
    const err = await writer.write(huge).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: "attachment_too_large" });
    expect(await reading).toMatchObject({ code: "attachment_too_large" });
    await expect(enc.sealed).rejects.toMatchObject({ code: "attachment_too_large" });
  });

  it("read no further ahead than the reader: a stalled reader stops the file being read", async () => {
    let pulled = 0;
    const source = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulled++;
          controller.enqueue(randomBytes(65_536));
          if (pulled === 200) controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    const reader = source.pipeThrough(encryptStream(generateAttachmentKey(env), env)).getReader();
    await reader.read();
    await new Promise((r) => setTimeout(r, 100));
    // The header and the first chunk or two, not the 200 chunks of the file.
    expect(pulled).toBeLessThan(6);
    await reader.cancel();
  });
});
