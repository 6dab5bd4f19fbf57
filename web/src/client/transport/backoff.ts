/**
 * Exponential backoff with jitter, for reconnecting the realtime socket and retrying a stalled outbox.
 * Attempt n waits a random time in [base/2, base] where base = min(maxMs, initialMs * 2^n): spread out
 * so many clients coming back at once (a server restart) do not reconnect in lockstep, and never less
 * than half the nominal delay, so a dead server is not hammered.
 */
export interface BackoffOptions {
  /** Nominal first delay in ms (the first wait is between half of it and all of it). */
  readonly initialMs?: number;
  /** Cap on the nominal delay in ms. */
  readonly maxMs?: number;
  /** Uniform random number in [0, 1); tests pass a fixed one. */
  readonly random?: () => number;
}

export const DEFAULT_BACKOFF = { initialMs: 1000, maxMs: 30_000 } as const;

/** The nominal delay before attempt `attempt` (0-based), before jitter. */
export function nominalDelay(attempt: number, o: BackoffOptions = {}): number {
  const initial = o.initialMs ?? DEFAULT_BACKOFF.initialMs;
  const max = o.maxMs ?? DEFAULT_BACKOFF.maxMs;
  // 2^attempt overflows to Infinity for huge attempts; min() keeps the cap.
  return Math.min(max, initial * 2 ** Math.max(0, attempt));
}

export class Backoff {
  private n = 0;

  constructor(private readonly o: BackoffOptions = {}) {}

  /** Failures since the last reset. */
  get attempts(): number {
    return this.n;
  }

  /** The wait before the next attempt, in ms; each call counts one more failure. */
  next(): number {
    const base = nominalDelay(this.n, this.o);
    this.n++;
    const r = (this.o.random ?? Math.random)();
    return Math.round(base / 2 + (base / 2) * r);
  }

  reset(): void {
    this.n = 0;
  }
}
