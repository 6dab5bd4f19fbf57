import type { MiddlewareHandler } from "hono";

/**
 * API answers are per-user and must never be cached by the browser or an intermediary, nor sniffed
 * into another content type.
 */
export const apiHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("X-Content-Type-Options", "nosniff");
};
