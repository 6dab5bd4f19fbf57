import { Hono } from "hono";
import type { z } from "zod";
import { createConversationRequest, type conversationListResponse, type conversationResponse } from "../../protocol/api.js";
import { ConversationId, CONVERSATION_ID_BYTES } from "../../protocol/ids.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, NotFound } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { notifyAccounts } from "../realtime/notify.js";
import { memberConversation } from "./conversation-access.js";
import { conversationView, conversationViews } from "./conversation-view.js";

/** Opens the caller's direct conversation with a peer: 201 when it is new, 200 with the existing one. */
export async function openDirectConversation(c: Ctx) {
  const { peer } = await readJson(c, createConversationRequest);
  const me = c.var.session.accountId;
  if (peer === me) throw new BadRequest("invalid_body", "peer: cannot open a conversation with yourself");
  if (!(await c.var.stores.directory.findById(peer))) throw new NotFound("no such account");
  const newId = ConversationId.fromBytes(cryptoEnv.randomBytes(CONVERSATION_ID_BYTES));
  const { conversation, created } = await c.var.stores.conversations.openDirect({ newId, a: me, b: peer, now: Date.now() });
  if (created) c.executionCtx.waitUntil(notifyAccounts(c.env, conversation.members, { type: "conversation", conversationId: conversation.id }));
  return c.json({ conversation: await conversationView(c, conversation) } satisfies z.output<typeof conversationResponse>, created ? 201 : 200);
}

export async function listConversations(c: Ctx) {
  const conversations = await conversationViews(c, await c.var.stores.conversations.listFor(c.var.session.accountId));
  return c.json({ conversations } satisfies z.output<typeof conversationListResponse>);
}

export async function getConversation(c: Ctx) {
  return c.json({ conversation: await conversationView(c, await memberConversation(c)) } satisfies z.output<typeof conversationResponse>);
}

/** Direct conversations: one per pair of accounts, opened by either side. */
export const conversationRoutes = new Hono<AppEnv>()
  .post("/conversations", requireSession, openDirectConversation)
  .get("/conversations", requireSession, listConversations)
  .get("/conversations/:id", requireSession, getConversation);
