import { Hono, type MiddlewareHandler } from "hono";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { UpgradeRequired } from "../errors.js";
import { requireOwnOrigin } from "../http/origin-check.js";
import { HUB_ACCOUNT_HEADER, HUB_DEVICE_HEADER } from "../realtime/account-hub.js";
import { accountHub } from "../realtime/notify.js";

/** Only a WebSocket handshake is served here; a plain GET learns nothing else (no session lookup). */
const requireWebSocketUpgrade: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") throw new UpgradeRequired("GET /api/realtime is a WebSocket endpoint", "websocket");
  await next();
};

/**
 * Browsers send Origin on every WebSocket handshake, and WebSockets are not bound by the same-origin
 * policy: without this check another site's page could open a socket with the user's cookie wherever
 * SameSite is not honoured (cross-site WebSocket hijacking).
 */
const requireOwnOriginOnUpgrade: MiddlewareHandler<AppEnv> = async (c, next) => {
  requireOwnOrigin(c);
  await next();
};

/**
 * GET /api/realtime: the device's one socket for pushes from every conversation of its account. The
 * worker authenticates; the account's hub (a Durable Object) holds the socket, tagged with the device.
 * The hub gets a request built here, not the client's, so no cookie reaches it and the account and
 * device headers cannot be supplied by the client.
 */
export function connectRealtime(c: Ctx) {
  const { accountId, deviceId } = c.var.session;
  return accountHub(c.env, accountId).fetch("https://account-hub/connect", {
    headers: { Upgrade: "websocket", [HUB_DEVICE_HEADER]: deviceId, [HUB_ACCOUNT_HEADER]: accountId },
  });
}

export const realtimeRoutes = new Hono<AppEnv>().get("/realtime", requireWebSocketUpgrade, requireOwnOriginOnUpgrade, requireSession, connectRealtime);
