import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ApiErrorCode, ErrorBody } from "../../protocol/api.js";
import { isProtocolError } from "../../protocol/errors.js";
import { HttpError, RangeNotSatisfiable, TooManyRequests, UpgradeRequired } from "../errors.js";

export function errorJson(code: ApiErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/**
 * The app's onError, the one place errors become HTTP: an HttpError keeps its status and code; anything
 * else (a ServerFault, a bug) is a 500 whose details go to the log, never to the caller.
 */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof UpgradeRequired) return c.json(errorJson(err.code, err.message), err.status, { Upgrade: err.upgrade });
  if (err instanceof TooManyRequests) return c.json(errorJson(err.code, err.message), err.status, { "Retry-After": String(err.retryAfterSeconds) });
  if (err instanceof RangeNotSatisfiable) return c.json(errorJson(err.code, err.message), err.status, { "Content-Range": `bytes */${err.size}` });
  if (err instanceof HttpError) return c.json(errorJson(err.code, err.message), err.status);
  // Protocol decoders only ever see caller bytes, so a stray ProtocolError is bad input, not a 500.
  if (isProtocolError(err)) return c.json(errorJson("invalid_body", err.message), 400);
  if (err instanceof HTTPException && err.status < 500) return c.json(errorJson("invalid_body", err.message || "bad request"), err.status);
  console.error("unhandled error", err);
  return c.json(errorJson("internal", "internal error"), 500);
}
