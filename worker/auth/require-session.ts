import type { MiddlewareHandler } from "hono";
import { findSession } from "../db/sessions.js";
import type { AppEnv } from "../env.js";
import { Unauthenticated } from "../errors.js";
import { readSessionCookie } from "./session-cookie.js";
import { hashSessionToken } from "./session-token.js";

/** Admits only requests with a live session (unexpired, device not revoked) and exposes it as c.var.session. */
export const requireSession: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readSessionCookie(c);
  if (token === undefined) throw new Unauthenticated("log in first");
  const hash = await hashSessionToken(token);
  const session = hash && (await findSession(c.env.DB, hash, Date.now()));
  if (!session) throw new Unauthenticated("the session has expired or was ended");
  c.set("session", session);
  await next();
};
