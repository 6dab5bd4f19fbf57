import type { MiddlewareHandler } from "hono";
import { Forbidden } from "../errors.js";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Refuses a state-changing request whose Origin is not this server's own. With SameSite=Strict cookies
 * this closes cross-site request forgery; login also signs this origin, so it must be the real one.
 */
export const originCheck: MiddlewareHandler = async (c, next) => {
  if (STATE_CHANGING.has(c.req.method)) {
    const origin = c.req.header("origin");
    const own = new URL(c.req.url).origin;
    if (origin !== own) throw new Forbidden("bad_origin", origin === undefined ? "the Origin header is missing" : `origin ${origin} is not ${own}`);
  }
  await next();
};
