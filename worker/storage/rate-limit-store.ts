// The rate-limit store owns the fixed-window request counters (docs/API.md "Rate limits"): one count per
// bucket and window. Today a D1 table (worker/db/d1-rate-limit-store.ts).

export interface RateLimitStore {
  /**
   * Counts one request in `bucket`'s current window of `windowMs` and returns how many the window holds
   * now, this one included, and when it ends (ms since the epoch). Atomic, so concurrent requests cannot
   * both read the same count.
   */
  countHit(bucket: string, windowMs: number, now: number): Promise<{ hits: number; windowEnd: number }>;
}
