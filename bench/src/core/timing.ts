// Runtime-neutral timing loops. performance.now() is coarse in Chromium pages without cross-origin
// isolation (100 µs), so single calls are never timed alone: a sample is a batch's time divided by its size.

/** Microseconds per call for `n` calls awaited one after another, as a client handles messages in turn. */
export async function timePerCall(n: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn(i);
  return ((performance.now() - t0) * 1000) / n;
}

/** Microseconds per call for `n` synchronous calls back to back (for work far below a microsecond or two). */
export function timeSync(n: number, fn: () => unknown): number {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return ((performance.now() - t0) * 1000) / n;
}

/** Microseconds per call for `n` calls with up to `concurrency` in flight. */
export async function timePerCallConcurrent(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const worker = async () => {
    while (next < n) await fn(next++);
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return ((performance.now() - t0) * 1000) / n;
}

/** Milliseconds one call takes. */
export async function timeOnce(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}
