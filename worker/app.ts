import { Hono } from "hono";
import type { AppEnv } from "./env.js";
import { apiHeaders } from "./http/api-headers.js";
import { bodyLimits } from "./http/body-limits.js";
import { drainBody } from "./http/drain-body.js";
import { errorJson, errorResponse } from "./http/error-response.js";
import { originCheck } from "./http/origin-check.js";
import { securityHeaders } from "./http/security-headers.js";
import { stores } from "./http/stores.js";
import { accountRoutes } from "./routes/accounts.js";
import { attachmentBlobRoutes } from "./routes/attachment-blobs.js";
import { attachmentUploadRoutes } from "./routes/attachment-uploads.js";
import { conversationRoutes } from "./routes/conversations.js";
import { deviceLogRoutes } from "./routes/device-log.js";
import { deviceRoutes } from "./routes/devices.js";
import { groupRoutes } from "./routes/groups.js";
import { groupMetaRoutes } from "./routes/group-meta.js";
import { historyShareRoutes } from "./routes/history-shares.js";
import { directoryRoutes } from "./routes/directory.js";
import { epochRoutes } from "./routes/epochs.js";
import { healthRoutes } from "./routes/health.js";
import { linkFrameRoutes } from "./routes/link-frames.js";
import { linkRoutes } from "./routes/links.js";
import { messageRoutes } from "./routes/messages.js";
import { profileRoutes } from "./routes/profiles.js";
import { pushRoutes } from "./routes/push.js";
import { readStateRoutes } from "./routes/read-state.js";
import { chatSettingsRoutes } from "./routes/chat-settings.js";
import { realtimeRoutes } from "./routes/realtime.js";
import { recoveryRoutes } from "./routes/recovery.js";
import { sessionRoutes } from "./routes/session.js";
import { shareFallbackRoutes } from "./routes/share-fallback.js";

/**
 * The HTTP API (docs/API.md). Order matters: headers wrap everything (security headers on every answer,
 * 404s included), an unread body is drained after the answer, the origin check runs before any body is
 * read, and body limits before any route parses one.
 * Every /api request gets its stores (worker/storage) made once, before any route runs.
 */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use("*", securityHeaders);
  app.use("/api/*", drainBody, apiHeaders, originCheck, bodyLimits, stores);
  app.route("/api", healthRoutes);
  app.route("/api", accountRoutes);
  app.route("/api", sessionRoutes);
  app.route("/api", directoryRoutes);
  app.route("/api", deviceLogRoutes);
  app.route("/api", deviceRoutes);
  app.route("/api", linkRoutes);
  app.route("/api", linkFrameRoutes);
  app.route("/api", conversationRoutes);
  app.route("/api", groupRoutes);
  app.route("/api", historyShareRoutes);
  app.route("/api", groupMetaRoutes);
  app.route("/api", epochRoutes);
  app.route("/api", messageRoutes);
  app.route("/api", attachmentUploadRoutes);
  app.route("/api", attachmentBlobRoutes);
  app.route("/api", readStateRoutes);
  app.route("/api", chatSettingsRoutes);
  app.route("/api", profileRoutes);
  app.route("/api", realtimeRoutes);
  app.route("/api", pushRoutes);
  app.route("/api", recoveryRoutes);
  app.route("/", shareFallbackRoutes);
  app.notFound((c) => c.json(errorJson("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));
  app.onError(errorResponse);
  return app;
}
