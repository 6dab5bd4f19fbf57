import type { Context } from "hono";
import type { AppEnv } from "../env.js";
import { TooManyRequests } from "../errors.js";
import { clientAddress } from "./client-address.js";

/**
 * Allows `limit` requests of kind `name` per client address per `windowMs`, else 429 rate_limited with
 * Retry-After until the window ends. Refused requests count too, so hammering does not help.
 */
export async function rateLimit(c: Context<AppEnv>, name: string, limit: number, windowMs: number): Promise<void> {
  const now = Date.now();
  const { hits, windowEnd } = await c.var.stores.rateLimits.countHit(`${name}:${clientAddress(c)}`, windowMs, now);
  if (hits > limit) {
    throw new TooManyRequests(`at most ${limit} per ${windowMs / 1000} s from one address; try again later`, Math.max(1, Math.ceil((windowEnd - now) / 1000)));
  }
}
