import { z } from "zod";
import {
  appendLogResponse,
  recoveryLookupResponse,
  recoveryStatusResponse,
  unlockPassphraseResponse,
  type appendLogRequest,
  type putPassphraseRequest,
  type putRecoveryBlobRequest,
  type unlockPassphraseRequest,
} from "../../../../protocol/api.js";
import { toBase64url, type AccountId } from "../../../../protocol/index.js";
import { requestJson, type FetchFn } from "./api.js";

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

  private call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown): Promise<z.output<S>> {
    return requestJson(this.fetchFn, this.baseUrl + path, { method, schema, body });
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

