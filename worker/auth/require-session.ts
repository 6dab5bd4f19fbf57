import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { Unauthenticated } from "../errors.js";
import type { Session } from "../storage/session-store.js";
import { readSessionCookie } from "./session-cookie.js";
import { hashSessionToken } from "./session-token.js";

/**
 * The request's live session (unexpired, device not revoked), or 401. For routes that admit either a
 * session or another credential (the link relay); everything else uses `requireSession`.
 */
export async function authenticate(c: Context<AppEnv>): Promise<Session> {
  const token = readSessionCookie(c);
  if (token === undefined) throw new Unauthenticated("log in first");
  const hash = await hashSessionToken(token);
  const session = hash && (await c.var.stores.sessions.find(hash, Date.now()));
  if (!session) throw new Unauthenticated("the session has expired or was ended");
  return session;
}

/** Admits only requests with a live session and exposes it as c.var.session. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set("session", await authenticate(c));
  await next();
};
