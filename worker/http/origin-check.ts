import type { Context, MiddlewareHandler } from "hono";
import { Forbidden } from "../errors.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Throws 403 bad_origin unless the request's Origin header is this server's own origin. */
export function requireOwnOrigin(c: Context): void {
  const origin = c.req.header("origin");
  const own = new URL(c.req.url).origin;
  if (origin !== own) throw new Forbidden("bad_origin", origin === undefined ? "the Origin header is missing" : `origin ${origin} is not ${own}`);
}

/**
 * Refuses a state-changing request whose Origin is not this server's own. With SameSite=Strict cookies
 * this closes cross-site request forgery; login also signs this origin, so it must be the real one.
 * WebSocket upgrades are GETs and check it themselves (routes/realtime.ts).
 */
export const originCheck: MiddlewareHandler = async (c, next) => {
  if (STATE_CHANGING.has(c.req.method)) requireOwnOrigin(c);
  await next();
};
