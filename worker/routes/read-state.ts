import { Hono } from "hono";
import { z } from "zod";
import { MAX_READ_STATE_PAGE, putReadStateRequest, type putReadStateResponse, type readStateListResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeReadState } from "../../protocol/read-state.js";
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
 * Read state (docs/API.md "Read state", docs/PROTOCOL.md "Read state"): how far the caller's account has
 * read a conversation, sealed by its devices under a key from the account history key. The server learns
 * that the account read something in that conversation, and when; never what or up to where. It checks
 * only the blob's size and version; the newest write replaces the stored one (a device never lowers what
 * it has read from a blob, so an old blob written late costs nothing).
 */
export async function storeReadState(c: Ctx) {
  const conversation = await memberConversation(c);
  const session = c.var.session;
  const bytes = fromBase64url((await readJson(c, putReadStateRequest)).sealed);
  await decodeOr("invalid_read_state", () => decodeReadState(bytes));
  const version = await c.var.stores.readState.put({ accountId: session.accountId, conversationId: conversation.id, sealed: bytes, now: Date.now() });
  c.executionCtx.waitUntil(notifyOtherDevices(c.env, session.accountId, session.deviceId, { type: "read-state", version }));
  return c.json({ version } satisfies z.output<typeof putReadStateResponse>);
}

/** GET /api/me/read-state?after=V: after defaults to 0 (everything). */
const readStateQuery = z.strictObject({ after: decimalCount.default(0) });

export async function listReadState(c: Ctx) {
  const parsed = readStateQuery.safeParse(c.req.query());
  if (!parsed.success) throw new BadRequest("invalid_query", describeIssues(parsed.error.issues));
  const page = await c.var.stores.readState.listSince(c.var.session.accountId, parsed.data.after, MAX_READ_STATE_PAGE);
  const states = page.states.map((s) => ({ conversationId: s.conversationId, sealed: toBase64url(s.sealed), version: s.version }));
  return c.json({ states, more: page.more } satisfies z.output<typeof readStateListResponse>);
}

export const readStateRoutes = new Hono<AppEnv>().put("/me/read-state/:id", requireSession, storeReadState).get("/me/read-state", requireSession, listReadState);
