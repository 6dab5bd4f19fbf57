import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import type { Session } from "../storage/session-store.js";
import { sessionOr401 } from "./hub-session.js";
import { readSessionCookie } from "./session-cookie.js";

/**
 * The request's live session (unexpired, device not revoked), or 401: checked by the account's hub for a
 * second-form token, in D1 for a first-form one (worker/auth/hub-session.ts). For routes that admit either a
 * session or another credential (the link relay); everything else uses `requireSession`.
 */
export function authenticate(c: Context<AppEnv>): Promise<Session> {
  return sessionOr401(c, readSessionCookie(c));
}

/** Admits only requests with a live session and exposes it as c.var.session. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("session", await authenticate(c));
  await next();
};
