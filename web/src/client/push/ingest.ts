import type { PushPayload } from "../../../../protocol/push.js";
import { getProfileRow } from "../profiles/profile-store.js";
import { ContentKind, type ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { syncConversations } from "../conversations/conversations.js";
import { logIn } from "../identity/account.js";
import { getAccount, getContact, getConversation, getMessage } from "../store/db.js";
import { messageRow, parseRow, type ConversationRow, type MessageRow } from "../store/rows.js";
import { pullMessages, receivePushed } from "../sync/receive.js";
import { isApiError } from "../transport/api.js";
import { attachmentSummary, attachmentView } from "../views/attachment-view.js";
import type { Arrival } from "./notification-text.js";

/**
 * What the service worker does with a push (issue 19): the message goes through the app's own receive
 * path (sync/receive.ts: the same decode, signature, epoch, membership, chain and replay checks, under
 * the same Web Locks as the tabs), so it is also stored for the app. A `hint` is fetched by cursor. Then
 * what was stored at that position, and only that, says what the notification may show: a message that
 * failed the checks has no row, so no text can come from it.
 */

/** The conversation as stored, listing the account's conversations once if it is new. */
async function conversation(ctx: ClientContext, id: ConversationId): Promise<ConversationRow | undefined> {
  const known = await getConversation(ctx.db, id);
  if (known) return known;
  await syncConversations(ctx);
  return getConversation(ctx.db, id);
}

/** Runs `fn`, logging in once again if the session expired (the service worker has the page's cookie jar). */
async function withSession<T>(ctx: ClientContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(isApiError(e) && e.status === 401)) throw e;
    await logIn(ctx);
    return fn();
  }
}

async function rowAt(ctx: ClientContext, id: ConversationId, seq: number): Promise<MessageRow | undefined> {
  const raw = await ctx.db.messages.where("[conversationId+seq]").equals([id, seq]).first();
  return raw === undefined ? undefined : parseRow(messageRow, "messages", raw);
}

/** What a notification calls the sender: the checked display name of their profile, else their username. */
async function nameOf(ctx: ClientContext, accountId: string): Promise<string> {
  const id = accountId as MessageRow["senderAccountId"];
  const profile = await getProfileRow(ctx.db, id);
  if (profile?.name !== undefined && profile.openedDigest) return profile.name;
  return (await getContact(ctx.db, id))?.username ?? "Someone";
}

/** What a stored row is worth a notification for (see Arrival). */
export async function arrivalOf(ctx: ClientContext, row: MessageRow | undefined, me: string): Promise<Arrival> {
  if (!row) return { kind: "unreadable" };
  if (row.senderAccountId === me || row.deletedAt !== undefined || row.superseded) return { kind: "nothing" };
  const sender = await nameOf(ctx, row.senderAccountId);
  switch (row.kindNumber) {
    case undefined:
    case ContentKind.reply:
      // A mention of this account as the message arrived (an edit that adds one later does not alert).
      return { kind: row.mentions?.some((m) => m.accountId === me) ? "mention" : "message", sender, text: row.text };
    case ContentKind.attachment:
      return row.attachment ? { kind: "message", sender, text: attachmentSummary(attachmentView(row.attachment, row.conversationId)) } : { kind: "unreadable" };
    case ContentKind.reaction: {
      if (!row.ref || !row.emoji) return { kind: "nothing" };
      const target = await getMessage(ctx.db, row.conversationId, row.ref.clientMessageId);
      if (!target || target.senderAccountId !== me || target.senderDeviceId !== row.ref.deviceId || target.deletedAt !== undefined) return { kind: "nothing" };
      const text = target.attachment ? attachmentSummary(attachmentView(target.attachment, target.conversationId)) : target.text;
      return { kind: "reaction", sender, emoji: row.emoji, target: text };
    }
    case ContentKind.edit:
    case ContentKind.delete:
    case ContentKind.receipt:
    case ContentKind.profile:
      return { kind: "nothing" };
    default:
      // A kind newer than this version: a message all the same, whose content this version cannot show.
      return { kind: "unreadable" };
  }
}

/** The outcome of one push: the chat (undefined when it is not one of this account's) and what arrived. */
export interface Ingested {
  readonly conversation: ConversationRow | undefined;
  readonly arrival: Arrival;
}

/**
 * Stores what the push carries or points to and says what arrived. Failing to fetch (offline, server
 * down) is not an error: the push is then "unreadable", the app catches up when it next syncs.
 */
export async function ingestPush(ctx: ClientContext, p: PushPayload): Promise<Ingested> {
  const account = await getAccount(ctx.db);
  if (!account) return { conversation: undefined, arrival: { kind: "unreadable" } };
  let conv: ConversationRow | undefined;
  try {
    conv = await withSession(ctx, () => conversation(ctx, p.conversationId));
    if (!conv) return { conversation: undefined, arrival: { kind: "unreadable" } };
    const c = conv;
    if (p.type === "message") await withSession(ctx, () => receivePushed(ctx, c, { seq: p.seq, envelope: p.envelope, receivedAt: p.receivedAt }));
    else await withSession(ctx, () => pullMessages(ctx, c.id));
  } catch (e) {
    console.warn("push: could not store the message:", e);
  }
  const stored = conv ? await rowAt(ctx, conv.id, p.seq) : undefined;
  return { conversation: conv, arrival: await arrivalOf(ctx, stored, account.accountId) };
}
