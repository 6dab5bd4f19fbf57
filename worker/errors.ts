import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ApiErrorCode } from "../protocol/api.js";

/**
 * The worker's one error hierarchy. `HttpError`s are answers to the caller: one class per HTTP status,
 * each with a stable code from protocol/api.ts. `ServerFault`s are the server's own failures (a corrupt
 * row, a broken invariant): the caller gets a bare 500 and the log gets the details. Routes throw; the
 * mapping to HTTP happens once, in worker/http/error-response.ts. Whoever wraps an error passes it on as
 * `cause`, so the log shows where it began.
 */
export abstract class WorkerError extends Error {}

export abstract class HttpError extends WorkerError {
  abstract readonly status: ContentfulStatusCode;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class BadRequest extends HttpError {
  override readonly name = "BadRequest";
  readonly status = 400;
}

export class Unauthenticated extends HttpError {
  override readonly name = "Unauthenticated";
  readonly status = 401;
  constructor(message: string, code: "unauthenticated" | "login_failed" = "unauthenticated", options?: ErrorOptions) {
    super(code, message, options);
  }
}

export class Forbidden extends HttpError {
  override readonly name = "Forbidden";
  readonly status = 403;
}

export class NotFound extends HttpError {
  override readonly name = "NotFound";
  readonly status = 404;
  constructor(message: string, options?: ErrorOptions) {
    super("not_found", message, options);
  }
}

export class Conflict extends HttpError {
  override readonly name = "Conflict";
  readonly status = 409;
}

/** 410: the thing existed and is gone for good (an expired link). */
export class Gone extends HttpError {
  override readonly name = "Gone";
  readonly status = 410;
}

export class TooLarge extends HttpError {
  override readonly name = "TooLarge";
  readonly status = 413;
  constructor(message: string, options?: ErrorOptions) {
    super("too_large", message, options);
  }
}

/** 413 for an attachment that would take its uploader's stored attachments over the account's quota. */
export class QuotaExceeded extends HttpError {
  override readonly name = "QuotaExceeded";
  readonly status = 413;
  constructor(message: string, options?: ErrorOptions) {
    super("quota_exceeded", message, options);
  }
}

/** 411: an attachment part without Content-Length (RFC 9110 section 15.5.12). */
export class LengthRequired extends HttpError {
  override readonly name = "LengthRequired";
  readonly status = 411;
  constructor(message: string, options?: ErrorOptions) {
    super("length_required", message, options);
  }
}

/**
 * 416 for a Range past the end of a blob. RFC 9110 section 15.5.17 wants a Content-Range of "bytes", "*", "/" and the size
 * with it, so the client learns the size.
 */
export class RangeNotSatisfiable extends HttpError {
  override readonly name = "RangeNotSatisfiable";
  readonly status = 416;
  constructor(
    message: string,
    readonly size: number,
    options?: ErrorOptions,
  ) {
    super("range_not_satisfiable", message, options);
  }
}

export class UnsupportedMediaType extends HttpError {
  override readonly name = "UnsupportedMediaType";
  readonly status = 415;
  constructor(message: string, options?: ErrorOptions) {
    super("unsupported_media_type", message, options);
  }
}

/** 429 with Retry-After (RFC 9110 section 10.2.3: whole seconds). */
export class TooManyRequests extends HttpError {
  override readonly name = "TooManyRequests";
  readonly status = 429;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super("rate_limited", message, options);
  }
}

/** 426: a plain request to a WebSocket-only route. RFC 9110 section 15.5.22 wants an Upgrade header with it. */
export class UpgradeRequired extends HttpError {
  override readonly name = "UpgradeRequired";
  readonly status = 426;
  constructor(
    message: string,
    readonly upgrade: string,
    options?: ErrorOptions,
  ) {
    super("upgrade_required", message, options);
  }
}

/** 503: a feature this server is not configured for (Web Push without VAPID keys). */
export class ServiceUnavailable extends HttpError {
  override readonly name = "ServiceUnavailable";
  readonly status = 503;
}

/** The server's own failure: never the caller's fault, answered with 500 and logged. */
export class ServerFault extends WorkerError {
  override readonly name: string = "ServerFault";
}

/** A stored row that does not match its schema (STYLE.md rule 3: D1 rows are parsed like any input). */
export class CorruptRow extends ServerFault {
  override readonly name = "CorruptRow";
}
