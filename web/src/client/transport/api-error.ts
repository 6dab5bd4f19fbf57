// ApiError on its own, without the API's schemas: the app shell tells errors apart (ui/error-text.ts)
// before the client, zod and the schemas are loaded (docs/decisions.md "The app shell holds the first screen").
import { ClientError, type ErrorCause } from "../errors.js";

/**
 * A refused or failed HTTP call: a ClientError whose `code` is the server's stable code, or one of ours:
 * "network" (no response; `cause` is what fetch threw), "bad_response" (a body that fails its schema),
 * "http_<status>" (an error without a body).
 */
export class ApiError extends ClientError<string> {
  override readonly name = "ApiError";
  constructor(
    code: string,
    message: string,
    readonly status: number,
    /** From a 429's Retry-After header: how long the server asks the client to wait. */
    readonly retryAfterSeconds?: number,
    options: ErrorCause = {},
  ) {
    super(code, message, options);
  }

  /** The error's whole JSON body, for the few errors that carry more than code and message (unparsed). */
  body?: unknown;
}

export function isApiError(e: unknown, code?: string): e is ApiError {
  return e instanceof ApiError && (code === undefined || e.code === code);
}
