import { Hono } from "hono";
import type { z } from "zod";
import { challengeRequest, loginRequest, type challengeResponse, type sessionResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { isProtocolError } from "../../protocol/errors.js";
import { LOGIN_NONCE_BYTES, verifyLogin } from "../../protocol/login.js";
import { requireSession } from "../auth/require-session.js";
import { endSession, startSession } from "../auth/hub-session.js";
import { NONCE_LIFETIME_MS } from "../auth/session.js";
import { clearSessionCookie, readSessionCookie } from "../auth/session-cookie.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { Forbidden, NotFound, Unauthenticated } from "../errors.js";
import { limitLogin } from "../http/auth-limits.js";
import { readJson } from "../http/json-body.js";

type SessionResponse = z.output<typeof sessionResponse>;

/** Issues a single-use login nonce to an active device. */
export async function issueLoginChallenge(c: Ctx) {
  await limitLogin(c, "challenge");
  const body = await readJson(c, challengeRequest);
  const device = await c.var.stores.accounts.findDevice(body.deviceId);
  if (!device || device.accountId !== body.accountId) throw new NotFound("no such device on this account");
  if (device.revoked) throw new Forbidden("forbidden", "this device was removed from the account");
  const now = Date.now();
  const nonce = cryptoEnv.randomBytes(LOGIN_NONCE_BYTES);
  await c.var.stores.sessions.storeNonce({ nonce, accountId: body.accountId, deviceId: body.deviceId, expiresAt: now + NONCE_LIFETIME_MS }, now);
  return c.json({ nonce: toBase64url(nonce) } satisfies z.output<typeof challengeResponse>);
}

/** Logs a device in with its signature over the nonce, and sets the session cookie. */
export async function logIn(c: Ctx) {
  const { accounts, sessions, directory } = c.var.stores;
  await limitLogin(c, "login");
  const body = await readJson(c, loginRequest);
  const now = Date.now();
  const nonce = fromBase64url(body.nonce);
  // Consumed before anything else is checked: a nonce buys exactly one attempt, right or wrong.
  const issued = await sessions.consumeNonce(nonce);
  if (!issued || issued.accountId !== body.accountId || issued.deviceId !== body.deviceId || issued.expiresAt < now) {
    throw new Unauthenticated("the login nonce is unknown, used, expired or for another device", "login_failed");
  }
  const device = await accounts.findDevice(body.deviceId);
  if (!device || device.accountId !== body.accountId || device.revoked) throw new Unauthenticated("this device cannot log in", "login_failed");
  // originCheck already made sure the Origin header is this server's origin.
  const origin = c.req.header("origin") ?? new URL(c.req.url).origin;
  try {
    await verifyLogin(cryptoEnv, device.signingKey, fromBase64url(body.signature), { nonce, origin, accountId: body.accountId, deviceId: body.deviceId, expiresAt: body.expiresAt }, now);
  } catch (e) {
    if (isProtocolError(e)) throw new Unauthenticated(e.message, "login_failed", { cause: e });
    throw e;
  }
  const account = await directory.findById(body.accountId);
  if (!account) throw new Unauthenticated("no such account", "login_failed");
  await startSession(c, { accountId: body.accountId, deviceId: body.deviceId, username: account.username, signingKey: device.signingKey }, now);
  return c.json({ accountId: body.accountId, deviceId: body.deviceId, username: account.username } satisfies SessionResponse);
}

/** Logging out is idempotent: with or without a live session the answer is 204 and no cookie. */
export async function logOut(c: Ctx) {
  const token = readSessionCookie(c);
  const ended = token === undefined ? undefined : await endSession(c, token, Date.now());
  // A device that signs out gets no more push notifications (docs/API.md "Push").
  if (ended) await c.var.stores.push.deleteSubscription(ended.accountId, ended.deviceId);
  clearSessionCookie(c);
  return c.body(null, 204);
}

/** Who the session cookie says the caller is. */
export function whoAmI(c: Ctx) {
  const s = c.var.session;
  return c.json({ accountId: s.accountId, deviceId: s.deviceId, username: s.username } satisfies SessionResponse);
}

/**
 * Device login (docs/PROTOCOL.md "Login"): the server issues a single-use nonce; the device signs a
 * "login/v1" input it builds itself over that nonce, the origin, its ids and an expiry; the server
 * rebuilds the same input and checks it with the device's stored signing key.
 */
export const sessionRoutes = new Hono<AppEnv>()
  .post("/session/challenge", issueLoginChallenge)
  .post("/session", logIn)
  .delete("/session", logOut)
  .get("/me", requireSession, whoAmI);
