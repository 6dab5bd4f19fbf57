import { Hono } from "hono";
import { z } from "zod";
import { MAX_CHAT_SETTINGS_PAGE, putChatSettingsRequest, type chatSettingsListResponse, type putChatSettingsResponse, type staleChatSettingsBody } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeChatSettingsBlob } from "../../protocol/chat-settings.js";
import { requireSession } from "../auth/require-session.js";
import { describeIssues } from "../describe-issues.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { notifyOtherDevices } from "../realtime/notify.js";
import { memberConversation } from "./conversation-access.js";
import { decimalCount } from "./message-page-query.js";

/**
 * Chat settings (docs/API.md "Chat settings", docs/PROTOCOL.md "Chat settings"): what the caller's account
 * set for a conversation on its chat list, sealed by its devices under a key from the account history
 * key. The server learns that the account changed some setting of that chat, and when; never which or to
 * what. It reads only the clear header: a revision not above the stored one is refused (409, with the
 * stored revision), so an older write arriving late never replaces a newer one.
 */
export async function storeChatSettings(c: Ctx) {
  const conversation = await memberConversation(c);
  const session = c.var.session;
  const bytes = fromBase64url((await readJson(c, putChatSettingsRequest)).sealed);
  const { revision } = await decodeOr("invalid_chat_settings", () => decodeChatSettingsBlob(bytes));
  const put = await c.var.stores.chatSettings.put({ accountId: session.accountId, conversationId: conversation.id, sealed: bytes, revision, now: Date.now() });
  if (!put.stored) {
    const body: z.input<typeof staleChatSettingsBody> = {
      error: { code: "stale_chat_settings", message: `revision ${revision} is not above the stored revision ${put.revision}` },
      revision: put.revision,
    };
    return c.json(body, 409);
  }
  c.executionCtx.waitUntil(notifyOtherDevices(c.env, session.accountId, session.deviceId, { type: "chat-settings", version: put.version }));
  return c.json({ version: put.version, revision } satisfies z.output<typeof putChatSettingsResponse>);
}

/** GET /api/me/chat-settings?after=V: after defaults to 0 (everything). */
const chatSettingsQuery = z.strictObject({ after: decimalCount.default(0) });

export async function listChatSettings(c: Ctx) {
  const parsed = chatSettingsQuery.safeParse(c.req.query());
  if (!parsed.success) throw new BadRequest("invalid_query", describeIssues(parsed.error.issues));
  const page = await c.var.stores.chatSettings.listSince(c.var.session.accountId, parsed.data.after, MAX_CHAT_SETTINGS_PAGE);
  const settings = page.settings.map((s) => ({ conversationId: s.conversationId, sealed: toBase64url(s.sealed), version: s.version }));
  return c.json({ settings, more: page.more } satisfies z.output<typeof chatSettingsListResponse>);
}

export const chatSettingsRoutes = new Hono<AppEnv>().put("/me/chat-settings/:id", requireSession, storeChatSettings).get("/me/chat-settings", requireSession, listChatSettings);
