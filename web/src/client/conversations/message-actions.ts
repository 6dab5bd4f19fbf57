import { ContentKind, isProtocolError, type ConversationId, type Mention, type MessageRef } from "../../../../protocol/index.js";
import { checkReactionEmoji } from "../../../../protocol/reaction-emoji.js";
import type { ClientContext } from "../context.js";
import { ClientError } from "../errors.js";
import { getAccount, getMessage } from "../store/db.js";
import type { MessageRow } from "../store/rows.js";
import { applyQueued } from "../sync/apply-content.js";
import { isShownKind } from "./content-rows.js";
import { queueContent } from "./messages.js";

/**
 * Replying to, reacting to, editing and deleting a message, as this device's user does it. Each checks
 * what every receiver will check again (conversations/content-rules.ts) first, so the user hears "you can
 * only edit your own messages" instead of sending something everyone refuses; then it is sealed and
 * queued like a text (offline too, sent once). The caller flushes the outbox.
 */

/** The message `to` names, as this device holds it, if it can be acted on at all. */
async function targetOf(ctx: ClientContext, conversationId: ConversationId, to: MessageRef): Promise<MessageRow> {
  const t = await getMessage(ctx.db, conversationId, to.clientMessageId);
  if (!t || t.senderDeviceId !== to.deviceId || !isShownKind(t.kindNumber)) throw new ClientError("unknown_message", "no such message in this chat");
  // A failed message never reached anyone: nothing may refer to it.
  if (t.status === "failed") throw new ClientError("message_not_sent", "this message was not sent");
  if (t.deletedAt !== undefined) throw new ClientError("message_deleted", "this message was deleted");
  return t;
}

async function ownTarget(ctx: ClientContext, conversationId: ConversationId, to: MessageRef): Promise<MessageRow> {
  const t = await targetOf(ctx, conversationId, to);
  if (t.senderAccountId !== (await getAccount(ctx.db))?.accountId) throw new ClientError("not_author", "only the author can change a message");
  return t;
}

export async function queueReply(ctx: ClientContext, conversationId: ConversationId, to: MessageRef, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
  await targetOf(ctx, conversationId, to);
  return queueContent(ctx, conversationId, { kind: "reply", to, text, ...(mentions?.length ? { mentions } : {}) });
}

/** Sets this account's reaction to `emoji` (replacing any earlier one), or removes it with null. */
export async function queueReaction(ctx: ClientContext, conversationId: ConversationId, to: MessageRef, emoji: string | null): Promise<MessageRow> {
  await targetOf(ctx, conversationId, to);
  if (emoji !== null) {
    try {
      checkReactionEmoji(emoji);
    } catch (e) {
      if (isProtocolError(e)) throw new ClientError("invalid_reaction", "a reaction is one emoji", { cause: e });
      throw e;
    }
  }
  return queueContent(ctx, conversationId, { kind: "reaction", to, emoji });
}

export async function queueEdit(ctx: ClientContext, conversationId: ConversationId, to: MessageRef, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
  const t = await ownTarget(ctx, conversationId, to);
  if (t.kindNumber !== undefined && t.kindNumber !== ContentKind.reply) throw new ClientError("not_editable", "only text can be edited");
  return queueContent(ctx, conversationId, { kind: "edit", to, text, ...(mentions?.length ? { mentions } : {}) });
}

/**
 * Deletes one's own message for everyone: the delete is queued, and on this device the text, its edits'
 * texts and their stored envelopes go at once (sync/apply-content.ts); an attachment's blob is deleted on
 * the server when the delete is posted (sync/outbox.ts). Only a message the server holds
 * (sent): a pending one still has to reach the others before a delete can name it, and its sealed copy
 * is needed until then.
 */
export async function queueDelete(ctx: ClientContext, conversationId: ConversationId, to: MessageRef): Promise<MessageRow> {
  const t = await ownTarget(ctx, conversationId, to);
  if (t.status !== "sent") throw new ClientError("message_not_sent", "wait until the message is sent");
  // An own attachment's blob is deleted on the server too, by the outbox just before it posts the delete.
  const blob = t.attachment?.id;
  const row = await queueContent(ctx, conversationId, { kind: "delete", to }, blob ? { extra: { deletesAttachment: blob } } : {});
  await applyQueued(ctx.db, row, ctx.now());
  return row;
}
