// The rate-limit store over D1: the rate_limits table (rate-limits.ts).
import type { RateLimitStore } from "../storage/rate-limit-store.js";
import { countHit } from "./rate-limits.js";

export function d1RateLimitStore(db: D1Database): RateLimitStore {
  return { countHit: (bucket, windowMs, now) => countHit(db, bucket, windowMs, now) };
}
