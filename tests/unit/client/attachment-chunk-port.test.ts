// The attachment chunks sealed and opened across message ports (web/src/client/attachments/chunk-port.ts),
// as the app runs them in its chunk workers, and the pool that starts those workers (chunk-pool.ts). Here
// the worker's ends run in Node over real MessageChannels (structured clone, transfer). The blob and digest
// must be the serial path's bit for bit, the known-answer vectors included; blobs tampered with, truncated
// or reordered must still be refused; the chunks in flight stay bounded; cancelling a stream closes its
// ports; a worker that cannot load leaves the streams on the calling thread, with the same bytes.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ATTACHMENT_HEADER_BYTES,
  cryptoEnvFrom,
  encryptedSize,
  fromHex,
  generateAttachmentKey,
  toHex,
  type ChunkCrypto,
  type ChunkCryptos,
  type ProtocolErrorCode,
} from "../../../protocol/index.js";
import { chunkWorkersRunning, defaultChunkCrypto, openChunkStreams, setChunkWorker } from "../../../web/src/client/attachments/chunk-pool.js";
import { fromMessagePort, onWorkerMessage, portChunkCrypto, serveChunks, type ChunkPort } from "../../../web/src/client/attachments/chunk-port.js";
import { DecryptStream, EncryptStream } from "../../../web/src/client/attachments/streams.js";
import { applyEdit, decryptWhole, encryptWhole, patternBytes, type BlobEdit } from "../protocol/attachment-helpers.js";
import { codeOf } from "../protocol/expect-code.js";

const env = cryptoEnvFrom(globalThis.crypto);
const channels: MessageChannel[] = [];
afterEach(() => {
  for (const c of channels.splice(0)) {
    c.port1.close();
    c.port2.close();
  }
  setChunkWorker(undefined);
  vi.unstubAllGlobals();
});

/** What the ports of one blob saw: the far ends' close messages and the near ends' close() calls. */
interface PortLog {
  farClosed: number;
  nearClosed: number;
}

/** Chunk crypto over `n` channels, each served by serveChunks on its far end as a worker serves it. */
function overPorts(n: number, log?: PortLog): ChunkCryptos {
  return async (keys) => {
    const ports: ChunkPort[] = [];
    for (let k = 0; k < n; k++) {
      const c = new MessageChannel();
      channels.push(c);
      const far = fromMessagePort(c.port2);
      serveChunks(env, { ...far, close: () => (log && log.farClosed++, far.close()) }, keys);
      const near = fromMessagePort(c.port1);
      ports.push({ ...near, close: () => (log && log.nearClosed++, near.close()) });
    }
    return portChunkCrypto(ports);
  };
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

function random(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let at = 0; at < n; at += 65_536) crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

/** `bytes` as a stream of slices of `size`, each a buffer of its own (as a file's stream gives them). */
function slicedBy(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, (at += size)));
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

/**
 * A stand-in for a dedicated Worker in Node: messages to it run the chunk worker's own handler
 * (onWorkerMessage) on a later task, as a worker would; `failToLoad` makes it report an error instead,
 * as a script that cannot load does.
 */
class FakeWorker extends EventTarget {
  static made: FakeWorker[] = [];
  terminated = false;
  constructor(private readonly failToLoad: boolean) {
    super();
    FakeWorker.made.push(this);
    if (failToLoad) setTimeout(() => this.dispatchEvent(new Event("error", { cancelable: true })), 5);
  }
  postMessage(data: unknown): void {
    if (this.failToLoad || this.terminated) return;
    setTimeout(() => onWorkerMessage(env, data, (m) => this.dispatchEvent(new MessageEvent("message", { data: m }))), 0);
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe("attachment chunks across ports", () => {
  it("give the serial path's blob and digest bit for bit, the known-answer vectors included, and open them again", async () => {
    const v = JSON.parse(readFileSync(new URL("../../vectors/attachment.json", import.meta.url), "utf8")) as {
      key: string;
      cases: { name: string; plain_size: number; digest: string }[];
    };
    const key = fromHex(v.key);
    for (const c of v.cases) {
      const plain = patternBytes(c.plain_size);
      const { blob, digest } = await encryptWhole(env, key, plain, [5, 70_000], overPorts(2));
      expect([c.name, toHex(digest)]).toEqual([c.name, c.digest]);
      expect(blob.length).toBe(encryptedSize(c.plain_size));
      const serial = await encryptWhole(env, key, plain);
      expect(same(blob, serial.blob)).toBe(true);
      const back = await decryptWhole(env, { key, plainSize: c.plain_size, digest }, blob, [3, 65_600], overPorts(3));
      expect(same(back, plain)).toBe(true);
    }
    // Larger than a window of chunks, in slices of every kind (views into big slices are copied to move).
    const plain = random(40 * 65_536 + 77);
    const serial = await encryptWhole(env, key, plain, [1, 1_000_000]);
    const ported = await encryptWhole(env, key, plain, [1, 1_000_000], overPorts(2));
    expect([toHex(ported.digest), same(ported.blob, serial.blob)]).toEqual([toHex(serial.digest), true]);
    const back = await decryptWhole(env, { key, plainSize: plain.length, digest: serial.digest }, serial.blob, [65_000, 70_000, 2_000_000], overPorts(2));
    expect(same(back, plain)).toBe(true);
  });

  it("still refuses a blob tampered with, truncated, reordered, cut short or extended", async () => {
    const key = generateAttachmentKey(env);
    const plain = patternBytes(20 * 65_536 + 1000);
    const { blob, digest } = await encryptWhole(env, key, plain, [], overPorts(2));
    const cases: [BlobEdit, ProtocolErrorCode][] = [
      [{ op: "flip_bit", offset: ATTACHMENT_HEADER_BYTES + 70_000, bit: 3 }, "decrypt_failed"],
      [{ op: "flip_bit", offset: blob.length - 1, bit: 0 }, "decrypt_failed"],
      [{ op: "truncate", length: ATTACHMENT_HEADER_BYTES + 12 * 65_552 }, "decrypt_failed"],
      [{ op: "drop_chunk", chunk: 1 }, "decrypt_failed"],
      [{ op: "swap_chunks", chunks: [3, 4] }, "decrypt_failed"],
      [{ op: "duplicate_chunk", chunk: 0 }, "decrypt_failed"],
      [{ op: "append", hex: "00" }, "decrypt_failed"],
    ];
    for (const [edit, code] of cases) {
      const edited = applyEdit(blob, edit);
      expect([edit.op, await codeOf(() => decryptWhole(env, { key, plainSize: plain.length, digest }, edited, [1000, 131_000], overPorts(2)))]).toEqual([edit.op, code]);
    }
    // A blob that opens but is not the one the message names: the hashes computed in the "workers" say so.
    const other = (await encryptWhole(env, key, patternBytes(plain.length).map((b, i) => (i === 5 ? b ^ 1 : b)), [], overPorts(2))).blob;
    expect(await codeOf(() => decryptWhole(env, { key, plainSize: plain.length, digest }, other, [], overPorts(2)))).toBe("digest_mismatch");
  });

  it("keeps at most a window of chunks in flight, however large the slices", async () => {
    let unsettled = 0;
    let most = 0;
    let window = 0;
    const counting: ChunkCryptos = async (keys) => {
      const inner = await overPorts(2)(keys);
      window = inner.window;
      const count = <T>(p: Promise<T>) => {
        most = Math.max(most, ++unsettled);
        return p.finally(() => unsettled--);
      };
      const c: ChunkCrypto = {
        window: inner.window,
        seal: (i, f, b) => count(inner.seal(i, f, b)),
        open: (i, f, b) => count(inner.open(i, f, b)),
        flush: () => inner.flush(),
        close: () => inner.close(),
      };
      return c;
    };
    const plain = random(64 * 65_536);
    const { blob, digest } = await encryptWhole(env, generateAttachmentKey(env), plain, [], counting);
    expect(window).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(window + 1);
    expect(most).toBeGreaterThan(1);
    void blob;
    void digest;
  });

  it("copies chunks that span slices into buffers the workers handed back, and still gives the serial blob", async () => {
    let reused = 0;
    const counting: ChunkCryptos = async (keys) => {
      const inner = await overPorts(2)(keys);
      return {
        ...inner,
        seal: (i, f, b) => inner.seal(i, f, b),
        open: (i, f, b) => inner.open(i, f, b),
        spare: (size) => {
          const b = inner.spare?.(size);
          if (b) reused++;
          return b;
        },
      };
    };
    const key = generateAttachmentKey(env);
    const plain = random(100 * 65_536 + 5);
    // 50,000-byte slices: nearly every chunk spans two, so nearly every chunk is a copy.
    const enc = new EncryptStream(key, env, counting);
    const blob = await collect(slicedBy(plain, 50_000).pipeThrough(enc));
    expect(same(blob, (await encryptWhole(env, key, plain)).blob)).toBe(true);
    expect(reused).toBeGreaterThan(50);
    reused = 0;
    const { plainSize, digest } = await enc.sealed;
    expect(same(await collect(slicedBy(blob, 50_000).pipeThrough(new DecryptStream({ key, plainSize, digest }, env, counting))), plain)).toBe(true);
    expect(reused).toBeGreaterThan(50);
  });

  it("frees every input buffer a worker hands back at once (ArrayBuffer transfer), never one the reader holds", async () => {
    // Node 20 has no ArrayBuffer.prototype.transfer (Chromium has): this one detaches the buffer as the real one does.
    const released = new Set<ArrayBuffer>();
    const had = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "transfer");
    Object.defineProperty(ArrayBuffer.prototype, "transfer", {
      configurable: true,
      value(this: ArrayBuffer, length: number) {
        released.add(this);
        structuredClone(this, { transfer: [this] });
        return new ArrayBuffer(length);
      },
    });
    try {
      const key = generateAttachmentKey(env);
      const plain = random(64 * 65_536);
      const enc = new EncryptStream(key, env, overPorts(2));
      const reader = slicedBy(plain, 65_536).pipeThrough(enc).getReader();
      const parts: Uint8Array[] = [];
      for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(r.value);
      // Each of the 64 chunks went to a worker and came back: kept as a spare until the stream closed, or freed.
      expect(released.size).toBe(64);
      for (const p of parts) expect(released.has(p.buffer as ArrayBuffer)).toBe(false);
      const blob = await collect(slicedBy(Buffer.concat(parts), 1 << 20));
      expect(same(blob, (await encryptWhole(env, key, plain)).blob)).toBe(true);
      const { plainSize, digest } = await enc.sealed;
      released.clear();
      const opened = await collect(slicedBy(blob, 65_552).pipeThrough(new DecryptStream({ key, plainSize, digest }, env, overPorts(2))));
      expect(same(opened, plain)).toBe(true);
      // Slices that do not line up with the chunks: most buffers that come back take a later chunk's copy,
      // the rest (and those left when the stream closes) are freed.
      expect(released.size).toBeGreaterThan(0);
    } finally {
      if (had) Object.defineProperty(ArrayBuffer.prototype, "transfer", had);
      else delete (ArrayBuffer.prototype as { transfer?: unknown }).transfer;
    }
  });

  it("closes the ports when a stream is cancelled mid-file, and both ends of each", async () => {
    const log: PortLog = { farClosed: 0, nearClosed: 0 };
    const enc = new EncryptStream(generateAttachmentKey(env), env, overPorts(2, log));
    const reader = slicedBy(random(4 * 1024 * 1024), 65_536).pipeThrough(enc).getReader();
    for (let i = 0; i < 3; i++) expect((await reader.read()).done).toBe(false);
    expect(log).toEqual({ farClosed: 0, nearClosed: 0 });
    await reader.cancel(new Error("the person pressed Cancel"));
    await vi.waitFor(() => expect(log).toEqual({ farClosed: 2, nearClosed: 2 }), { timeout: 4_000 });
  });

  it("fails the stream, not hangs it, when a worker answers what was not asked or refuses a message", async () => {
    // A port whose far end answers every batch with one result too many.
    const liar: ChunkPort = {
      postMessage: (m) => {
        const items = (m as { items?: { b: Uint8Array }[] }).items;
        if (items) setTimeout(() => deliver?.({ results: [...items, ...items].map(() => ({ b: new Uint8Array(1), h: new Uint8Array(32) })) }), 0);
      },
      listen: (f) => void (deliver = f),
      close: () => {},
    };
    let deliver: ((d: unknown) => void) | null = null;
    await expect(encryptWhole(env, generateAttachmentKey(env), random(300_000), [], async () => portChunkCrypto([liar]))).rejects.toThrow(/unexpected message/);
    // A chunk larger than any of the format: the worker's end refuses it.
    const c = new MessageChannel();
    channels.push(c);
    const keys = { chunkKey: await crypto.subtle.importKey("raw", random(32) as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt"]), aad: random(10) };
    serveChunks(env, fromMessagePort(c.port2), keys);
    const chunks = portChunkCrypto([fromMessagePort(c.port1)]);
    const sealing = chunks.seal(0, false, random(65_537));
    chunks.flush();
    await expect(sealing).rejects.toThrow(/chunk of the wrong size/);
  });
});

describe("the chunk worker pool", () => {
  it("runs a stream's chunks in the workers and frees each stream's ports when it ends or is cancelled", async () => {
    vi.stubGlobal("Worker", FakeWorker);
    setChunkWorker(() => new FakeWorker(false) as unknown as Worker);
    const key = generateAttachmentKey(env);
    const plain = random(30 * 65_536 + 3);
    const enc = new EncryptStream(key, env, defaultChunkCrypto(env));
    const blob = await collect(slicedBy(plain, 65_536).pipeThrough(enc));
    const { digest, plainSize } = await enc.sealed;
    expect(chunkWorkersRunning()).toBeGreaterThan(0);
    expect(toHex(digest)).toBe(toHex((await encryptWhole(env, key, plain)).digest));
    expect(openChunkStreams()).toBe(0);
    expect(same(await collect(slicedBy(blob, 50_000).pipeThrough(new DecryptStream({ key, plainSize, digest }, env, defaultChunkCrypto(env)))), plain)).toBe(true);
    expect(openChunkStreams()).toBe(0);

    const reader = slicedBy(random(8 * 1024 * 1024), 65_536).pipeThrough(new EncryptStream(generateAttachmentKey(env), env, defaultChunkCrypto(env))).getReader();
    await reader.read();
    await reader.read();
    expect(openChunkStreams()).toBe(1);
    await reader.cancel();
    expect(openChunkStreams()).toBe(0);
  });

  it("frees a download's ports when its fetch is aborted mid-file (the pipe aborts the decrypting stream)", async () => {
    vi.stubGlobal("Worker", FakeWorker);
    setChunkWorker(() => new FakeWorker(false) as unknown as Worker);
    const key = generateAttachmentKey(env);
    const plain = random(200 * 65_536);
    const { blob, digest } = await encryptWhole(env, key, plain);
    const abort = new AbortController();
    const reader = slicedBy(blob, 65_536)
      .pipeThrough(new DecryptStream({ key, plainSize: plain.length, digest }, env, defaultChunkCrypto(env)), { signal: abort.signal })
      .getReader();
    await reader.read();
    await reader.read();
    expect(openChunkStreams()).toBe(1);
    abort.abort(new Error("the person pressed Cancel"));
    // What was already on its way may still be read; then the stream fails with the abort.
    const drained = (async () => {
      for (let r = await reader.read(); !r.done; r = await reader.read());
    })();
    await expect(drained).rejects.toThrow();
    await vi.waitFor(() => expect(openChunkStreams()).toBe(0), { timeout: 4_000 });
  });

  it("falls back to the calling thread, with the same bytes, when the worker script cannot load", async () => {
    vi.stubGlobal("Worker", FakeWorker);
    FakeWorker.made = [];
    setChunkWorker(() => new FakeWorker(true) as unknown as Worker);
    const key = generateAttachmentKey(env);
    const plain = random(5 * 65_536 + 9);
    const enc = new EncryptStream(key, env, defaultChunkCrypto(env));
    const blob = await collect(slicedBy(plain, 65_536).pipeThrough(enc));
    const { digest, plainSize } = await enc.sealed;
    const serial = await encryptWhole(env, key, plain);
    expect([toHex(digest), same(blob, serial.blob)]).toEqual([toHex(serial.digest), true]);
    expect(chunkWorkersRunning()).toBe(0);
    expect(FakeWorker.made.length).toBeGreaterThan(0);
    expect(FakeWorker.made.every((w) => w.terminated)).toBe(true);
    // Later streams do not try again: they run on the calling thread at once.
    const made = FakeWorker.made.length;
    expect(same(await collect(slicedBy(blob, 65_536).pipeThrough(new DecryptStream({ key, plainSize, digest }, env, defaultChunkCrypto(env)))), plain)).toBe(true);
    expect(FakeWorker.made.length).toBe(made);
  });
});
