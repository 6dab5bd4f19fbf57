import type { StoredMessage } from "../../../protocol/api.js";
import {
  advanceChain,
  decodeBundle,
  decodeEnvelope,
  envelopeHash,
  fromBase64url,
  isProtocolError,
  openEnvelope,
  type AccountState,
  type ConversationId,
  type DecodedEnvelope,
  type MessageBody,
} from "../../../protocol/index.js";
import { isApiError } from "./api.js";
import { ensureContactById } from "./contacts.js";
import type { ClientContext } from "./context.js";
import { requireConversation } from "./conversations.js";
import { getAccount, getChain, getContact, getConversation, getCursor, getMessage, putConversation, putMessage } from "./db.js";
import { epochFor } from "./epochs.js";
import { withLock } from "./lock.js";
import { noteCitedHead, refreshLog, stateAt, stateOf } from "./logs.js";
import type { ConversationRow, MessageRow } from "./rows.js";

/**
 * Receiving: envelopes are fetched after the cursor in server order, verified and decrypted against the
 * verified logs and epoch keys, checked against the sender's chain (replays dropped, gaps and broken
 * links recorded) and cached decrypted. One's own messages coming back are matched by client message id.
 */

type Outcome = "stored" | "rejected" | "retry" | "skipped";

const PAGE = 200;

async function reject(ctx: ClientContext, conv: ConversationRow, seq: number, why: unknown): Promise<Outcome> {
  console.warn(`message ${conv.id}/${seq} refused:`, why);
  const cur = (await getConversation(ctx.db, conv.id)) ?? conv;
  await putConversation(ctx.db, { ...cur, rejected: cur.rejected + 1 });
  return "rejected";
}

/**
 * The sender's log as the envelope must be judged: the current one, or, for a device removed since (a
 * revoked or reset laptop), the log cut at the head the envelope cites, where that device was active.
 * Its messages from before the removal stay readable; it cannot read or join epochs made after it.
 */
async function senderState(ctx: ClientContext, e: DecodedEnvelope): Promise<AccountState> {
  const current = await stateOf(ctx, e.header.senderAccountId);
  if (current.devices.some((d) => d.deviceId === e.header.senderDeviceId) || e.header.senderLogSeq > current.head.seq) return current;
  return (await stateAt(ctx, e.header.senderAccountId, e.header.senderLogSeq)) ?? current;
}

async function open(ctx: ClientContext, conv: ConversationRow, e: DecodedEnvelope): Promise<MessageBody | "retry" | "not_shared" | { error: unknown }> {
  const epoch = await epochFor(ctx, conv, e.header.epoch);
  if (epoch === "retry" || epoch === "not_shared") return epoch;
  if (epoch === "invalid") return { error: new Error(`epoch ${e.header.epoch} bundle was refused`) };
  const sender = e.header.senderAccountId;
  // Only a member of the epoch holds its key legitimately: the sender must be one of its recipients.
  if (!decodeBundle(epoch.bundle).heads.some((h) => h.accountId === sender)) return { error: new Error("sender is not a member of this epoch") };
  if (sender !== (await getAccount(ctx.db))?.accountId && !(await getContact(ctx.db, sender))) {
    try {
      await ensureContactById(ctx, sender);
    } catch (err) {
      return isApiError(err) ? "retry" : { error: err };
    }
  }
  const params = async () => ({ conversationId: conv.id, sender: await senderState(ctx, e), ck: epoch.ck, keyId: epoch.keyId });
  try {
    return await openEnvelope(ctx.env, e, await params());
  } catch (err) {
    if (!isProtocolError(err, "unknown_head")) return { error: err };
  }
  // The envelope cites a newer head of its sender's log: fetch it, check it extends, try once more.
  try {
    await refreshLog(ctx, sender);
    return await openEnvelope(ctx.env, e, await params());
  } catch (err) {
    if (isProtocolError(err, "unknown_head")) await noteCitedHead(ctx, sender, e.header.senderLogSeq);
    return isProtocolError(err) && err.code !== "unknown_head" ? { error: err } : "retry";
  }
}

async function receiveOne(ctx: ClientContext, conv: ConversationRow, self: string, stored: StoredMessage): Promise<Outcome> {
  const bytes = fromBase64url(stored.envelope);
  await ctx.db.envelopes.put({ conversationId: conv.id, seq: stored.seq, envelope: bytes, receivedAt: stored.receivedAt });
  let e: DecodedEnvelope;
  try {
    e = decodeEnvelope(bytes);
  } catch (err) {
    return reject(ctx, conv, stored.seq, err);
  }
  const h = e.header;
  if (h.conversationId !== conv.id) return reject(ctx, conv, stored.seq, "envelope names another conversation");
  if (conv.kind === "direct" && h.senderAccountId !== self && h.senderAccountId !== conv.peer) return reject(ctx, conv, stored.seq, "sender is not a member");

  const body = await open(ctx, conv, e);
  if (body === "retry") return "retry";
  // Written before this account joined a group whose history is not shared: not for this account to read.
  if (body === "not_shared") return "skipped";
  if ("error" in body) return reject(ctx, conv, stored.seq, body.error);

  const hash = await envelopeHash(ctx.env, bytes);
  return ctx.db.transaction("rw", [ctx.db.messages, ctx.db.chains, ctx.db.conversations], async (): Promise<Outcome> => {
    const existing = await getMessage(ctx.db, conv.id, h.clientMessageId);
    // The same message again: this device's own (pending, or posted at this seq) coming back, or a page
    // fetched twice. The same envelope at another position is a replay by the server.
    const sameMessage = existing !== undefined && existing.senderDeviceId === h.senderDeviceId && existing.counter === h.counter;
    const samePlace = sameMessage && (existing.seq === undefined || existing.seq === stored.seq);
    let advanced;
    try {
      advanced = advanceChain(await getChain(ctx.db, conv.id, h.senderDeviceId), h, hash);
    } catch (err) {
      if (isProtocolError(err, "replay") && samePlace) return "stored";
      return reject(ctx, conv, stored.seq, err);
    }
    if (existing && !samePlace) return reject(ctx, conv, stored.seq, "client message id reused");
    await ctx.db.chains.put({ conversationId: conv.id, deviceId: h.senderDeviceId, counter: advanced.chain.counter, hash: advanced.chain.hash });
    const row: MessageRow = {
      conversationId: conv.id,
      clientMessageId: h.clientMessageId,
      seq: stored.seq,
      senderAccountId: h.senderAccountId,
      senderDeviceId: h.senderDeviceId,
      counter: h.counter,
      text: existing?.text ?? body.text,
      sentAt: existing?.sentAt ?? body.sentAt,
      status: "sent",
      ...(advanced.missing > 0 ? { missingBefore: advanced.missing } : {}),
      ...(advanced.broken ? { chainBroken: true } : {}),
    };
    await putMessage(ctx.db, row);
    const cur = (await getConversation(ctx.db, conv.id)) ?? conv;
    await putConversation(ctx.db, { ...cur, updatedAt: Math.max(cur.updatedAt, body.sentAt) });
    return "stored";
  });
}

/** Processes one message at the cursor and moves the cursor past it, unless it must be retried. */
async function take(ctx: ClientContext, conv: ConversationRow, self: string, m: StoredMessage): Promise<Outcome> {
  const outcome = await receiveOne(ctx, conv, self, m);
  if (outcome !== "retry") await ctx.db.cursors.put({ conversationId: conv.id, after: m.seq });
  return outcome;
}

/** Fetches and processes pages after `after` until the server has no more. Call under the recv lock. */
async function drain(ctx: ClientContext, conv: ConversationRow, self: string, after: number): Promise<number> {
  let stored = 0;
  for (;;) {
    const page = await ctx.api.messages(conv.id, after, PAGE);
    for (const m of page.messages) {
      if (m.seq <= after) continue;
      const outcome = await take(ctx, conv, self, m);
      if (outcome === "retry") return stored;
      if (outcome === "stored") stored++;
      after = m.seq;
    }
    if (!page.more || page.messages.length === 0) return stored;
  }
}

/**
 * Fetches and processes everything after the cursor. Stops (without moving the cursor) at a message
 * that cannot be opened yet, to retry on the next pass. Returns how many messages were stored.
 */
export async function pullMessages(ctx: ClientContext, conversationId: ConversationId): Promise<number> {
  return withLock(`recv:${conversationId}`, async () => {
    const account = await getAccount(ctx.db);
    if (!account) return 0;
    const conv = await requireConversation(ctx, conversationId);
    return drain(ctx, conv, account.accountId, await getCursor(ctx.db, conversationId));
  });
}

/**
 * A message pushed over the realtime socket goes through the same path as a polled one. At the cursor
 * it is processed from the push with no request; one already behind the cursor (seen by a poll, or
 * pushed twice) is ignored; one past a gap means pushes were missed, so the gap is fetched by cursor.
 * Returns how many messages were stored.
 */
export async function receivePushed(ctx: ClientContext, conversationId: ConversationId, pushed: StoredMessage): Promise<number> {
  return withLock(`recv:${conversationId}`, async () => {
    const account = await getAccount(ctx.db);
    if (!account) return 0;
    const conv = await requireConversation(ctx, conversationId);
    const after = await getCursor(ctx.db, conversationId);
    if (pushed.seq <= after) return 0;
    if (pushed.seq > after + 1) return drain(ctx, conv, account.accountId, after);
    return (await take(ctx, conv, account.accountId, pushed)) === "stored" ? 1 : 0;
  });
}
