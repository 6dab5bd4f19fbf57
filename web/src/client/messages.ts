import { ClientMessageId, HASH_BYTES, MAX_TEXT_BYTES, sealEnvelope, utf8, type ConversationId } from "../../../protocol/index.js";
import { assertSendable } from "./contacts.js";
import type { ClientContext } from "./context.js";
import { getAccount, getContact, getDevice, getMessage, getSendChain, listMessages, putConversation, putMessage } from "./db.js";
import { currentEpoch } from "./epochs.js";
import { ClientError } from "./errors.js";
import { withLock } from "./lock.js";
import { stateOf } from "./logs.js";
import { requireConversation } from "./conversations.js";
import type { MessageRow } from "./rows.js";

/**
 * Sending. A message is sealed at once and stored as pending with its envelope (the outbox), then posted
 * in counter order; the server deduplicates by client message id, so a retry after a lost response
 * never doubles a message.
 */

/** Seals a text message and stores it as pending. Posting happens in `flushOutbox`. */
export async function queueText(ctx: ClientContext, conversationId: ConversationId, text: string): Promise<MessageRow> {
  if (text.trim() === "") throw new ClientError("message_empty", "message is empty");
  if (utf8(text).length > MAX_TEXT_BYTES) throw new ClientError("message_too_long", `message text must be at most ${MAX_TEXT_BYTES} bytes of UTF-8`);
  return withLock(`send:${conversationId}`, async () => {
    const conv = await requireConversation(ctx, conversationId);
    const contact = await getContact(ctx.db, conv.peer);
    if (!contact) throw new ClientError("unknown_contact", "no verified contact for this conversation");
    assertSendable(contact);
    const account = await getAccount(ctx.db);
    const device = await getDevice(ctx.db);
    if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");

    const epoch = await currentEpoch(ctx, conv);
    const mine = await stateOf(ctx, account.accountId);
    const chain = await getSendChain(ctx.db, conversationId);
    const counter = (chain?.counter ?? 0) + 1;
    const clientMessageId = ClientMessageId.fromBytes(ctx.env.randomBytes(16));
    const sentAt = ctx.now();
    const sealed = await sealEnvelope(ctx.env, {
      header: {
        conversationId,
        epoch: epoch.epoch,
        keyId: epoch.keyId,
        senderAccountId: account.accountId,
        senderDeviceId: device.deviceId,
        senderLogSeq: mine.head.seq,
        senderLogHead: mine.head.hash,
        counter,
        prevHash: chain && chain.counter > 0 ? chain.hash : new Uint8Array(HASH_BYTES),
        clientMessageId,
      },
      ck: epoch.ck,
      signingKey: device.signingKey,
      body: { kind: "text", text, sentAt },
    });
    const row: MessageRow = {
      conversationId,
      clientMessageId,
      senderAccountId: account.accountId,
      senderDeviceId: device.deviceId,
      counter,
      text,
      sentAt,
      status: "pending",
      envelope: sealed.bytes,
    };
    await ctx.db.transaction("rw", [ctx.db.messages, ctx.db.sendChains, ctx.db.conversations], async () => {
      await putMessage(ctx.db, row);
      await ctx.db.sendChains.put({ conversationId, counter, hash: sealed.hash });
      await putConversation(ctx.db, { ...conv, updatedAt: Math.max(conv.updatedAt, sentAt) });
    });
    return row;
  });
}

/**
 * Posts this device's pending messages of one conversation, oldest counter first, stopping at the first
 * failure so the server never sees a later link of the chain before an earlier one.
 */
export async function flushOutbox(ctx: ClientContext, conversationId: ConversationId): Promise<number> {
  return withLock(`outbox:${conversationId}`, async () => {
    const device = await getDevice(ctx.db);
    if (!device) return 0;
    const pending = (await listMessages(ctx.db, conversationId)).filter((m) => m.status === "pending" && m.senderDeviceId === device.deviceId).sort((a, b) => a.counter - b.counter);
    let sent = 0;
    for (const m of pending) {
      if (!m.envelope) continue;
      const res = await ctx.api.postMessage(conversationId, m.envelope);
      await ctx.db.transaction("rw", ctx.db.messages, async () => {
        const cur = await getMessage(ctx.db, conversationId, m.clientMessageId);
        if (cur?.status === "pending") await putMessage(ctx.db, { ...cur, status: "sent", seq: res.seq, envelope: undefined });
      });
      sent++;
    }
    return sent;
  });
}

/** Conversations holding messages this device has not posted yet. */
export async function conversationsWithPending(ctx: ClientContext): Promise<ConversationId[]> {
  const rows = await ctx.db.messages.filter((m) => m.status === "pending").toArray();
  return [...new Set(rows.map((r) => r.conversationId))];
}
