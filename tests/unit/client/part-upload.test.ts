// The part upload's stall watchdog (web/src/client/transport/part-upload.ts). Uploads go one at a time,
// so a PUT that neither progresses nor ends must fail as a network error (retried and resumed) instead of
// holding the queue for the 10-minute overall timeout. XMLHttpRequest does not exist in Node: a scripted
// stand-in plays the browser's events; the real one runs in the e2e upload tests.
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { PART_STALL_MS, PartNetworkError, putWithXhr } from "../../../web/src/client/transport/part-upload.js";

class ScriptedXhr {
  static last: ScriptedXhr | undefined;
  readonly upload: { onprogress?: (e: { loaded: number }) => void; onload?: () => void } = {};
  onprogress?: () => void;
  onload?: () => void;
  onerror?: () => void;
  ontimeout?: () => void;
  onabort?: () => void;
  timeout = 0;
  withCredentials = false;
  status = 0;
  responseText = "";
  aborted = false;
  constructor() {
    ScriptedXhr.last = this;
  }
  open(): void {}
  setRequestHeader(): void {}
  send(): void {}
  getResponseHeader(): string | null {
    return null;
  }
  abort(): void {
    this.aborted = true;
    this.onabort?.();
  }
  answer(status: number, body: unknown): void {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.stubGlobal("XMLHttpRequest", ScriptedXhr);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const bytes = new Uint8Array(1000);

describe("a part upload's stall watchdog", () => {
  test("a request that never moves fails as a network error after the stall time, and is aborted", async () => {
    const put = putWithXhr("/p", bytes, {});
    const outcome = put.then(() => "resolved", (e: unknown) => e);
    await vi.advanceTimersByTimeAsync(PART_STALL_MS - 1);
    expect(ScriptedXhr.last?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    const e = await outcome;
    expect(e).toBeInstanceOf(PartNetworkError);
    expect((e as Error).message).toMatch(/stalled/);
    expect(ScriptedXhr.last?.aborted).toBe(true);
  });

  test("progress keeps it alive; silence after the last byte still ends it", async () => {
    const put = putWithXhr("/p", bytes, { stallMs: 1000 });
    const outcome = put.then(() => "resolved", (e: unknown) => e);
    const xhr = ScriptedXhr.last!;
    for (let sent = 100; sent <= 1000; sent += 100) {
      await vi.advanceTimersByTimeAsync(900);
      xhr.upload.onprogress?.({ loaded: sent });
    }
    xhr.upload.onload?.();
    expect(xhr.aborted).toBe(false); // 9 s in all, never 1 s without a sign of life
    await vi.advanceTimersByTimeAsync(1000);
    expect(await outcome).toBeInstanceOf(PartNetworkError);
  });

  test("an answer in time resolves with it and disarms the watchdog", async () => {
    const progress: number[] = [];
    const put = putWithXhr("/p", bytes, { stallMs: 1000, onProgress: (n) => progress.push(n) });
    const xhr = ScriptedXhr.last!;
    xhr.upload.onprogress?.({ loaded: 1000 });
    await vi.advanceTimersByTimeAsync(500);
    xhr.answer(200, { n: 1 });
    await expect(put).resolves.toEqual({ status: 200, json: { n: 1 }, retryAfter: undefined });
    await vi.advanceTimersByTimeAsync(5000);
    expect(xhr.aborted).toBe(false);
    expect(progress).toEqual([1000]);
  });

  test("the caller's abort rejects with its reason, not as a network failure", async () => {
    const abort = new AbortController();
    const put = putWithXhr("/p", bytes, { signal: abort.signal });
    const reason = new Error("cancelled by the user");
    abort.abort(reason);
    await expect(put).rejects.toBe(reason);
    expect(ScriptedXhr.last?.aborted).toBe(true);
  });
});
