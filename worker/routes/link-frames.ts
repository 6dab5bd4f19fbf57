import { Hono } from "hono";
import { z } from "zod";
import { MAX_LINK_FRAMES, linkSideSchema, postLinkFrameRequest, type linkFramesResponse, type postLinkFrameResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { describeIssues } from "../describe-issues.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, Gone, NotFound } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { linkIdParam } from "../http/path-params.js";
import { notifyDevice } from "../realtime/notify.js";
import { liveLink, requireLinkSide } from "./link-access.js";
import { decimalCount } from "./message-page-query.js";

/** GET .../frames?from=new|existing&after=N: whose frames, and after which seq (default 0: all). */
const linkFramesQuery = z.strictObject({ from: linkSideSchema, after: decimalCount.default(0) });

/** Relays one frame from one side of a link (opaque: only size and base64url are checked). */
export async function relayLinkFrame(c: Ctx) {
  const linkId = linkIdParam(c);
  const { from, frame } = await readJson(c, postLinkFrameRequest);
  const link = await liveLink(c, linkId, Date.now());
  await requireLinkSide(c, link, from);
  // Until an existing device answers, no one can read a frame, and N's first frame needs O's key anyway.
  // It also keeps an account-less caller from storing anything beyond the link row itself.
  if (!link.responder) throw new Conflict("link_not_answered", "no existing device has answered this link yet");
  const seq = await c.var.stores.links.appendFrame({ linkId, sender: from, frame: fromBase64url(frame), now: Date.now(), maxFrames: MAX_LINK_FRAMES });
  if (seq === undefined) {
    // Nothing stored: the link expired (or was ended) since it was read, or this side is full.
    const found = await c.var.stores.links.find(linkId, Date.now());
    if (found.kind === "expired") throw new Gone("link_expired", "the link has expired: show a new code on the new device");
    if (found.kind === "missing") throw new NotFound("no such link");
    throw new Conflict("link_full", `the link already holds ${MAX_LINK_FRAMES} frames from the ${from} device`);
  }
  if (from === "new") c.executionCtx.waitUntil(notifyDevice(c.env, link.responder.accountId, link.responder.deviceId, { type: "link", linkId }));
  return c.json({ seq } satisfies z.output<typeof postLinkFrameResponse>, 201);
}

/** The frames one side posted after a seq, for the other side to read. */
export async function readLinkFrames(c: Ctx) {
  const linkId = linkIdParam(c);
  const parsed = linkFramesQuery.safeParse(c.req.query());
  if (!parsed.success) throw new BadRequest("invalid_query", describeIssues(parsed.error.issues));
  const { from, after } = parsed.data;
  const link = await liveLink(c, linkId, Date.now());
  // Each side reads the other's frames: those from the new device are for the existing one, and back.
  await requireLinkSide(c, link, from === "new" ? "existing" : "new");
  const frames = await c.var.stores.links.listFrames(linkId, from, after);
  return c.json({
    frames: frames.map((f) => ({ seq: f.seq, frame: toBase64url(f.frame) })),
    responder: link.responder ? { ephemeralKey: toBase64url(link.responder.ephemeralKey) } : null,
    expiresAt: link.expiresAt,
  } satisfies z.output<typeof linkFramesResponse>);
}

/**
 * The relay. Each side posts frames and reads the other side's, in the order they were posted.
 * docs/PROTOCOL.md "Linking a device" says what is inside.
 */
export const linkFrameRoutes = new Hono<AppEnv>().post("/link/:linkId/frames", relayLinkFrame).get("/link/:linkId/frames", readLinkFrames);
