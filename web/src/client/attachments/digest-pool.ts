/**
 * Where the attachment streams compute their digest (docs/decisions.md "Attachment digest in a worker"):
 * in one dedicated Worker per page, shared by every stream (each gets its own MessageChannel), so the
 * SHA-256 of every chunk runs on another core than the stream's AES-GCM. Where no worker can be started
 * (Node in the unit tests, a browser without module workers, a worker that failed to load) the digest is
 * computed on the calling thread (protocol's serialDigests): the same bytes, only slower.
 *
 * How to start the worker is registered by the code that knows its URL: the app's bundle
 * (digest-worker-app.ts, Vite) or the benchmark page.
 */
import { serialDigests, type CryptoEnv, type DigestSinks } from "../../../../protocol/index.js";
import { fromMessagePort, portDigest } from "./digest-port.js";

let makeWorker: (() => Worker) | undefined;
let worker: Worker | undefined;
let broken = false;
/** Streams whose digest the worker has open: failed at once if the worker dies. */
const open = new Set<{ fail(e: Error): void }>();

export function setDigestWorker(make: () => Worker): void {
  makeWorker = make;
}

function digestWorker(): Worker | undefined {
  if (worker || broken || !makeWorker || typeof Worker === "undefined" || typeof MessageChannel === "undefined") return worker;
  try {
    const w = makeWorker();
    w.addEventListener("error", (e) => {
      // A script that did not load, or an error inside it: later streams hash on their own thread.
      e.preventDefault();
      broken = true;
      worker = undefined;
      w.terminate();
      const err = new Error(`the attachment digest worker stopped: ${e.message || "it could not be loaded"}`);
      for (const s of [...open]) s.fail(err);
    });
    worker = w;
  } catch {
    broken = true;
  }
  return worker;
}

/** The digest sinks the attachment streams use by default: the worker's when there is one. */
export function defaultDigests(env: CryptoEnv): DigestSinks {
  const serial = serialDigests(env);
  return async (header) => {
    const w = digestWorker();
    if (!w) return serial(header);
    const channel = new MessageChannel();
    w.postMessage({ port: channel.port2 }, [channel.port2]);
    const sink = portDigest(fromMessagePort(channel.port1), header, () => open.delete(sink));
    open.add(sink);
    return sink;
  };
}

/** Whether streams hash in the worker now (for tests and the benchmark's record of what it measured). */
export function digestWorkerRunning(): boolean {
  return worker !== undefined;
}
