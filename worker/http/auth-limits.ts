import type { Context } from "hono";
import type { AppEnv, Bindings } from "../env.js";
import { ServerFault } from "../errors.js";
import { clientAddress } from "./client-address.js";
import { rateLimit } from "./rate-limit.js";

/** Sign-ups one client address may make per hour: a person makes one account, a family a handful. */
export const SIGNUP_LIMIT = 10;
export const SIGNUP_WINDOW_MS = 60 * 60 * 1000;

/**
 * Login challenges, and separately logins, one client address may ask for per 10 minutes. A device logs
 * in once per session (30 days), so even a household of devices behind one address stays far below.
 */
export const LOGIN_LIMIT = 60;
export const LOGIN_WINDOW_MS = 10 * 60 * 1000;

const MAX_CONFIGURED_LIMIT = 1_000_000;

/**
 * The limit a binding sets, or `fallback` when it is absent (production sets none: wrangler.toml has no
 * such var). Only local `wrangler dev` raises them (scripts/wrangler.mjs), since there every browser
 * comes from 127.0.0.1. A value that is not a whole number from 1 to 1,000,000 is a deploy mistake and
 * fails loudly rather than quietly changing the limit.
 */
export function configuredLimit(env: Bindings, name: "SIGNUP_LIMIT_PER_HOUR" | "LOGIN_LIMIT_PER_10_MIN", fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const n = /^[1-9][0-9]*$/.test(raw) ? Number(raw) : NaN;
  if (!(n <= MAX_CONFIGURED_LIMIT)) throw new ServerFault(`${name} must be a whole number from 1 to ${MAX_CONFIGURED_LIMIT}, not ${JSON.stringify(raw)}`);
  return n;
}

/**
 * Counts the request against its client address. A request with no address is not counted: every request
 * through Cloudflare's edge carries CF-Connecting-IP (and `wrangler dev` sets it to the peer), so only a
 * caller inside the platform, such as a test calling the fetch handler, lacks one; pooling all of those
 * into one bucket would let any of them lock every other out of sign-up.
 */
async function limitKnownClient(c: Context<AppEnv>, bucket: string, limit: number, windowMs: number): Promise<void> {
  if (clientAddress(c) === "unknown") return;
  await rateLimit(c, bucket, limit, windowMs);
}

/** POST /api/accounts: 429 rate_limited with Retry-After past the sign-up limit. */
export function limitSignUp(c: Context<AppEnv>): Promise<void> {
  return limitKnownClient(c, "signup", configuredLimit(c.env, "SIGNUP_LIMIT_PER_HOUR", SIGNUP_LIMIT), SIGNUP_WINDOW_MS);
}

/** GET /api/usernames/:username: 429 rate_limited past the limit (its own count: a few tries per sign-up). */
export function limitAvailability(c: Context<AppEnv>): Promise<void> {
  return limitKnownClient(c, "username-check", configuredLimit(c.env, "SIGNUP_LIMIT_PER_HOUR", SIGNUP_LIMIT) * AVAILABILITY_PER_SIGNUP, SIGNUP_WINDOW_MS);
}

/** Username checks allowed per sign-up allowed: a person may find the first few names taken. */
export const AVAILABILITY_PER_SIGNUP = 10;

/** POST /api/session/challenge and POST /api/session, each with its own count. */
export function limitLogin(c: Context<AppEnv>, step: "challenge" | "login"): Promise<void> {
  return limitKnownClient(c, `login-${step}`, configuredLimit(c.env, "LOGIN_LIMIT_PER_10_MIN", LOGIN_LIMIT), LOGIN_WINDOW_MS);
}
