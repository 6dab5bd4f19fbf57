import type { Table } from "dexie";
import { ClientMessageId, HASH_BYTES, MAX_TEXT_BYTES, decodeEnvelope, sealEnvelope, utf8, type AccountId, type ConversationId, type Mention } from "../../../../protocol/index.js";
import { syncMembership } from "../groups/membership.js";
import { assertSendable, refreshContact } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { requireConversation } from "./conversations.js";
import { isShownKind, rowContent, rowFields, type OutgoingContent } from "./content-rows.js";
import { getAccount, getContact, getDevice, getMessage, getSendChain, listMessages, putConversation, putMessage } from "../store/db.js";
import { currentEpoch, loadEpochs } from "./epochs.js";
import { ClientError } from "../errors.js";
import { withLock } from "../store/lock.js";
import { stateOfLog } from "../identity/logs.js";
import { assertOwnLogTrusted } from "../identity/own-log.js";
import { profileToShare, sharesProfileBefore } from "../profiles/share.js";
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

/**
 * A write that must commit with the sealed message or not at all (an attachment's upload row is deleted
 * in the transaction that stores its message, so two tabs cannot both seal it).
 */
export interface AlongWithSeal {
  /** The tables `write` touches, added to the message's transaction. */
  readonly tables: readonly Table[];
  /** Runs inside the transaction before the message is stored; throwing aborts the whole write. */
  write(row: MessageRow): Promise<void>;
}

export interface SealOptions {
  /** A failed row the new one replaces (retryFailed). */
  readonly replaces?: MessageRow;
  readonly along?: AlongWithSeal;
  /** Local-only fields of the pending row (not sealed). */
  readonly extra?: Pick<MessageRow, "deletesAttachment">;
}

/** Seals `content` as the next link of this device's chain and stores it as pending. Call under the send lock. */
async function sealAndStore(ctx: ClientContext, sc: SendContext, content: OutgoingContent, o: SealOptions = {}): Promise<MessageRow> {
  const { replaces, along, extra } = o;
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
    body: { ...content, sentAt },
  });
  const row: MessageRow = {
    conversationId,
    clientMessageId,
    senderAccountId: account.accountId,
    senderDeviceId: device.deviceId,
    counter,
    ...rowFields(content),
    sentAt,
    status: "pending",
    envelope: sealed.bytes,
    ...extra,
  };
  // The new state, written together: the message, the chain's new link and the conversation's time.
  await ctx.db.transaction("rw", [ctx.db.messages, ctx.db.sendChains, ctx.db.conversations, ...(along?.tables ?? [])], async () => {
    await along?.write(row);
    if (replaces) await ctx.db.messages.delete([conversationId, replaces.clientMessageId]);
    await putMessage(ctx.db, row);
    await ctx.db.sendChains.put({ conversationId, counter, hash: sealed.hash });
    // Only what shows as a message of its own moves the chat up the list (not a reaction or a receipt).
    if (isShownKind(row.kindNumber)) await putConversation(ctx.db, { ...conv, updatedAt: Math.max(conv.updatedAt, sentAt) });
  });
  return row;
}

/** Seals a text message and stores it as pending. Posting happens in outbox.ts. */
export async function queueText(ctx: ClientContext, conversationId: ConversationId, text: string, mentions?: readonly Mention[]): Promise<MessageRow> {
  return queueContent(ctx, conversationId, { kind: "text", text, ...(mentions?.length ? { mentions } : {}) });
}

/**
 * Seals any content this version writes (text, reply, reaction, edit, delete, receipt) and stores it as
 * pending, exactly like a text message: queued offline, posted once, resealed on a stale epoch. Checks
 * only the content's own bounds; whether it may apply (an edit by its author, say) is the caller's rule,
 * and every receiver checks it again.
 */
export async function queueContent(ctx: ClientContext, conversationId: ConversationId, content: OutgoingContent, o: Omit<SealOptions, "replaces"> = {}): Promise<MessageRow> {
  if (content.kind === "text" || content.kind === "reply" || content.kind === "edit") checkText(content.text);
  return withLock(`send:${conversationId}`, async () => {
    const sc = await loadSendContext(ctx, conversationId);
    return sealAndStore(ctx, sharesProfileBefore(content) ? await withProfileShared(ctx, sc) : sc, content, o);
  });
}

/**
 * Seals this account's profile message (kind 9) first when the conversation has not had the current
 * profile under its current epoch (profiles/share.ts). Returns the send context to go on with. Call under
 * the send lock.
 */
async function withProfileShared(ctx: ClientContext, sc: SendContext): Promise<SendContext> {
  const epochOf = async () => (await currentEpoch(ctx, sc.conv, { self: sc, contacts: sc.contacts })).epoch;
  const share = await profileToShare(ctx.db, sc.account.accountId, sc.conv.id, epochOf);
  if (!share) return sc;
  await sealAndStore(ctx, sc, share.content, { along: share.along });
  return loadSendContext(ctx, sc.conv.id);
}

/** Sends this account's current profile into `conversationId` unless it already has it under the current epoch. */
export async function shareProfile(ctx: ClientContext, conversationId: ConversationId): Promise<void> {
  await withLock(`send:${conversationId}`, async () => {
    await withProfileShared(ctx, await loadSendContext(ctx, conversationId));
  });
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
    const content = rowContent(failed);
    if (!content) throw new ClientError("unknown_message", "this message cannot be sent again");
    const extra = failed.deletesAttachment ? { deletesAttachment: failed.deletesAttachment } : undefined;
    return sealAndStore(ctx, await loadSendContext(ctx, conversationId), content, { replaces: failed, ...(extra ? { extra } : {}) });
  });
}

/**
 * The server refused a pending message with `stale_epoch`: the conversation has an epoch newer than the
 * one it was sealed under (a member or device left, or one joined, while this device was offline or
 * racing), and whoever the newer epoch leaves out still holds the older key. So this device's pending
 * messages from `fromCounter` on are sealed again under the current epoch, after catching up on the
 * membership (or the contact's log) and the epochs. Each keeps its counter, client message id, text and
 * time; the first keeps the previous hash it had (its predecessor is stored and unchanged) and each next
 * one links to the new hash of the one before, so receivers see one unbroken chain and no gap. Nothing
 * of them was stored (a stored one is answered `duplicate`, never `stale_epoch`), so none is doubled.
 * Returns how many were sealed again.
 */
export async function resealPending(ctx: ClientContext, conversationId: ConversationId, fromCounter: number): Promise<number> {
  return withLock(`send:${conversationId}`, async () => {
    const conv = await requireConversation(ctx, conversationId);
    if (conv.kind === "group") await syncMembership(ctx, conversationId);
    else await refreshContact(ctx, conv.peer);
    await loadEpochs(ctx, conv);
    const sc = await loadSendContext(ctx, conversationId);
    const epoch = await currentEpoch(ctx, sc.conv, { self: sc, contacts: sc.contacts });
    const mine = await stateOfLog(ctx, sc.account.accountId, sc.account.log);
    const tail = (await listMessages(ctx.db, conversationId))
      .filter((m) => m.senderDeviceId === sc.device.deviceId && m.counter >= fromCounter && m.status === "pending" && m.envelope)
      .sort((a, b) => a.counter - b.counter);
    const resealed: MessageRow[] = [];
    let previous: { counter: number; hash: Uint8Array } | undefined;
    for (const m of tail) {
      const content = rowContent(m);
      // This device wrote it, so it knows the kind; a row it cannot rebuild is left to fail as sealed.
      if (!content) continue;
      const old = decodeEnvelope(m.envelope!).header;
      const sealed = await sealEnvelope(ctx.env, {
        header: {
          ...old,
          epoch: epoch.epoch,
          keyId: epoch.keyId,
          senderLogSeq: mine.head.seq,
          senderLogHead: mine.head.hash,
          prevHash: previous && previous.counter === m.counter - 1 ? previous.hash : old.prevHash,
        },
        ck: epoch.ck,
        signingKey: sc.device.signingKey,
        body: { ...content, sentAt: m.sentAt },
      });
      resealed.push({ ...m, envelope: sealed.bytes });
      previous = { counter: m.counter, hash: sealed.hash };
    }
    if (!previous) return 0;
    const last = previous;
    await ctx.db.transaction("rw", [ctx.db.messages, ctx.db.sendChains], async () => {
      for (const row of resealed) {
        const cur = await getMessage(ctx.db, conversationId, row.clientMessageId);
        if (cur?.status === "pending") await putMessage(ctx.db, { ...cur, envelope: row.envelope });
      }
      // The chain's head moves to the new last link only if nothing was sealed after it (the send lock
      // is held, so nothing was).
      if (sc.chain?.counter === last.counter) await ctx.db.sendChains.put({ conversationId, counter: last.counter, hash: last.hash });
    });
    return resealed.length;
  });
}

/** Removes a failed message from this device (it never reached anyone). */
export async function discardFailed(ctx: ClientContext, conversationId: ConversationId, clientMessageId: string): Promise<void> {
  await ctx.db.transaction("rw", ctx.db.messages, async () => {
    const row = await getMessage(ctx.db, conversationId, clientMessageId);
    if (row?.status === "failed") await ctx.db.messages.delete([conversationId, clientMessageId]);
  });
}
