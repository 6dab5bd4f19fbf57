import type { Conversation } from "../../../protocol/api.js";
import type { AccountId, ConversationId } from "../../../protocol/index.js";
import { assertSendable, ensureContactById } from "./contacts.js";
import type { ClientContext } from "./context.js";
import { getAccount, getContact, getConversation, putConversation } from "./db.js";
import { ClientError } from "./errors.js";
import type { ConversationRow } from "./rows.js";

/** Stores or updates a conversation the server listed; only direct chats that include this account. */
async function storeConversation(ctx: ClientContext, c: Conversation): Promise<ConversationRow> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  if (c.kind !== "direct") throw new ClientError("unknown_conversation", "group conversations are not supported on this device yet");
  if (!c.members.includes(account.accountId)) throw new ClientError("unknown_conversation", "the server listed a conversation this account is not in");
  const peer = c.members.find((m) => m !== account.accountId);
  if (!peer) throw new ClientError("unknown_conversation", "a direct conversation needs another member");
  const existing = await getConversation(ctx.db, c.id);
  if (existing) {
    if (existing.peer !== peer) throw new ClientError("unknown_conversation", "the server changed a conversation's members");
    if (c.lastSeq <= existing.lastSeq) return existing;
    const row = { ...existing, lastSeq: c.lastSeq };
    await putConversation(ctx.db, row);
    return row;
  }
  const row: ConversationRow = { id: c.id, peer, createdAt: c.createdAt, lastSeq: c.lastSeq, updatedAt: c.createdAt, rejected: 0 };
  await putConversation(ctx.db, row);
  return row;
}

/** Opens (or finds) the direct conversation with a verified contact. */
export async function startConversation(ctx: ClientContext, peer: AccountId): Promise<ConversationRow> {
  const contact = await getContact(ctx.db, peer);
  if (!contact) throw new ClientError("unknown_contact", "add the contact first");
  assertSendable(contact);
  const res = await ctx.api.createConversation(peer);
  return storeConversation(ctx, res.conversation);
}

/**
 * Syncs the conversation list. A conversation with someone not yet known adds them as a contact on
 * first sight; one whose peer cannot be verified is skipped (and retried next time).
 */
export async function syncConversations(ctx: ClientContext): Promise<ConversationRow[]> {
  const res = await ctx.api.conversations();
  const out: ConversationRow[] = [];
  for (const c of res.conversations) {
    // Groups need the membership log, which this client version does not replay yet: leave them out.
    if (c.kind !== "direct") continue;
    const account = await getAccount(ctx.db);
    const peer = c.members.find((m) => m !== account?.accountId);
    try {
      if (peer) await ensureContactById(ctx, peer);
      out.push(await storeConversation(ctx, c));
    } catch (e) {
      console.warn(`skipping conversation ${c.id}:`, e);
    }
  }
  return out;
}

export async function requireConversation(ctx: ClientContext, id: ConversationId): Promise<ConversationRow> {
  const conv = await getConversation(ctx.db, id);
  if (!conv) throw new ClientError("unknown_conversation", "no such conversation on this device");
  return conv;
}
