import { describe, expect, test } from "vitest";
import { Backoff, nominalDelay } from "../../../web/src/client/transport/backoff.js";

describe("backoff", () => {
  test.each([
    [0, 500],
    [1, 1000],
    [2, 2000],
    [5, 16_000],
    [6, 30_000],
    [60, 30_000],
    [5000, 30_000],
  ])("attempt %i has a nominal delay of %i ms (0.5 s doubling, capped at 30 s)", (attempt, ms) => {
    expect(nominalDelay(attempt, { initialMs: 500, maxMs: 30_000 })).toBe(ms);
  });

  test("each wait is between half and all of the nominal delay", () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => 0 });
    const high = new Backoff({ initialMs: 1000, maxMs: 30_000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6, 7].map(() => low.next())).toEqual([500, 1000, 2000, 4000, 8000, 15_000, 15_000]);
    expect([1, 2, 3, 4, 5, 6, 7].map(() => high.next())).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
  });

  test("jitter spreads clients that fail at the same moment", () => {
    const waits = Array.from({ length: 50 }, () => new Backoff({ initialMs: 1000 }).next());
    expect(new Set(waits).size).toBeGreaterThan(10);
    expect(Math.min(...waits)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...waits)).toBeLessThanOrEqual(1000);
  });

  test("reset starts over from the first delay", () => {
    const b = new Backoff({ initialMs: 1000, random: () => 0.999999 });
    b.next();
    b.next();
    expect(b.attempts).toBe(2);
    b.reset();
    expect(b.attempts).toBe(0);
    expect(b.next()).toBe(1000);
  });
});
