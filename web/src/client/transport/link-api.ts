import { z } from "zod";
import {
  LINK_TOKEN_HEADER,
  appendLogResponse,
  createLinkResponse,
  deviceListResponse,
  deviceSecretsResponse,
  linkFramesResponse,
  postLinkFrameResponse,
  respondLinkResponse,
  type LinkSide,
  type appendLogRequest,
  type deviceNameRequest,
  type deviceSecretsRequest,
  type postLinkFrameRequest,
  type respondLinkRequest,
} from "../../../../protocol/api.js";
import { toBase64url, type AccountId, type DeviceId } from "../../../../protocol/index.js";
import { requestJson, type FetchFn } from "./api.js";

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

  private call<S extends z.ZodType>(method: string, path: string, schema: S, body?: unknown, as: Caller = "session"): Promise<z.output<S>> {
    const headers: Record<string, string> = typeof as === "object" ? { [LINK_TOKEN_HEADER]: as.token } : {};
    return requestJson(this.fetchFn, this.baseUrl + path, { method, schema, body, headers, credentials: as === "session" ? "same-origin" : "omit" });
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

  /** Stores the account's new secrets sealed to another device of this account (key-updates.ts). */
  putDeviceSecrets(deviceId: DeviceId, sealed: Uint8Array) {
    return this.call("PUT", `/api/devices/${deviceId}/secrets`, empty, { package: toBase64url(sealed) } satisfies z.input<typeof deviceSecretsRequest>);
  }

  /** The newest secrets package sealed to this device; 404 not_found when none is waiting. */
  deviceSecrets() {
    return this.call("GET", "/api/devices/self/secrets", deviceSecretsResponse);
  }
}
