/**
 * The attachment digest (docs/PROTOCOL.md "Attachment", digest) computed on the far side of a message
 * port, so a dedicated Worker hashes each chunk on the second core while the stream's AES-GCM runs on
 * the calling thread (Chromium runs WebCrypto on the thread that calls it: docs/decisions.md "Attachment
 * digest in a worker"). Both ends are here: `portDigest` is the stream's DigestSink, `serveDigest` runs
 * in the worker (digest-worker.ts) and computes the very chain of protocol's AttachmentDigest.
 *
 * One port per blob. Messages, in order:
 *   stream -> worker: { header } once, then { chunks } for each add(), then { finish: true }
 *   worker -> stream: { hashed: chunks } giving each batch back once hashed, { digest } after finish,
 *                     { error } on failure
 * Chunks travel as transferred buffers, never copied by either thread (a view into a larger buffer is
 * copied once, to be movable). At most MAX_UNHASHED chunks are away: add() waits for the worker beyond that.
 */
import { ATTACHMENT_HEADER_BYTES, AttachmentDigest, FULL_CHUNK_CIPHERTEXT_BYTES, type CryptoEnv, type DigestSink } from "../../../../protocol/index.js";

/** One end of a message channel (fromMessagePort; the unit tests adapt Node's MessageChannel the same way). */
export interface DigestPort {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  /** Sets (or with null, removes) the one handler of incoming messages' data. */
  listen(onData: ((data: unknown) => void) | null): void;
  close(): void;
}

export function fromMessagePort(port: MessagePort): DigestPort {
  return {
    postMessage: (message, transfer) => port.postMessage(message, transfer),
    listen: (onData) => (port.onmessage = onData && ((e: MessageEvent) => onData(e.data))),
    close: () => port.close(),
  };
}

/** Chunks sent to the worker and not yet handed back, at most: 32 × 64 KiB = 2 MiB. */
export const MAX_UNHASHED = 32;
/** Chunks in one { chunks } message, at most. */
const MAX_BATCH = 64;
/**
 * Chunks gathered before they are sent: a message costs the calling thread about as much as a few
 * chunks' worth of moving, so chunks travel eight at a time (the stream adds them one by one).
 */
export const SEND_BATCH = 8;

/** The chunk itself when it is the whole of its buffer (so its buffer can be transferred), else a copy. */
function owned(c: Uint8Array): Uint8Array<ArrayBuffer> {
  const b = c.buffer;
  return b instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === b.byteLength ? new Uint8Array(b) : c.slice();
}

/**
 * The stream's end. Moves each chunk's buffer to the worker (transfer: no copy; a chunk that is a view
 * into a larger buffer is copied first) and gets it back once hashed, so the calling thread never copies
 * a chunk it owns; waits only while MAX_UNHASHED chunks are away. The worker's first error fails every
 * later call.
 */
export function portDigest(port: DigestPort, header: Uint8Array, onClose?: () => void): DigestSink & { fail(e: Error): void } {
  let away = 0;
  let back: Uint8Array[] = [];
  let gathered: Uint8Array<ArrayBuffer>[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  let result: { resolve: (r: { digest: Uint8Array; chunks: Uint8Array[] }) => void; reject: (e: Error) => void } | undefined;
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    port.listen(null);
    port.close();
    onClose?.();
  };
  const fail = (e: Error) => {
    failure ??= e;
    wake?.();
    result?.reject(failure);
    close();
  };
  const takeBack = () => {
    const out = back;
    back = [];
    return out;
  };
  port.listen((data) => {
    const m = data as { hashed?: unknown; digest?: unknown; error?: unknown };
    const hashed = m.hashed;
    if (Array.isArray(hashed) && hashed.length > 0 && hashed.length <= away && hashed.every((c) => c instanceof Uint8Array)) {
      away -= hashed.length;
      back.push(...(hashed as Uint8Array[]));
      wake?.();
    } else if (m.digest instanceof Uint8Array && m.digest.length === 32 && result && away === 0) {
      result.resolve({ digest: m.digest, chunks: takeBack() });
      close();
    } else fail(new Error(`attachment digest worker: ${typeof m.error === "string" ? m.error : "unexpected message"}`));
  });
  const send = () => {
    for (let at = 0; at < gathered.length; at += MAX_BATCH) {
      const batch = gathered.slice(at, at + MAX_BATCH);
      port.postMessage({ chunks: batch }, batch.map((c) => c.buffer));
      away += batch.length;
    }
    gathered = [];
  };
  const first = header.slice();
  port.postMessage({ header: first }, [first.buffer]);
  return {
    async add(chunks) {
      if (failure) throw failure;
      if (closed || result) throw new Error("attachment digest: already finished");
      for (const c of chunks) gathered.push(owned(c));
      if (gathered.length >= SEND_BATCH) send();
      while (away > MAX_UNHASHED && !failure) await new Promise<void>((r) => (wake = r));
      wake = undefined;
      if (failure) throw failure;
      return takeBack();
    },
    finish() {
      if (failure) return Promise.reject(failure);
      if (closed || result) return Promise.reject(new Error("attachment digest: finished twice"));
      const done = new Promise<{ digest: Uint8Array; chunks: Uint8Array[] }>((resolve, reject) => (result = { resolve, reject }));
      send();
      port.postMessage({ finish: true }, []);
      return done;
    },
    abandon: close,
    fail,
  };
}

/**
 * The worker's end of one port: the same chain as protocol's AttachmentDigest, fed in order. Checks what
 * it is sent (sizes bounded) and answers a bad message with { error } and stops. The stream's end closes
 * the channel (after the digest, on an error, or when it gives up).
 */
export function serveDigest(env: CryptoEnv, port: DigestPort): void {
  let chain: Promise<AttachmentDigest | undefined> = Promise.resolve(undefined);
  let stopped = false;
  const stop = (why: string) => {
    if (stopped) return;
    stopped = true;
    port.postMessage({ error: why }, []);
    port.listen(null);
  };
  const then = (step: (d: AttachmentDigest | undefined) => Promise<AttachmentDigest | undefined>) => {
    chain = chain.then((d) => (stopped ? undefined : step(d)));
    chain.catch((e: unknown) => stop(e instanceof Error ? e.message : String(e)));
  };
  port.listen((data) => {
    const m = data as { header?: unknown; chunks?: unknown; finish?: unknown };
    if (m.header instanceof Uint8Array) {
      const header = m.header;
      if (header.length !== ATTACHMENT_HEADER_BYTES) return stop("header of the wrong size");
      then(async (d) => {
        if (d) throw new Error("header sent twice");
        return AttachmentDigest.start(env, header);
      });
    } else if (Array.isArray(m.chunks)) {
      const chunks: unknown[] = m.chunks;
      if (chunks.length === 0 || chunks.length > MAX_BATCH) return stop("batch of the wrong size");
      const movable = (c: unknown): c is Uint8Array<ArrayBuffer> =>
        c instanceof Uint8Array && c.buffer instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === c.buffer.byteLength;
      if (!chunks.every(movable)) return stop("chunk that is not a whole buffer");
      if (chunks.some((c) => c.length > FULL_CHUNK_CIPHERTEXT_BYTES)) return stop("chunk of the wrong size");
      then(async (d) => {
        if (!d) throw new Error("chunks before the header");
        await d.add(chunks);
        // Back to the stream, moved as they came.
        port.postMessage({ hashed: chunks }, chunks.map((c) => c.buffer));
        return d;
      });
    } else if (m.finish === true) {
      then(async (d) => {
        if (!d) throw new Error("finish before the header");
        const digest = new Uint8Array(d.value);
        port.postMessage({ digest }, [digest.buffer]);
        stopped = true;
        port.listen(null);
        return undefined;
      });
    } else stop("unexpected message");
  });
}
