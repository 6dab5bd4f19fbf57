import { describe, expect, it } from "vitest";
import { ATTACHMENT_CHUNK_BYTES, cryptoEnvFrom, generateAttachmentKey } from "../../../protocol/index.js";
import { fileChunks } from "../../../web/src/client/attachments/file-chunks.js";
import { EncryptStream } from "../../../web/src/client/attachments/streams.js";

// The upload's file reader (web/src/client/attachments/file-chunks.ts): a file read through a BYOB reader
// into buffers that are each exactly one plaintext chunk and the whole of their ArrayBuffer (so the
// encryptor can move them to a chunk worker and the stream free them), the last one shorter, the bytes the
// file's own, in order; and the blob encrypted from them is the one encrypted from file.stream().

const env = cryptoEnvFrom(globalThis.crypto);
const CHUNK = ATTACHMENT_CHUNK_BYTES;

function randomBytes(n: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

async function chunksOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
  return out;
}

function joined(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

function wholeBuffer(c: Uint8Array): boolean {
  return c.byteOffset === 0 && c.byteLength === c.buffer.byteLength;
}

describe("fileChunks", () => {
  it("reads a file made of odd pieces as whole chunk buffers, the last one shorter, byte for byte", async () => {
    const bytes = randomBytes(3 * CHUNK + 12_345);
    // A Blob of several parts, cut off the chunk grid, so reads come back short and must be continued.
    const blob = new Blob([bytes.slice(0, 1000), bytes.slice(1000, 200_001), bytes.slice(200_001)]);
    const chunks = await chunksOf(fileChunks(blob));
    expect(chunks.map((c) => c.length)).toEqual([CHUNK, CHUNK, CHUNK, 12_345]);
    expect(chunks.every(wholeBuffer)).toBe(true);
    expect(joined(chunks)).toEqual(bytes);
  });

  it("a file of whole chunks ends on a full chunk, with no empty one after it; an empty file gives none", async () => {
    const bytes = randomBytes(2 * CHUNK);
    const chunks = await chunksOf(fileChunks(new Blob([bytes])));
    expect(chunks.map((c) => c.length)).toEqual([CHUNK, CHUNK]);
    expect(joined(chunks)).toEqual(bytes);
    expect(await chunksOf(fileChunks(new Blob([])))).toEqual([]);
  });

  it("cancelling it cancels the file's stream", async () => {
    let cancelled: unknown;
    const source = new ReadableStream({
      type: "bytes",
      pull(controller) {
        controller.byobRequest?.respond(0);
      },
      cancel(reason) {
        cancelled = reason;
      },
    });
    const stream = fileChunks({ stream: () => source } as unknown as Blob);
    await stream.cancel("stop");
    expect(cancelled).toBe("stop");
  });

  it("a blob whose stream has no BYOB reader is read as it is", async () => {
    const plain = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1, 2, 3]));
        controller.close();
      },
    });
    const stream = fileChunks({ stream: () => plain } as unknown as Blob);
    expect(stream).toBe(plain);
    expect(await chunksOf(stream)).toEqual([new Uint8Array([1, 2, 3])]);
  });

  it("the blob encrypted from its chunks is the one encrypted from file.stream(), digest and all", async () => {
    const bytes = randomBytes(5 * CHUNK + 77);
    const key = generateAttachmentKey(env);
    const a = new EncryptStream(key, env);
    const b = new EncryptStream(key, env);
    const [viaChunks, viaStream] = await Promise.all([chunksOf(fileChunks(new Blob([bytes])).pipeThrough(a)), chunksOf(new Blob([bytes]).stream().pipeThrough(b))]);
    expect(joined(viaChunks)).toEqual(joined(viaStream));
    expect((await a.sealed).digest).toEqual((await b.sealed).digest);
    expect((await a.sealed).plainSize).toBe(bytes.length);
  }, 60_000);
});
