import { z } from "zod";
import {
  LINK_TOKEN_HEADER,
  appendLogResponse,
  createLinkResponse,
  deviceListResponse,
  errorBody,
  linkFramesResponse,
  postLinkFrameResponse,
  respondLinkResponse,
  type LinkSide,
  type appendLogRequest,
  type deviceNameRequest,
  type postLinkFrameRequest,
  type respondLinkRequest,
} from "../../../protocol/api.js";
import { toBase64url, type AccountId, type DeviceId } from "../../../protocol/index.js";
import { ApiError, REQUEST_TIMEOUT_MS, type FetchFn } from "./api.js";

/** Who makes a relay call: the new device by its link token, or a signed-in device by its session cookie. */
export type LinkCredential = { readonly token: string } | "session";
type Caller = LinkCredential | "none";

const empty = z.unknown();

/**
 * The link relay, device-log append and device-list calls of docs/API.md, kept apart from api.ts (the
 * relay's new device has no session, only an `X-Link-Token`). Every body is parsed with its schema.
 */
export class LinkApi {
  private readonly fetchFn: FetchFn;

  constructor(
    private readonly baseUrl = "",
    fetchFn?: FetchFn,
  ) {
    this.fetchFn = fetchFn ?? ((input, init) => globalThis.fetch(input, init));
  }

  private async call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, as: Caller = "session"): Promise<z.output<S>> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (typeof as === "object") headers[LINK_TOKEN_HEADER] = as.token;
    const init: RequestInit = { method, credentials: as === "session" ? "same-origin" : "omit", headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) };
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
      if (err.success) throw new ApiError(err.data.error.code, err.data.error.message, res.status);
      throw new ApiError(`http_${res.status}`, `${method} ${path} failed with HTTP ${res.status}`, res.status);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new ApiError("bad_response", `${method} ${path}: unexpected response (${parsed.error.issues[0]?.message ?? "invalid"})`, res.status);
    return parsed.data;
  }

  /** N: opens a link session (no account yet). */
  createLink() {
    return this.call("POST", "/api/link", createLinkResponse, undefined, "none");
  }

  /** O: answers a scanned link with its ephemeral key. */
  respond(linkId: string, ephemeralKey: Uint8Array) {
    return this.call("POST", `/api/link/${linkId}/respond`, respondLinkResponse, { ephemeralKey: toBase64url(ephemeralKey) } satisfies z.input<typeof respondLinkRequest>);
  }

  postFrame(linkId: string, from: LinkSide, frame: Uint8Array, as: LinkCredential) {
    return this.call("POST", `/api/link/${linkId}/frames`, postLinkFrameResponse, { from, frame: toBase64url(frame) } satisfies z.input<typeof postLinkFrameRequest>, as);
  }

  /** The peer's frames after `after` (`from` is the peer's side). */
  frames(linkId: string, from: LinkSide, after: number, as: LinkCredential) {
    return this.call("GET", `/api/link/${linkId}/frames?from=${from}&after=${after}`, linkFramesResponse, undefined, as);
  }

  deleteLink(linkId: string, as: LinkCredential) {
    return this.call("DELETE", `/api/link/${linkId}`, empty, undefined, as);
  }

  appendLog(accountId: AccountId, entry: Uint8Array) {
    return this.call("POST", `/api/accounts/${encodeURIComponent(accountId)}/log`, appendLogResponse, { entry: toBase64url(entry) } satisfies z.input<typeof appendLogRequest>);
  }

  devices() {
    return this.call("GET", "/api/devices", deviceListResponse);
  }

  setDeviceName(deviceId: DeviceId, sealedName: Uint8Array) {
    return this.call("PUT", `/api/devices/${deviceId}/name`, empty, { sealedName: toBase64url(sealedName) } satisfies z.input<typeof deviceNameRequest>);
  }
}
