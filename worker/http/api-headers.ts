import type { MiddlewareHandler } from "hono";

/**
 * API answers are per-user and must never be cached by the browser or an intermediary. (nosniff and the
 * other security headers come from security-headers.ts, on every response.)
 */
export const apiHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
};
