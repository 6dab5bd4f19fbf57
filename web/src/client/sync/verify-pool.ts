/**
 * Where the receive path verifies envelope signatures: in one dedicated Worker per page (verify-worker.ts),
 * so that during a history load the Ed25519 verifies, the largest part of judging a message (CPU profile,
 * docs/decisions.md "Linking and restoring: less work per message"), run on another core than the page,
 * which decrypts, hashes and writes meanwhile. Where no worker can be started (Node in the unit tests, a
 * worker that failed to load or stopped) verifies run on the calling thread, as before: the same answers.
 *
 * It is a CryptoEnv (receiveEnv) whose importKey of a raw Ed25519 verify key hands out a key that only
 * holds the bytes, and whose verify of such a key is asked of the worker; everything else is the page's
 * WebCrypto. So protocol/'s openEnvelope runs unchanged, with every check in its order: it awaits the
 * verify's answer before it judges the key id and the AEAD, and looks at no plaintext before the
 * signature verified. Requests made in one task go to the worker as one batch.
 *
 * How to start the worker is registered by the code that knows its URL (verify-worker-app.ts, Vite).
 */
import { verify, type Algorithm, type CryptoEnv, type Key, type Subtle } from "../../../../protocol/index.js";
import { parseVerifyAnswer, type VerifyBatch } from "./verify-messages.js";

/** The worker's side as the pool uses it (a Worker, or a stand-in in tests). */
export interface VerifyWorker {
  postMessage(message: VerifyBatch, transfer: Transferable[]): void;
  addEventListener(type: "message" | "error" | "messageerror", listener: (e: Event) => void): void;
  terminate(): void;
}

let makeWorker: (() => VerifyWorker) | undefined;
let worker: VerifyWorker | undefined;
let broken = false;

export function setVerifyWorker(make: (() => VerifyWorker) | undefined): void {
  makeWorker = make;
  worker = undefined;
  broken = false;
}

/** A raw Ed25519 public key for verifying in the worker: receiveEnv's importKey hands these out. */
class WorkerVerifyKey implements Key {
  readonly type = "public";
  readonly extractable = false;
  readonly algorithm = { name: "Ed25519" };
  readonly usages = ["verify"];
  constructor(readonly raw: Uint8Array) {}
}

interface Request {
  readonly key: Uint8Array;
  readonly signature: Uint8Array;
  readonly data: Uint8Array;
  readonly done: (ok: boolean) => void;
}

let queue: Request[] = [];
let flushing = false;
let nextBatch = 1;
/** Batches sent and not yet answered, to answer on the page if the worker stops. */
const sent = new Map<number, Request[]>();
/** The page's own WebCrypto, for when there is no worker (set by receiveEnv). */
let fallbackEnv: CryptoEnv | undefined;

function started(): VerifyWorker | undefined {
  if (worker || broken || !makeWorker || typeof MessageChannel === "undefined") return worker;
  try {
    const w = makeWorker();
    const stop = () => {
      broken = true;
      worker = undefined;
      w.terminate();
      // What the worker had not answered is verified here instead.
      for (const [id, requests] of [...sent]) {
        sent.delete(id);
        for (const r of requests) onPage(r);
      }
    };
    w.addEventListener("error", (e) => {
      e.preventDefault();
      stop();
    });
    w.addEventListener("messageerror", stop);
    w.addEventListener("message", (e) => {
      const answer = parseVerifyAnswer((e as MessageEvent).data, (id) => sent.get(id)?.length);
      if (!answer) return stop();
      const requests = sent.get(answer.batch)!;
      sent.delete(answer.batch);
      requests.forEach((r, i) => r.done(answer.results[i]!));
    });
    worker = w;
  } catch {
    broken = true;
  }
  return worker;
}

function onPage(r: Request): void {
  if (!fallbackEnv) return r.done(false);
  void verify(fallbackEnv, r.key, r.signature, r.data).then(r.done);
}

/** Sends what was asked in this task as one batch (a task of its own, after the asking code has run). */
function flush(): void {
  flushing = false;
  const requests = queue;
  queue = [];
  if (requests.length === 0) return;
  const w = started();
  if (!w) return requests.forEach(onPage);
  const id = nextBatch++;
  sent.set(id, requests);
  // signature and data are exact copies of their own (made when asked), moved rather than copied again.
  w.postMessage(
    { id, requests: requests.map((r) => ({ key: r.key, signature: r.signature, data: r.data })) },
    requests.flatMap((r) => [r.signature.buffer, r.data.buffer] as ArrayBuffer[]),
  );
}

const tick = typeof MessageChannel === "undefined" ? undefined : new MessageChannel();
if (tick) {
  tick.port1.onmessage = flush;
  // Node: the port must not keep the process alive.
  (tick.port1 as unknown as { unref?: () => void }).unref?.();
}

function verifyInWorker(key: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  return new Promise((done) => {
    // Copies now: the caller may reuse its buffers once this settles, and a view would carry its whole buffer.
    queue.push({ key, signature: signature.slice(), data: data.slice(), done });
    if (!flushing) {
      flushing = true;
      tick!.port2.postMessage(null);
    }
  });
}

const envs = new WeakMap<CryptoEnv, CryptoEnv>();

/**
 * `env` with Ed25519 verifies of raw public keys made in the signature worker; `env` itself where no
 * worker is registered. For the receive path (sync/receive.ts); a verify answers exactly as on the page.
 */
export function receiveEnv(env: CryptoEnv): CryptoEnv {
  if (!makeWorker || broken || !tick) return env;
  let out = envs.get(env);
  if (out) return out;
  fallbackEnv ??= env;
  const base = env.subtle;
  const subtle: Subtle = {
    generateKey: (...a) => base.generateKey(...a),
    exportKey: (...a) => base.exportKey(...a),
    sign: (...a) => base.sign(...a),
    digest: (...a) => base.digest(...a),
    encrypt: (...a) => base.encrypt(...a),
    decrypt: (...a) => base.decrypt(...a),
    deriveBits: (...a) => base.deriveBits(...a),
    wrapKey: (...a) => base.wrapKey(...a),
    unwrapKey: (...a) => base.unwrapKey(...a),
    importKey(format: string, keyData: unknown, algorithm: Algorithm, extractable: boolean, usages: string[]): Promise<Key> {
      const rawVerifyKey = format === "raw" && algorithm.name === "Ed25519" && !extractable && usages.length === 1 && usages[0] === "verify";
      if (rawVerifyKey && keyData instanceof Uint8Array && keyData.length === 32) return Promise.resolve(new WorkerVerifyKey(keyData.slice()));
      return base.importKey(format, keyData, algorithm, extractable, usages);
    },
    verify(algorithm: Algorithm, key: Key, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
      if (key instanceof WorkerVerifyKey && algorithm.name === "Ed25519") return verifyInWorker(key.raw, signature, data);
      return base.verify(algorithm, key, signature, data);
    },
  };
  out = { subtle, randomBytes: (n) => env.randomBytes(n) };
  envs.set(env, out);
  return out;
}
