import { Hono } from "hono";
import type { z } from "zod";
import { fromBase64url } from "../../protocol/bytes.js";
import { pushMuteRequest, pushSubscriptionRequest, type pushMutesResponse, type vapidKeyResponse } from "../../protocol/push.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, ServiceUnavailable } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { endpointRefusal, extraOrigins } from "../push/endpoint-policy.js";
import { vapidKeys, type VapidKeys } from "../push/vapid.js";
import { memberConversation } from "./conversation-access.js";

/** pushMutesResponse's bound: an account mutes at most this many conversations' worth in one answer. */
const MAX_PUSH_MUTES = 10_000;

async function requireVapid(c: Ctx): Promise<VapidKeys> {
  const keys = await vapidKeys(c.env);
  if (!keys) throw new ServiceUnavailable("push_unavailable", "this server has no VAPID key pair, so it sends no push notifications");
  return keys;
}

/** The applicationServerKey to subscribe with. Public: anyone may read it. */
export async function getVapidKey(c: Ctx) {
  const keys = await requireVapid(c);
  return c.json({ publicKey: keys.publicKey } satisfies z.output<typeof vapidKeyResponse>);
}

/** A browser's P-256 key that WebCrypto cannot import would fail every push: refused up front. */
async function isP256Point(point: Uint8Array): Promise<boolean> {
  try {
    await crypto.subtle.importKey("raw", point, { name: "ECDH", namedCurve: "P-256" }, true, []);
    return true;
  } catch {
    return false;
  }
}

/** Stores the calling device's subscription, replacing its previous one. */
export async function putSubscription(c: Ctx) {
  await requireVapid(c);
  const session = c.var.session;
  const body = await readJson(c, pushSubscriptionRequest);
  const refused = endpointRefusal(body.endpoint, extraOrigins(c.env.PUSH_EXTRA_ORIGINS));
  if (refused) throw new BadRequest("push_endpoint_refused", refused);
  const p256dh = fromBase64url(body.keys.p256dh);
  if (!(await isP256Point(p256dh))) throw new BadRequest("invalid_body", "keys.p256dh: must be an uncompressed P-256 point");
  await c.var.stores.push.putSubscription({ deviceId: session.deviceId, accountId: session.accountId, endpoint: body.endpoint, p256dh, auth: fromBase64url(body.keys.auth), now: Date.now() });
  return c.body(null, 204);
}

/** Removes the calling device's subscription; idempotent. */
export async function deleteSubscription(c: Ctx) {
  await c.var.stores.push.deleteSubscription(c.var.session.accountId, c.var.session.deviceId);
  return c.body(null, 204);
}

/** Mutes or unmutes a conversation for every device of the caller's account; members only. */
export async function putMute(c: Ctx) {
  const conversation = await memberConversation(c);
  const { muted } = await readJson(c, pushMuteRequest);
  await c.var.stores.push.setMuted(c.var.session.accountId, conversation.id, muted);
  return c.body(null, 204);
}

export async function listMutes(c: Ctx) {
  const muted = await c.var.stores.push.listMuted(c.var.session.accountId, MAX_PUSH_MUTES);
  return c.json({ muted } satisfies z.output<typeof pushMutesResponse>);
}

/**
 * Web Push (docs/API.md "Push", issue 19). The server stores per device where to push and the browser's
 * public RFC 8291 keys, and per account which conversations are muted; what it pushes is ciphertext
 * (worker/push/message-push.ts).
 */
export const pushRoutes = new Hono<AppEnv>()
  .get("/push/vapid", getVapidKey)
  .put("/push/subscription", requireSession, putSubscription)
  .delete("/push/subscription", requireSession, deleteSubscription)
  .put("/push/mutes/:id", requireSession, putMute)
  .get("/push/mutes", requireSession, listMutes);
