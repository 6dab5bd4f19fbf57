import { Hono } from "hono";
import type { z } from "zod";
import type { historySharesResponse } from "../../protocol/api.js";
import { bytesEqual, fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeHistoryShare } from "../../protocol/history-share.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, NotFound } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import type { ConversationStore, NewHistoryShare } from "../storage/conversation-store.js";
import { memberConversation } from "./conversation-access.js";

/**
 * History shares (docs/API.md "Groups", docs/PROTOCOL.md "History share"). The server cannot open a share
 * and need not: a client accepts its key only by the original bundle's commitment. What the server checks
 * keeps its store honest: each share is for this group, addressed to the account being added, and cites
 * an epoch the group has under that key id, at most once per epoch.
 */
export async function checkHistoryShares(
  conversations: ConversationStore,
  p: { conversationId: ConversationId; addedAccount: AccountId; shares: readonly string[] },
): Promise<NewHistoryShare[]> {
  const keyIds = await conversations.listEpochKeyIds(p.conversationId);
  const seen = new Set<number>();
  const out: NewHistoryShare[] = [];
  for (const [i, text] of p.shares.entries()) {
    const bytes = fromBase64url(text);
    const s = await decodeOr("invalid_history_share", () => decodeHistoryShare(bytes));
    const refuse = (why: string) => new BadRequest("invalid_history_share", `history share ${i}: ${why}`);
    if (s.conversationId !== p.conversationId) throw refuse("it is for another conversation");
    if (s.wrap.accountId !== p.addedAccount) throw refuse("it is not addressed to the account this entry adds");
    if (seen.has(s.epoch)) throw refuse(`epoch ${s.epoch} has a share already`);
    seen.add(s.epoch);
    const keyId = keyIds.get(s.epoch);
    if (!keyId) throw refuse(`the group has no epoch ${s.epoch}`);
    if (!bytesEqual(keyId, s.keyId)) throw refuse(`its key id is not epoch ${s.epoch}'s`);
    out.push({ epoch: s.epoch, share: bytes });
  }
  return out;
}

/** The caller's history shares in a group. */
export async function fetchHistoryShares(c: Ctx) {
  const conversation = await memberConversation(c);
  if (conversation.kind !== "group") throw new NotFound("a direct conversation has no history shares");
  const shares = await c.var.stores.conversations.readHistoryShares(conversation.id, c.var.session.accountId);
  return c.json({ shares: shares.map(toBase64url) } satisfies z.output<typeof historySharesResponse>);
}

export const historyShareRoutes = new Hono<AppEnv>().get("/conversations/:id/history-shares", requireSession, fetchHistoryShares);
