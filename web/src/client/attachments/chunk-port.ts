/**
 * An attachment blob's chunk work (protocol's ChunkCrypto: each chunk's AES-256-GCM and the SHA-256 of
 * its ciphertext) done on the far side of message ports, by the page's chunk workers (chunk-pool.ts), so
 * the chunks of one blob are sealed or opened on several cores at once while the stream on the page only
 * moves buffers and steps the digest chain (docs/decisions.md "Attachment chunks in workers"). Both ends
 * are here: `portChunkCrypto` is the stream's ChunkCrypto over one port per worker, `serveChunks` runs in
 * a worker (chunk-worker.ts) with protocol's sealChunk/openChunk, the very functions of the serial path.
 *
 * One port per blob per worker. Messages, in order:
 *   stream -> worker: { items: [{ i, f, o, b }] } for a batch (index, final flag, open rather than seal,
 *                     the bytes), then { close: true } when the blob is done or given up
 *   worker -> stream: { results: [{ b, h, r } or { e, r }] } for each batch, in order, item for item:
 *                     the output and the ciphertext's SHA-256, or the error code (`decrypt_failed`),
 *                     and the input buffer handed back, which the stream copies later chunks into;
 *                     { error } for a message it refuses, after which it serves that port no more
 * Bytes travel as transferred buffers, never copied by either thread (a view into a larger buffer is
 * copied once, to be movable, into a buffer a worker handed back when there is one). Every buffer the page
 * sends comes back, so the workers leave no garbage of their own: what is dropped is dropped on the page,
 * whose collector sees it (docs/decisions.md "Attachment chunks in workers", memory). Batches go to the
 * workers in turn; the stream bounds what is in flight.
 */
import {
  ATTACHMENT_DIGEST_BYTES,
  ATTACHMENT_TAG_BYTES,
  FULL_CHUNK_CIPHERTEXT_BYTES,
  MAX_ATTACHMENT_CHUNKS,
  ProtocolError,
  isProtocolError,
  openChunk,
  sealChunk,
  type ChunkCrypto,
  type ChunkKeys,
  type ChunkResult,
  type CryptoEnv,
} from "../../../../protocol/index.js";
import { releaseBuffer } from "./release.js";

/** One end of a message channel (fromMessagePort; the unit tests adapt Node's MessageChannel the same way). */
export interface ChunkPort {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Sets (or with null, removes) the one handler of incoming messages' data. */
  listen(onData: ((data: unknown) => void) | null): void;
  close(): void;
}

export function fromMessagePort(port: MessagePort): ChunkPort {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    listen: (onData) => (port.onmessage = onData && ((e: MessageEvent) => onData(e.data))),
    close: () => port.close(),
  };
}

/** Chunks in one batch message: a message costs a thread about as much as moving a few chunks. */
export const BATCH = 4;
/** Batches in flight per worker, so a worker has the next batch queued when it finishes one. */
const BATCHES_PER_WORKER = 2;
/** Chunks in one message at most, as the worker accepts them. */
const MAX_ITEMS = 64;

/** The chunk itself when it is the whole of its buffer (so its buffer can be transferred), else a copy. */
function owned(c: Uint8Array, spare: (n: number) => Uint8Array<ArrayBuffer> | undefined): Uint8Array<ArrayBuffer> {
  const b = c.buffer;
  if (b instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === b.byteLength) return new Uint8Array(b);
  const copy = spare(c.length) ?? new Uint8Array(c.length);
  copy.set(c);
  return copy;
}

function movable(c: unknown): c is Uint8Array<ArrayBuffer> {
  return c instanceof Uint8Array && c.buffer instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === c.buffer.byteLength;
}

interface Request {
  readonly i: number;
  readonly f: boolean;
  readonly o: boolean;
  readonly b: Uint8Array<ArrayBuffer>;
  /** The output's size the request must get back (a tag more when sealing, a tag less when opening). */
  readonly outSize: number;
  readonly inSize: number;
  resolve(r: ChunkResult): void;
  reject(e: unknown): void;
}

export type PortChunkCrypto = ChunkCrypto & { fail(e: Error): void };

/**
 * The stream's end, over one port per worker (each already serving this blob's keys). Requests gather
 * into batches of BATCH and go to the ports in turn; replies are checked (sizes, one per request, in
 * order) and a reply that is not as asked fails every request. close() tells each worker to drop the
 * blob's keys and closes the ports; onClose runs once, when they are closed.
 */
export function portChunkCrypto(ports: readonly ChunkPort[], onClose?: () => void): PortChunkCrypto {
  if (ports.length === 0) throw new RangeError("attachment chunks: no port");
  const waiting = ports.map((): Request[] => []);
  let gathered: Request[] = [];
  let next = 0;
  let outstanding = 0;
  let failure: Error | undefined;
  let closed = false;
  /** Input buffers the workers handed back, by size, at most a window's worth. */
  const spares = new Map<number, Uint8Array<ArrayBuffer>[]>();
  let spareCount = 0;
  const window = BATCH * BATCHES_PER_WORKER * ports.length;
  const keep = (r: unknown, size: number) => {
    if (!movable(r)) return;
    if (r.length !== size || spareCount >= window) return releaseBuffer(r);
    spareCount++;
    (spares.get(size) ?? spares.set(size, []).get(size)!).push(r);
  };
  const spare = (size: number) => {
    const b = spares.get(size)?.pop();
    if (b) spareCount--;
    return b;
  };
  const failAll = (e: Error) => {
    failure ??= e;
    for (const r of gathered.splice(0)) r.reject(failure);
    for (const w of waiting) for (const r of w.splice(0)) r.reject(failure);
    outstanding = 0;
  };
  const close = () => {
    if (closed) return;
    closed = true;
    failAll(new Error("attachment chunks: closed"));
    for (const list of spares.values()) list.forEach(releaseBuffer);
    spares.clear();
    for (const p of ports) {
      p.listen(null);
      p.postMessage({ close: true }, []);
      p.close();
    }
    onClose?.();
  };
  const broken = (why: string) => {
    failAll(new Error(`attachment chunk worker: ${why}`));
    close();
  };
  ports.forEach((port, k) => {
    port.listen((data) => {
      const m = data as { results?: unknown; error?: unknown } | null;
      const results = m?.results;
      const queue = waiting[k]!;
      if (!Array.isArray(results) || results.length === 0 || results.length > queue.length) {
        return broken(typeof m?.error === "string" ? m.error : "unexpected message");
      }
      const answered = queue.splice(0, results.length);
      outstanding -= answered.length;
      // Never keep or free a buffer that is also an output (the reader holds those).
      const outputs = new Set(results.map((x) => (x as { b?: { buffer?: unknown } } | null)?.b?.buffer));
      for (const [n, r] of answered.entries()) {
        const res = results[n] as { b?: unknown; h?: unknown; e?: unknown; r?: unknown } | null;
        if (res?.r !== undefined && !outputs.has((res.r as Uint8Array).buffer)) keep(res.r, r.inSize);
        if (res?.e === "decrypt_failed" && r.o) r.reject(asDecryptFailed());
        else if (res?.b instanceof Uint8Array && res.b.length === r.outSize && res.h instanceof Uint8Array && res.h.length === ATTACHMENT_DIGEST_BYTES) {
          r.resolve({ bytes: res.b, hash: res.h });
        } else return broken("reply that does not match its request");
      }
    });
  });
  const send = () => {
    if (gathered.length === 0) return;
    const k = next++ % ports.length;
    const batch = gathered;
    gathered = [];
    waiting[k]!.push(...batch);
    outstanding += batch.length;
    ports[k]!.postMessage(
      { items: batch.map(({ i, f, o, b }) => ({ i, f, o, b })) },
      batch.map((r) => r.b.buffer),
    );
  };
  const request = (o: boolean) => (i: number, f: boolean, bytes: Uint8Array) =>
    new Promise<ChunkResult>((resolve, reject) => {
      if (failure) return reject(failure);
      const outSize = o ? bytes.length - ATTACHMENT_TAG_BYTES : bytes.length + ATTACHMENT_TAG_BYTES;
      gathered.push({ i, f, o, b: owned(bytes, spare), outSize, inSize: bytes.length, resolve, reject });
      if (gathered.length >= BATCH) send();
    });
  return {
    window,
    seal: request(false),
    open: request(true),
    // The stream waits for its oldest request: while any sent one is unanswered, the oldest is among
    // them (batches leave in order); else it is gathered here, so send what is gathered now.
    flush: () => {
      if (outstanding === 0) send();
    },
    close,
    spare,
    fail: (e) => {
      failAll(e);
      close();
    },
  };
}

function asDecryptFailed(): ProtocolError {
  return new ProtocolError("decrypt_failed", "AES-GCM authentication failed");
}

/**
 * The worker's end of one blob's port: seals or opens each item with protocol's functions and answers
 * every batch in order. Checks what it is sent (indices, flags, sizes bounded) and answers a bad message
 * with { error } and serves the port no more. { close: true } drops the keys and closes the port.
 */
export function serveChunks(env: CryptoEnv, port: ChunkPort, keys: ChunkKeys): void {
  let chain: Promise<void> = Promise.resolve();
  let stopped = false;
  const stop = (why: string | undefined) => {
    if (stopped) return;
    stopped = true;
    port.listen(null);
    if (why) port.postMessage({ error: why }, []);
    port.close();
  };
  port.listen((data) => {
    const m = data as { items?: unknown; close?: unknown } | null;
    if (m?.close === true) return stop(undefined);
    const items = m?.items;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_ITEMS) return stop("batch of the wrong size");
    for (const it of items as { i?: unknown; f?: unknown; o?: unknown; b?: unknown }[]) {
      if (!Number.isSafeInteger(it?.i) || (it.i as number) < 0 || (it.i as number) >= MAX_ATTACHMENT_CHUNKS) return stop("chunk index out of range");
      if (typeof it.f !== "boolean" || typeof it.o !== "boolean") return stop("chunk without its flags");
      if (!movable(it.b)) return stop("chunk that is not a whole buffer");
      const max = it.o ? FULL_CHUNK_CIPHERTEXT_BYTES : FULL_CHUNK_CIPHERTEXT_BYTES - ATTACHMENT_TAG_BYTES;
      if (it.b.length > max || (it.o && it.b.length < ATTACHMENT_TAG_BYTES)) return stop("chunk of the wrong size");
    }
    const batch = items as { i: number; f: boolean; o: boolean; b: Uint8Array<ArrayBuffer> }[];
    const work = Promise.all(
      batch.map((it) =>
        // WebCrypto copied the input when called, so it goes back with the result, for reuse.
        (it.o ? openChunk : sealChunk)(env, keys, it.i, it.f, it.b).then(
          (r) => ({ b: r.bytes, h: r.hash, r: it.b }),
          (e: unknown) => {
            if (isProtocolError(e, "decrypt_failed")) return { e: "decrypt_failed" as const, r: it.b };
            throw e;
          },
        ),
      ),
    );
    // Awaited in turn below; observed now so a failure is not reported before its turn.
    work.catch(() => {});
    chain = chain.then(async () => {
      const results = await work;
      if (stopped) return;
      const transfer: ArrayBuffer[] = [];
      for (const r of results) {
        if ("b" in r) transfer.push(r.b.buffer as ArrayBuffer, r.h.buffer as ArrayBuffer);
        transfer.push(r.r.buffer);
      }
      port.postMessage({ results }, transfer);
    });
    chain.catch((e: unknown) => stop(e instanceof Error ? e.message : String(e)));
  });
}

/**
 * A chunk worker's handling of a message to its global scope (chunk-worker.ts): { ping } is answered
 * with { ready } through `reply`, { port, key, aad } starts serving one blob's port with its keys (the
 * non-extractable chunk key, cloned by the browser). Anything else is ignored.
 */
export function onWorkerMessage(env: CryptoEnv, data: unknown, reply: (message: unknown) => void): void {
  const m = data as { ping?: unknown; port?: unknown; key?: unknown; aad?: unknown } | null;
  if (m?.ping === true) reply({ ready: true });
  else if (m?.port instanceof MessagePort && m.key instanceof CryptoKey && m.aad instanceof Uint8Array && m.aad.length <= MAX_AAD_BYTES) {
    serveChunks(env, fromMessagePort(m.port), { chunkKey: m.key, aad: m.aad });
  }
}

/** The chunks' AAD is a label and the 41-byte header (protocol's chunkAad): far below this. */
const MAX_AAD_BYTES = 256;
