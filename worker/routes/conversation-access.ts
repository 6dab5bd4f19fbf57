import type { Ctx } from "../env.js";
import { Forbidden, NotFound } from "../errors.js";
import { conversationIdParam } from "../http/path-params.js";
import type { ConversationRecord } from "../storage/conversation-store.js";

/**
 * The conversation named by the path, if the caller is a member: 404 if it does not exist, 403 if it
 * does and the caller is not in it. Checked before any body is read, so non-members learn nothing more.
 */
export async function memberConversation(c: Ctx): Promise<ConversationRecord> {
  const conversation = await c.var.stores.conversations.find(conversationIdParam(c));
  if (!conversation) throw new NotFound("no such conversation");
  if (!conversation.members.includes(c.var.session.accountId)) throw new Forbidden("not_member", "you are not a member of this conversation");
  return conversation;
}
