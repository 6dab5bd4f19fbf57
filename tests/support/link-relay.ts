import { LINK_TOKEN_HEADER, type LinkSide } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import type { ApiClient } from "./api-client.js";
import { testCrypto } from "./crypto-env.js";

/**
 * Calls to the link relay (docs/API.md "Linking a device"), as the new device (link token) or the
 * existing device (session cookie) makes them. Runtime-neutral.
 */

/** What POST /api/link answered, for the new device. */
export interface OpenedLink {
  readonly linkId: string;
  readonly newToken: string;
  readonly expiresAt: number;
}

let addresses = 0;
const addressBase = testCrypto.randomBytes(2);

/**
 * A client address no other call in this run uses (CF-Connecting-IP), so the per-address limit on
 * opening links only bites the tests that aim at it. Storage is shared between tests and files.
 */
export function freshAddress(): string {
  addresses += 1;
  return `10.${addressBase[0]}.${addressBase[1]! ^ (addresses >> 8)}.${addresses & 255}`;
}

/** POST /api/link from `address` (default: a fresh one). */
export function createLink(api: ApiClient, address = freshAddress()): Promise<Response> {
  return api.call("POST", "/api/link", { headers: { "CF-Connecting-IP": address } });
}

/** Opens a link; throws unless 201. */
export async function openLink(api: ApiClient): Promise<OpenedLink> {
  const res = await createLink(api);
  if (res.status !== 201) throw new Error(`open link failed: ${res.status} ${await res.text()}`);
  return (await res.json()) as OpenedLink;
}

/** POST /api/link/:linkId/respond as the existing device with session `cookie`. */
export function respondToLink(api: ApiClient, cookie: string, linkId: string, ephemeralKey: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/link/${linkId}/respond`, { cookie, json: { ephemeralKey: toBase64url(ephemeralKey) } });
}

/** Who makes a relay call: the new device by its token, or the existing device by its session cookie. */
export type LinkCaller = { readonly token: string } | { readonly cookie: string };

function credentials(as: LinkCaller): { cookie?: string; headers?: Record<string, string> } {
  return "token" in as ? { headers: { [LINK_TOKEN_HEADER]: as.token } } : { cookie: as.cookie };
}

export function postLinkFrame(api: ApiClient, linkId: string, from: LinkSide, frame: Uint8Array | string, as: LinkCaller): Promise<Response> {
  return api.call("POST", `/api/link/${linkId}/frames`, { ...credentials(as), json: { from, frame: typeof frame === "string" ? frame : toBase64url(frame) } });
}

export function getLinkFrames(api: ApiClient, linkId: string, from: LinkSide, after: number, as: LinkCaller): Promise<Response> {
  return api.call("GET", `/api/link/${linkId}/frames?from=${from}&after=${after}`, credentials(as));
}

export function deleteLink(api: ApiClient, linkId: string, as: LinkCaller): Promise<Response> {
  return api.call("DELETE", `/api/link/${linkId}`, credentials(as));
}
