import { Hono } from "hono";
import type { z } from "zod";
import { createConversationRequest, type conversationListResponse, type conversationResponse } from "../../protocol/api.js";
import { ConversationId, CONVERSATION_ID_BYTES } from "../../protocol/ids.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import { findAccount } from "../db/accounts.js";
import { listConversations, openDirectConversation } from "../db/conversations.js";
import type { AppEnv } from "../env.js";
import { BadRequest, NotFound } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { notifyAccounts } from "../realtime/notify.js";
import { memberConversation } from "./conversation-access.js";

/** Direct conversations: one per pair of accounts, opened by either side. */
export const conversationRoutes = new Hono<AppEnv>()
  .post("/conversations", requireSession, async (c) => {
    const { peer } = await readJson(c, createConversationRequest);
    const me = c.var.session.accountId;
    if (peer === me) throw new BadRequest("invalid_body", "peer: cannot open a conversation with yourself");
    if (!(await findAccount(c.env.DB, peer))) throw new NotFound("no such account");
    const newId = ConversationId.fromBytes(cryptoEnv.randomBytes(CONVERSATION_ID_BYTES));
    const { conversation, created } = await openDirectConversation(c.env.DB, { newId, a: me, b: peer, now: Date.now() });
    if (created) c.executionCtx.waitUntil(notifyAccounts(c.env, conversation.members, { type: "conversation", conversationId: conversation.id }));
    return c.json({ conversation } satisfies z.output<typeof conversationResponse>, created ? 201 : 200);
  })
  .get("/conversations", requireSession, async (c) => {
    const conversations = await listConversations(c.env.DB, c.var.session.accountId);
    return c.json({ conversations } satisfies z.output<typeof conversationListResponse>);
  })
  .get("/conversations/:id", requireSession, async (c) => {
    return c.json({ conversation: await memberConversation(c) } satisfies z.output<typeof conversationResponse>);
  });
