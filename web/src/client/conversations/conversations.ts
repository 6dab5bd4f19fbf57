/**
 * conversations/: conversations and what is sent in them. conversations.ts: the list as synced from the
 * server; epochs.ts: epoch keys (opening bundles, making the epoch to send under), with archive.ts for
 * bundles made before this device existed; messages.ts: sealing and queueing one's own messages, each
 * send working from a SendContext loaded once. Receiving lives in sync/.
 */
import type { Conversation } from "../../../../protocol/api.js";
import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { assertSendable, ensureContactById } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { getAccount, getContact, getConversation, getGroup, listConversations, putConversation } from "../store/db.js";
import { ClientError } from "../errors.js";
import { readGroupMeta } from "../groups/read-group-meta.js";
import { syncMembership } from "../groups/membership.js";
import type { ConversationRow, DirectConversationRow } from "../store/rows.js";

/** The fields every listing refreshes: the server's sequence number moves forward only. */
async function upsert(ctx: ClientContext, c: Conversation, fresh: ConversationRow): Promise<ConversationRow> {
  const existing = await getConversation(ctx.db, c.id);
  if (existing) {
    if (existing.kind !== fresh.kind || (existing.kind === "direct" && fresh.kind === "direct" && existing.peer !== fresh.peer)) {
      throw new ClientError("unknown_conversation", "the server changed a conversation's members");
    }
    if (c.lastSeq <= existing.lastSeq) return existing;
    const row = { ...existing, lastSeq: c.lastSeq };
    await putConversation(ctx.db, row);
    return row;
  }
  await putConversation(ctx.db, fresh);
  return fresh;
}

/** Stores or updates a conversation the server listed, which must include this account. */
async function storeConversation(ctx: ClientContext, c: Conversation): Promise<ConversationRow> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  if (!c.members.includes(account.accountId)) throw new ClientError("unknown_conversation", "the server listed a conversation this account is not in");
  // readUpTo 0: all of a chat new to this device is unread until this account's own messages and read
  // marks (replayed with the history) say how far it read (views/unread.ts).
  const common = { id: c.id, createdAt: c.createdAt, lastSeq: c.lastSeq, updatedAt: c.createdAt, rejected: 0, readUpTo: 0 };
  if (c.kind === "group") {
    // The member list comes from the verified membership log, never from the server's listing.
    await syncMembership(ctx, c.id);
    const row = await upsert(ctx, c, { kind: "group", ...common });
    if (c.meta) await readGroupMeta(ctx, row, c.meta).catch((e: unknown) => console.warn(`could not read the name of group ${c.id}:`, e));
    return row;
  }
  const peer = c.members.find((m) => m !== account.accountId);
  if (!peer) throw new ClientError("unknown_conversation", "a direct conversation needs another member");
  await ensureContactById(ctx, peer);
  return upsert(ctx, c, { kind: "direct", peer, ...common });
}

/** Opens (or finds) the direct conversation with a verified contact. */
export async function startConversation(ctx: ClientContext, peer: AccountId): Promise<ConversationRow> {
  const contact = await getContact(ctx.db, peer);
  if (!contact) throw new ClientError("unknown_contact", "add the contact first");
  assertSendable(contact);
  const res = await ctx.api.createConversation(peer);
  return storeConversation(ctx, res.conversation);
}

/** Stores a conversation the server just returned (a group this device created). */
export function storeCreated(ctx: ClientContext, c: Conversation): Promise<ConversationRow> {
  return storeConversation(ctx, c);
}

/**
 * Syncs the conversation list. A conversation with someone not yet known adds them as a contact on
 * first sight; one that cannot be verified is skipped (and retried next time). A group this account is
 * no longer listed in (removed, or left on another device) is checked with the server.
 */
export async function syncConversations(ctx: ClientContext): Promise<ConversationRow[]> {
  const res = await ctx.api.conversations();
  const out: ConversationRow[] = [];
  for (const c of res.conversations) {
    try {
      out.push(await storeConversation(ctx, c));
    } catch (e) {
      console.warn(`skipping conversation ${c.id}:`, e);
    }
  }
  const listed = new Set(res.conversations.map((c) => c.id));
  for (const row of await listConversations(ctx.db)) {
    if (row.kind !== "group" || listed.has(row.id)) continue;
    const g = await getGroup(ctx.db, row.id);
    if (g && g.refusedAt === undefined) await syncMembership(ctx, row.id).catch((e: unknown) => console.warn(`could not check group ${row.id}:`, e));
  }
  return out;
}

export async function requireConversation(ctx: ClientContext, id: ConversationId): Promise<ConversationRow> {
  const conv = await getConversation(ctx.db, id);
  if (!conv) throw new ClientError("unknown_conversation", "no such conversation on this device");
  return conv;
}

/** A 1:1 conversation, or a typed error for a group. */
export async function requireDirect(ctx: ClientContext, id: ConversationId): Promise<DirectConversationRow> {
  const conv = await requireConversation(ctx, id);
  if (conv.kind !== "direct") throw new ClientError("unknown_conversation", "this is a group, not a 1:1 chat");
  return conv;
}
