import { ClientMessageId, HASH_BYTES, MAX_TEXT_BYTES, sealEnvelope, utf8, type AccountId, type ConversationId } from "../../../../protocol/index.js";
import { assertSendable } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { requireConversation } from "./conversations.js";
import { getAccount, getContact, getDevice, getMessage, getSendChain, putConversation, putMessage } from "../store/db.js";
import { currentEpoch } from "./epochs.js";
import { ClientError } from "../errors.js";
import { withLock } from "../store/lock.js";
import { stateOfLog } from "../identity/logs.js";
import { assertOwnLogTrusted } from "../identity/own-log.js";
import type { AccountRow, ContactRow, ConversationRow, DeviceRow, MessageRow, SendChainRow } from "../store/rows.js";

/**
 * Writing messages. A message is sealed at once and stored as pending with its envelope (the outbox,
 * posted by outbox.ts). Sealing needs no network when the conversation's epoch key is already stored,
 * so messages written offline are encrypted immediately.
 */

function checkText(text: string): void {
  if (text.trim() === "") throw new ClientError("message_empty", "message is empty");
  if (utf8(text).length > MAX_TEXT_BYTES) throw new ClientError("message_too_long", `message text must be at most ${MAX_TEXT_BYTES} bytes of UTF-8`);
}

/**
 * What one send works from, loaded once at its start and passed down as a value (the ts-mls way: state
 * in, new state out): currentEpoch and the sealing take these rows from here instead of reading them
 * again, and the results are written once, at the end.
 */
interface SendContext {
  readonly conv: ConversationRow;
  readonly account: AccountRow;
  readonly device: DeviceRow;
  /** A direct chat's peer, checked sendable; a group's members are checked by currentEpoch. */
  readonly contacts: ReadonlyMap<AccountId, ContactRow>;
  /** This device's chain in the conversation (only sends, under the send lock, advance it). */
  readonly chain: SendChainRow | undefined;
}

/** Loads and checks what a send needs. Call under the send lock. */
async function loadSendContext(ctx: ClientContext, conversationId: ConversationId): Promise<SendContext> {
  const conv = await requireConversation(ctx, conversationId);
  const contacts = new Map<AccountId, ContactRow>();
  if (conv.kind === "direct") {
    const contact = await getContact(ctx.db, conv.peer);
    if (!contact) throw new ClientError("unknown_contact", "no verified contact for this conversation");
    assertSendable(contact);
    contacts.set(contact.accountId, contact);
  }
  assertOwnLogTrusted();
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  return { conv, account, device, contacts, chain: await getSendChain(ctx.db, conversationId) };
}

/** Seals `text` as the next link of this device's chain and stores it as pending. Call under the send lock. */
async function sealAndStore(ctx: ClientContext, sc: SendContext, text: string, replaces?: MessageRow): Promise<MessageRow> {
  const { conv, account, device, chain } = sc;
  const conversationId = conv.id;
  const epoch = await currentEpoch(ctx, conv, { self: sc, contacts: sc.contacts });
  const mine = await stateOfLog(ctx, account.accountId, account.log);
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
  // The new state, written together: the message, the chain's new link and the conversation's time.
  await ctx.db.transaction("rw", [ctx.db.messages, ctx.db.sendChains, ctx.db.conversations], async () => {
    if (replaces) await ctx.db.messages.delete([conversationId, replaces.clientMessageId]);
    await putMessage(ctx.db, row);
    await ctx.db.sendChains.put({ conversationId, counter, hash: sealed.hash });
    await putConversation(ctx.db, { ...conv, updatedAt: Math.max(conv.updatedAt, sentAt) });
  });
  return row;
}

/** Seals a text message and stores it as pending. Posting happens in outbox.ts. */
export async function queueText(ctx: ClientContext, conversationId: ConversationId, text: string): Promise<MessageRow> {
  checkText(text);
  return withLock(`send:${conversationId}`, async () => sealAndStore(ctx, await loadSendContext(ctx, conversationId), text));
}

/**
 * "Retry" on a failed message: its text is sealed again as a new message (new client message id, next
 * counter, current epoch) that replaces the failed row in one transaction. The refused envelope is never
 * posted again. A refusal (4xx) means the server stored nothing, so this cannot double a message; the
 * receivers see the refused counter as one missing message, which is what happened.
 */
export async function retryFailed(ctx: ClientContext, conversationId: ConversationId, clientMessageId: string): Promise<MessageRow> {
  return withLock(`send:${conversationId}`, async () => {
    const failed = await getMessage(ctx.db, conversationId, clientMessageId);
    if (!failed || failed.status !== "failed") throw new ClientError("unknown_message", "no failed message with that id");
    return sealAndStore(ctx, await loadSendContext(ctx, conversationId), failed.text, failed);
  });
}

/** Removes a failed message from this device (it never reached anyone). */
export async function discardFailed(ctx: ClientContext, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  await ctx.db.transaction("rw", ctx.db.messages, async () => {
    const row = await getMessage(ctx.db, conversationId, clientMessageId);
    if (row?.status === "failed") await ctx.db.messages.delete([conversationId, clientMessageId]);
  });
}
