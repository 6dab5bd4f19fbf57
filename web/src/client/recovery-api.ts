import { z } from "zod";
import {
  appendLogResponse,
  errorBody,
  recoveryLookupResponse,
  recoveryStatusResponse,
  unlockPassphraseResponse,
  type appendLogRequest,
  type putPassphraseRequest,
  type putRecoveryBlobRequest,
  type unlockPassphraseRequest,
} from "../../../protocol/api.js";
import { toBase64url, type AccountId } from "../../../protocol/index.js";
import { ApiError, REQUEST_TIMEOUT_MS, type FetchFn } from "./api.js";

const empty = z.unknown();

/**
 * The recovery calls of docs/API.md "Recovery", kept apart from api.ts like the link relay's: a restoring
 * browser has no session, so lookups, the passphrase unlock and the recover entry go without one.
 */
export class RecoveryApi {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly baseUrl = "",
    fetchFn?: FetchFn,
  ) {
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: "application/json" };
    const init: RequestInit = { method, credentials: "same-origin", headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res: Response;
    try {
      res = await this.fetchFn(this.baseUrl + path, init);
    } catch (e) {
      throw new ApiError("network", `could not reach the server: ${e instanceof Error ? e.message : String(e)}`, 0);
    }
    let json: unknown;
    try {
      json = res.status === 204 ? undefined : await res.json();
    } catch {
      json = undefined;
    }
    if (!res.ok) {
      const err = errorBody.safeParse(json);
      const retryAfter = Number(res.headers.get("retry-after"));
      if (err.success) throw new RecoveryApiError(err.data.error.code, err.data.error.message, res.status, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
      throw new ApiError(`http_${res.status}`, `${method} ${path} failed with HTTP ${res.status}`, res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError("bad_response", `${method} ${path}: unexpected response (${parsed.error.issues[0]?.message ?? "invalid"})`, res.status);
    return parsed.data;
  }

  /** No session: the account's recovery blob, passphrase parameters and log. */
  lookup(username: string) {
    return this.call("GET", `/api/recovery/${encodeURIComponent(username)}`, recoveryLookupResponse);
  }

  /** No session: the passphrase blob, released only to the right access token. */
  unlockPassphrase(username: string, accessToken: Uint8Array) {
    return this.call("POST", `/api/recovery/${encodeURIComponent(username)}/passphrase`, unlockPassphraseResponse, { accessToken: toBase64url(accessToken) } satisfies z.input<typeof unlockPassphraseRequest>);
  }

  /** Appends a device-log entry; a recover entry needs no session (its signatures are its authorization). */
  appendLog(accountId: AccountId, entry: Uint8Array) {
    return this.call("POST", `/api/accounts/${encodeURIComponent(accountId)}/log`, appendLogResponse, { entry: toBase64url(entry) } satisfies z.input<typeof appendLogRequest>);
  }

  status() {
    return this.call("GET", "/api/recovery", recoveryStatusResponse);
  }

  putBlob(blob: Uint8Array) {
    return this.call("PUT", "/api/recovery/blob", empty, { blob: toBase64url(blob) } satisfies z.input<typeof putRecoveryBlobRequest>);
  }

  putPassphrase(blob: Uint8Array, accessToken: Uint8Array) {
    return this.call("PUT", "/api/recovery/passphrase", empty, { blob: toBase64url(blob), accessToken: toBase64url(accessToken) } satisfies z.input<typeof putPassphraseRequest>);
  }

  deletePassphrase() {
    return this.call("DELETE", "/api/recovery/passphrase", empty);
  }
}

/** An ApiError that also carries Retry-After (seconds), for "wait N minutes". */
export class RecoveryApiError extends ApiError {
  constructor(
    code: string,
    message: string,
    status: number,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(code, message, status);
  }
}
