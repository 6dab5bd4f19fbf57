import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorCode, ErrorBody } from "../protocol/api.js";
import { isProtocolError } from "../protocol/errors.js";

/**
 * The worker's error hierarchy: one class per HTTP status, each carrying a stable code from
 * protocol/api.ts. Routes throw; `errorResponse` maps to `{error:{code,message}}` in one place.
 */
export abstract class ApiError extends Error {
  abstract readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export class BadRequest extends ApiError {
  override readonly name = "BadRequest";
  readonly status = 400;
}

export class Unauthenticated extends ApiError {
  override readonly name = "Unauthenticated";
  readonly status = 401;
  constructor(message: string, code: "unauthenticated" | "login_failed" = "unauthenticated") {
    super(code, message);
  }
}

export class Forbidden extends ApiError {
  override readonly name = "Forbidden";
  readonly status = 403;
}

export class NotFound extends ApiError {
  override readonly name = "NotFound";
  readonly status = 404;
  constructor(message: string) {
    super("not_found", message);
  }
}

export class Conflict extends ApiError {
  override readonly name = "Conflict";
  readonly status = 409;
}

/** 410: the thing existed and is gone for good (an expired link). */
export class Gone extends ApiError {
  override readonly name = "Gone";
  readonly status = 410;
}

export class TooLarge extends ApiError {
  override readonly name = "TooLarge";
  readonly status = 413;
  constructor(message: string) {
    super("too_large", message);
  }
}

export class UnsupportedMediaType extends ApiError {
  override readonly name = "UnsupportedMediaType";
  readonly status = 415;
  constructor(message: string) {
    super("unsupported_media_type", message);
  }
}

/** 429 with Retry-After (RFC 9110 section 10.2.3: whole seconds). */
export class TooManyRequests extends ApiError {
  override readonly name = "TooManyRequests";
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message);
  }
}

/** 426: a plain request to a WebSocket-only route. RFC 9110 section 15.5.22 wants an Upgrade header with it. */
export class UpgradeRequired extends ApiError {
  override readonly name = "UpgradeRequired";
  readonly status = 426;
  constructor(
    message: string,
    readonly upgrade: string,
  ) {
    super("upgrade_required", message);
  }
}

export function errorJson(code: ApiErrorCode, message: string): ErrorBody {
  return { error: { code, message } };
}

/** The app's onError: known errors keep their status; anything else is a server fault and is logged. */
export function errorResponse(err: Error, c: Context): Response {
  if (err instanceof UpgradeRequired) return c.json(errorJson(err.code, err.message), err.status, { Upgrade: err.upgrade });
  if (err instanceof TooManyRequests) return c.json(errorJson(err.code, err.message), err.status, { "Retry-After": String(err.retryAfterSeconds) });
  if (err instanceof ApiError) return c.json(errorJson(err.code, err.message), err.status);
  // Protocol decoders only ever see caller bytes, so a stray ProtocolError is bad input, not a 500.
  if (isProtocolError(err)) return c.json(errorJson("invalid_body", err.message), 400);
  if (err instanceof HTTPException && err.status < 500) return c.json(errorJson("invalid_body", err.message || "bad request"), err.status);
  console.error("unhandled error", err);
  return c.json(errorJson("internal", "internal error"), 500);
}
