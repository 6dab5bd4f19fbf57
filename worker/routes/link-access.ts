import { LINK_TOKEN_BYTES, LINK_TOKEN_HEADER, type LinkId, type LinkSide } from "../../protocol/api.js";
import { bytesEqual } from "../../protocol/bytes.js";
import { authenticate } from "../auth/require-session.js";
import { hashBearerToken } from "../auth/session-token.js";
import type { Ctx } from "../env.js";
import { Forbidden, Gone, NotFound, Unauthenticated } from "../errors.js";
import type { LinkRecord } from "../storage/link-store.js";

/** The live link of that id: 404 if there is none, 410 if it just expired (it is deleted then, so later 404). */
export async function liveLink(c: Ctx, linkId: LinkId, now: number): Promise<LinkRecord> {
  const found = await c.var.stores.links.find(linkId, now);
  if (found.kind === "missing") throw new NotFound("no such link");
  if (found.kind === "expired") throw new Gone("link_expired", "the link has expired: show a new code on the new device");
  return found.link;
}

/**
 * Admits only `side` of the link. The new device has no account: it proves itself with the token that
 * creating the link returned (401 without one, 403 for another). The existing side is the session of
 * the very device that answered the link (401 without a session, 403 for any other device).
 */
export async function requireLinkSide(c: Ctx, link: LinkRecord, side: LinkSide): Promise<void> {
  if (side === "new") {
    const token = c.req.header(LINK_TOKEN_HEADER);
    if (token === undefined) throw new Unauthenticated(`the new device's ${LINK_TOKEN_HEADER} header is missing`);
    const hash = await hashBearerToken(token, LINK_TOKEN_BYTES);
    if (!hash || !bytesEqual(hash, link.newTokenHash)) throw new Forbidden("forbidden", "this is not the new device's link token");
    return;
  }
  const session = await authenticate(c);
  const r = link.responder;
  if (!r || r.deviceId !== session.deviceId || r.accountId !== session.accountId) throw new Forbidden("forbidden", "only the device that answered this link can use its existing side");
}
