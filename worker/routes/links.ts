import { Hono } from "hono";
import type { z } from "zod";
import { LINK_LIFETIME_MS, LINK_TOKEN_BYTES, LINK_TOKEN_HEADER, respondLinkRequest, type LinkId, type createLinkResponse, type respondLinkResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { LINK_ID_BYTES } from "../../protocol/link.js";
import { requireSession } from "../auth/require-session.js";
import { hashBearerToken, newBearerToken } from "../auth/session-token.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { Conflict, ServerFault } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { linkIdParam } from "../http/path-params.js";
import { rateLimit } from "../http/rate-limit.js";
import { liveLink, requireLinkSide } from "./link-access.js";

/** Links one client address may open per minute: a new device refreshes its code about once a minute. */
export const LINK_CREATE_LIMIT = 10;
const LINK_CREATE_WINDOW_MS = 60_000;

/** Opens a link for a new device, which has no account yet: it gets the link's id and its bearer token. */
export async function openLink(c: Ctx) {
  await rateLimit(c, "link", LINK_CREATE_LIMIT, LINK_CREATE_WINDOW_MS);
  const linkId = toBase64url(cryptoEnv.randomBytes(LINK_ID_BYTES)) as LinkId;
  const newToken = newBearerToken(LINK_TOKEN_BYTES);
  const newTokenHash = await hashBearerToken(newToken, LINK_TOKEN_BYTES);
  if (!newTokenHash) throw new ServerFault("a fresh link token did not hash");
  const now = Date.now();
  const expiresAt = now + LINK_LIFETIME_MS;
  await c.var.stores.links.insert({ linkId, newTokenHash, now, expiresAt });
  return c.json({ linkId, newToken, expiresAt } satisfies z.output<typeof createLinkResponse>, 201);
}

/** The existing device (logged in) answers a link with its ephemeral key. */
export async function answerLink(c: Ctx) {
  const linkId = linkIdParam(c);
  const { ephemeralKey } = await readJson(c, respondLinkRequest);
  const session = c.var.session;
  const now = Date.now();
  const link = await liveLink(c, linkId, now);
  if (link.responder) throw new Conflict("link_taken", "another device already answered this link");
  // The scan is when the user starts reading and confirming: give the exchange a full lifetime from here.
  const expiresAt = now + LINK_LIFETIME_MS;
  const answered = await c.var.stores.links.answer({ linkId, accountId: session.accountId, deviceId: session.deviceId, ephemeralKey: fromBase64url(ephemeralKey), now, expiresAt });
  if (!answered) {
    // Lost a race: another answer came first, or the link expired in between.
    await liveLink(c, linkId, Date.now());
    throw new Conflict("link_taken", "another device already answered this link");
  }
  return c.json({ expiresAt } satisfies z.output<typeof respondLinkResponse>);
}

/**
 * Either side ends the link once done, so its frames do not wait for expiry: the new device with its
 * token, the existing device with its session.
 */
export async function endLink(c: Ctx) {
  const linkId = linkIdParam(c);
  const link = await liveLink(c, linkId, Date.now());
  await requireLinkSide(c, link, c.req.header(LINK_TOKEN_HEADER) === undefined ? "existing" : "new");
  await c.var.stores.links.delete(linkId);
  return c.body(null, 204);
}

/**
 * Link sessions (docs/API.md "Linking a device"): the new device opens one without an account, the
 * existing device answers it with its ephemeral key, and then both exchange frames (link-frames.ts).
 */
export const linkRoutes = new Hono<AppEnv>().post("/link", openLink).post("/link/:linkId/respond", requireSession, answerLink).delete("/link/:linkId", endLink);
