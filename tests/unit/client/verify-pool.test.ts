// The receive path's signature worker (sync/verify-pool.ts): verifies asked of receiveEnv go to the worker
// in batches and answer exactly as the page's WebCrypto does; a worker that fails, stops or answers
// nonsense leaves every verify answered on the page. A stand-in worker runs the real worker's handler
// (answerBatch) in Node, which has no Worker.
import { afterEach, expect, test } from "vitest";
import { cryptoEnvFrom, generateSigningPair, exportPublic, sign, verify, type CryptoEnv } from "../../../protocol/index.js";
import { receiveEnv, setVerifyWorker, type VerifyWorker } from "../../../web/src/client/sync/verify-pool.js";
import { answerBatch, type VerifyBatch } from "../../../web/src/client/sync/verify-messages.js";

afterEach(() => setVerifyWorker(undefined));

type Mode = "answer" | "error" | "garbage";

class StandIn implements VerifyWorker {
  batches: number[] = [];
  private listeners = new Map<string, ((e: Event) => void)[]>();
  terminated = false;
  constructor(
    private readonly env: CryptoEnv,
    private readonly mode: () => Mode,
  ) {}
  postMessage(message: VerifyBatch): void {
    this.batches.push(message.requests.length);
    const mode = this.mode();
    setTimeout(() => {
      if (mode === "error") return this.emit("error", Object.assign(new Event("error"), {}));
      if (mode === "garbage") return this.emit("message", Object.assign(new Event("message"), { data: { batch: message.id, results: ["yes"] } }));
      void answerBatch(this.env, structuredClone(message)).then((answer) => this.emit("message", Object.assign(new Event("message"), { data: answer })));
    }, 1);
  }
  addEventListener(type: string, listener: (e: Event) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  terminate(): void {
    this.terminated = true;
  }
  private emit(type: string, e: Event): void {
    for (const l of this.listeners.get(type) ?? []) l(e);
  }
}

/** A fresh env per test: receiveEnv keeps one wrapper per env. */
const freshEnv = () => cryptoEnvFrom(globalThis.crypto);

async function cases(env: CryptoEnv) {
  const pairs = await Promise.all([0, 1, 2].map(() => generateSigningPair(env, false)));
  const pubs = await Promise.all(pairs.map((p) => exportPublic(env, p.publicKey)));
  const out: { pub: Uint8Array; sig: Uint8Array; data: Uint8Array; want: boolean }[] = [];
  for (let i = 0; i < 30; i++) {
    const k = i % 3;
    const data = new TextEncoder().encode(`message ${i}`);
    const sig = await sign(env, pairs[k]!.privateKey, data);
    if (i % 5 === 1) sig[3]! ^= 1; // a bad signature
    const pub = i % 7 === 2 ? pubs[(k + 1) % 3]! : pubs[k]!; // another device's key
    if (i % 11 === 4) data[0]! ^= 1; // other bytes than were signed
    out.push({ pub, sig, data, want: i % 5 !== 1 && i % 7 !== 2 && i % 11 !== 4 });
  }
  return out;
}

test("verifies asked together go to the worker in one batch and answer as the page's WebCrypto does", async () => {
  const env = freshEnv();
  const worker = new StandIn(env, () => "answer");
  setVerifyWorker(() => worker);
  const wrapped = receiveEnv(env);
  expect(wrapped).not.toBe(env);
  const all = await cases(env);
  const got = await Promise.all(all.map((c) => verify(wrapped, c.pub, c.sig, c.data)));
  expect(got).toEqual(all.map((c) => c.want));
  expect(got.filter((x) => !x).length).toBeGreaterThan(5);
  expect(await Promise.all(all.map((c) => verify(env, c.pub, c.sig, c.data)))).toEqual(got);
  expect(worker.batches.reduce((a, b) => a + b, 0)).toBe(all.length);
  expect(worker.batches.length).toBeLessThan(all.length / 3);
});

test("a worker that fails, or answers what no batch asked, leaves every verify answered on the page", async () => {
  for (const mode of ["error", "garbage"] as const) {
    const env = freshEnv();
    const worker = new StandIn(env, () => mode);
    setVerifyWorker(() => worker);
    const wrapped = receiveEnv(env);
    const all = await cases(env);
    expect(await Promise.all(all.map((c) => verify(wrapped, c.pub, c.sig, c.data)))).toEqual(all.map((c) => c.want));
    expect(worker.terminated).toBe(true);
    // Later verifies run on the page: the wrapper is no longer handed out.
    expect(receiveEnv(freshEnv())).not.toBe(undefined);
  }
});

test("without a registered worker the receive path uses the page's env itself", () => {
  const env = freshEnv();
  expect(receiveEnv(env)).toBe(env);
});

test("the worker answers a malformed request false and ignores what is no batch", async () => {
  const env = freshEnv();
  const pair = await generateSigningPair(env, false);
  const pub = await exportPublic(env, pair.publicKey);
  const data = new Uint8Array([1, 2, 3]);
  const sig = await sign(env, pair.privateKey, data);
  const answer = await answerBatch(env, { id: 7, requests: [{ key: pub, signature: sig, data }, { key: pub.subarray(1), signature: sig, data }, { key: pub, signature: sig, data: "x" }, null] });
  expect(answer).toEqual({ batch: 7, results: [true, false, false, false] });
  expect(await answerBatch(env, { id: "7", requests: [] })).toBeUndefined();
  expect(await answerBatch(env, null)).toBeUndefined();
});
