/**
 * Where the attachment streams seal and open their chunks (docs/decisions.md "Attachment chunks in
 * workers"): in a few dedicated Workers per page (one per core, at most MAX_WORKERS), shared by every
 * stream (each stream gets its own MessageChannel to each worker), so the AES-GCM and SHA-256 of a blob's
 * chunks run on every core while the page's thread only moves buffers. Where no worker can be started
 * (Node in the unit tests, a browser without module workers, a worker script that failed to load) the
 * chunks are done on the calling thread (protocol's serialChunkCrypto): the same bytes, only slower.
 *
 * The workers are started on the first stream and must answer a ping before any chunk goes to them, so a
 * script that cannot load (blocked, offline before it was cached) is found before a file depends on it:
 * that stream and every later one then run on the calling thread. A worker that fails after that fails
 * the streams it serves (their chunks were moved to it) and later streams run on the calling thread.
 *
 * How to start a worker is registered by the code that knows its URL: the app's bundle
 * (chunk-worker-app.ts, Vite) or the benchmark page.
 */
import { serialChunkCrypto, type ChunkCryptos, type CryptoEnv } from "../../../../protocol/index.js";
import { fromMessagePort, portChunkCrypto, type PortChunkCrypto } from "./chunk-port.js";

/** Workers at most, whatever the cores: beyond a few, the page's thread moving buffers is the limit. */
const MAX_WORKERS = 4;
/** How long a worker may take to load and answer before the streams give up on workers. */
const READY_MS = 15_000;

let makeWorker: (() => Worker) | undefined;
let workers: Promise<Worker[] | undefined> | undefined;
let started: Worker[] = [];
/** Streams whose chunks the workers have: failed at once if a worker dies. */
const open = new Set<PortChunkCrypto>();

/** Registers how to start a chunk worker; stops the workers of an earlier registration. */
export function setChunkWorker(make: (() => Worker) | undefined): void {
  for (const w of started) w.terminate();
  started = [];
  workers = undefined;
  makeWorker = make;
}

function workerCount(): number {
  const cores = typeof navigator === "undefined" ? 0 : navigator.hardwareConcurrency;
  return Math.min(MAX_WORKERS, Number.isSafeInteger(cores) && cores > 0 ? cores : 2);
}

/** Resolves once the worker answered its ping; rejects if it reports an error or is silent too long. */
function ready(w: Worker): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error) => {
      clearTimeout(timer);
      w.removeEventListener("message", onMessage);
      w.removeEventListener("error", onError);
      if (err) reject(err);
      else resolve();
    };
    const onMessage = (e: MessageEvent) => {
      if ((e.data as { ready?: unknown } | null)?.ready === true) done();
    };
    const onError = (e: Event) => {
      e.preventDefault();
      done(new Error(`the attachment chunk worker could not be loaded${typeof ErrorEvent !== "undefined" && e instanceof ErrorEvent && e.message ? `: ${e.message}` : ""}`));
    };
    const timer = setTimeout(() => done(new Error("the attachment chunk worker did not answer")), READY_MS);
    w.addEventListener("message", onMessage);
    w.addEventListener("error", onError);
    w.postMessage({ ping: true });
  });
}

async function start(make: () => Worker): Promise<Worker[] | undefined> {
  const ws: Worker[] = [];
  try {
    for (let n = workerCount(); ws.length < n; ) ws.push(make());
    await Promise.all(ws.map(ready));
  } catch {
    for (const w of ws) w.terminate();
    return undefined;
  }
  started = ws;
  for (const w of ws) {
    w.addEventListener("error", (e) => {
      // An error inside a worker after it started: its streams fail, later ones run on their own thread.
      e.preventDefault();
      if (started !== ws) return;
      setChunkWorker(undefined);
      const err = new Error(`the attachment chunk worker stopped: ${(e as ErrorEvent).message || "unknown error"}`);
      for (const s of [...open]) s.fail(err);
    });
  }
  return ws;
}

/** The chunk crypto the attachment streams use by default: the workers' when they are running. */
export function defaultChunkCrypto(env: CryptoEnv): ChunkCryptos {
  const serial = serialChunkCrypto(env);
  return async (keys) => {
    const make = makeWorker;
    if (!make || typeof Worker === "undefined" || typeof MessageChannel === "undefined") return serial(keys);
    const ws = await (workers ??= start(make));
    if (!ws || started !== ws) return serial(keys);
    const ports = ws.map((w) => {
      const channel = new MessageChannel();
      w.postMessage({ port: channel.port2, key: keys.chunkKey, aad: keys.aad }, [channel.port2]);
      return fromMessagePort(channel.port1);
    });
    const chunks = portChunkCrypto(ports, () => open.delete(chunks));
    open.add(chunks);
    return chunks;
  };
}

/** How many chunk workers are running (0: streams run on the calling thread), for tests and the benchmark. */
export function chunkWorkersRunning(): number {
  return started.length;
}

/** Streams whose ports to the workers are open: each closes them when it ends, fails or is cancelled. */
export function openChunkStreams(): number {
  return open.size;
}
