import { ContentKind, type AttachmentId, type ConversationId } from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import type { ClientContext } from "../context.js";
import { getDevice, getMessage, listMessages, listMessagesByStatus, putMessage } from "../store/db.js";
import { withLock } from "../store/lock.js";
import { resealPending } from "../conversations/messages.js";
import type { MessageRow, SendFailure } from "../store/rows.js";
import { pushReadShares } from "./read-state.js";
import { pushChatSettings } from "./chat-settings.js";
import { supersede } from "./supersede.js";

/**
 * The outbox: pending messages are posted oldest counter first. The server deduplicates by client
 * message id, so re-posting the same bytes after a lost response is answered 200 `duplicate: true` with
 * the first seq, and a message is stored exactly once however often it is retried.
 */

/**
 * How a failed post is handled. `retry`: no answer, a server fault, a timeout or rate limit: try the
 * same bytes again later, and stop the queue meanwhile so the server never gets a later link of the
 * chain first. `session`: log in again, then retry. `refused`: a 4xx answer means these bytes were not
 * stored and never will be, so the message is marked failed and the queue moves on.
 */
export type SendErrorKind = "retry" | "session" | "refused";

export function classifySendError(e: unknown): SendErrorKind {
  if (!isApiError(e)) return "retry";
  if (e.status === 401) return "session";
  if (e.status === 0 || e.status >= 500 || e.status === 408 || e.status === 429) return "retry";
  if (e.status >= 400) return "refused";
  return "retry"; // a 2xx whose body failed its schema (bad_response): ask again
}

async function markFailed(ctx: ClientContext, m: MessageRow, failure: SendFailure): Promise<void> {
  await ctx.db.transaction("rw", ctx.db.messages, async () => {
    const cur = await getMessage(ctx.db, m.conversationId, m.clientMessageId);
    if (cur?.status === "pending") await putMessage(ctx.db, { ...cur, status: "failed", failure, envelope: undefined });
  });
}

/** How often one flush seals stale messages again before it lets a refusal stand (a racing epoch each time). */
const MAX_RESEALS = 3;

/**
 * Posts this device's pending messages of one conversation in counter order. Throws (leaving the rest
 * pending) at the first failure to retry; marks refused ones failed and goes on. A `stale_epoch` refusal
 * is not a failure: the conversation moved to a newer epoch, so the pending messages from that one on are
 * sealed again under it (resealPending) and posted. Returns how many were posted.
 */
export async function flushOutbox(ctx: ClientContext, conversationId: ConversationId): Promise<number> {
  return withLock(`outbox:${conversationId}`, async () => {
    let sent = 0;
    for (let reseals = 0; ; reseals++) {
      const round = await postPending(ctx, conversationId, reseals < MAX_RESEALS);
      sent += round.sent;
      if (round.staleFrom === undefined) return sent;
      await resealPending(ctx, conversationId, round.staleFrom);
    }
  });
}

/** One pass over the pending messages; stops at a `stale_epoch` refusal when `reseal` allows one. */
async function postPending(ctx: ClientContext, conversationId: ConversationId, reseal: boolean): Promise<{ sent: number; staleFrom?: number }> {
  const device = await getDevice(ctx.db);
  if (!device) return { sent: 0 };
  const pending = (await listMessages(ctx.db, conversationId)).filter((m) => m.status === "pending" && m.senderDeviceId === device.deviceId).sort((a, b) => a.counter - b.counter);
  let sent = 0;
  for (const m of pending) {
    // The echo of this message (a push, a poll, another tab) may have settled it since the list was read.
    const cur = await getMessage(ctx.db, conversationId, m.clientMessageId);
    if (cur?.status !== "pending") continue;
    if (!cur.envelope) {
      await markFailed(ctx, cur, { code: "missing_envelope", status: 0, at: ctx.now() });
      continue;
    }
    let seq: number;
    try {
      // A delete for everyone of an own attachment takes the blob down first (403/404: not ours, or gone).
      if (cur.deletesAttachment) await deleteBlob(ctx, cur.deletesAttachment);
      const notify = pushWorthy(cur);
      const push = !notify ? { notify: false } : mentionsSomeone(cur) ? { mentions: true } : {};
      seq = (await ctx.api.postMessage(conversationId, cur.envelope, cur.attachment ? [cur.attachment.id] : undefined, push)).seq;
    } catch (e) {
      if (classifySendError(e) !== "refused") throw e;
      if (reseal && isApiError(e, "stale_epoch")) return { sent, staleFrom: cur.counter };
      const status = isApiError(e) ? e.status : 0;
      console.warn(`message ${m.clientMessageId} refused by the server:`, e);
      await markFailed(ctx, cur, { code: isApiError(e) ? e.code.slice(0, 64) : "refused", status, at: ctx.now() });
      continue;
    }
    await ctx.db.transaction("rw", ctx.db.messages, async () => {
      const now = await getMessage(ctx.db, conversationId, m.clientMessageId);
      if (now?.status !== "pending") return;
      const sentRow: MessageRow = { ...now, status: "sent", seq, envelope: undefined };
      await putMessage(ctx.db, sentRow);
      // With its seq it may replace this account's earlier reaction, edit or mark (supersede.ts).
      await supersede(ctx.db, sentRow);
    });
    sent++;
  }
  return { sent };
}

/**
 * Kinds that never alert anyone (docs/decisions.md "Push notifications"): receipts, edits and deletions
 * are posted with `notify: false`, so the server sends no Web Push for them. Everything else (text,
 * reply, reaction, attachment, kinds newer than this version) omits the flag.
 */
const SILENT_KINDS: ReadonlySet<number> = new Set([ContentKind.edit, ContentKind.delete, ContentKind.receipt]);

/** Whether posting `row` should wake the recipients' devices with a push. */
export function pushWorthy(row: Pick<MessageRow, "kindNumber">): boolean {
  return row.kindNumber === undefined || !SILENT_KINDS.has(row.kindNumber);
}

/**
 * Whether `row` mentions members, so its push must reach those who muted the chat too (their devices show
 * it only if it mentions them; docs/decisions.md "Mentions"). The server learns only this bit.
 */
export function mentionsSomeone(row: Pick<MessageRow, "mentions">): boolean {
  return (row.mentions?.length ?? 0) > 0;
}

/** DELETEs a blob; a refusal (not ours, already gone) is the end of it, no answer is retried with the queue. */
async function deleteBlob(ctx: ClientContext, id: AttachmentId): Promise<void> {
  try {
    await ctx.api.deleteAttachment(id);
  } catch (e) {
    if (classifySendError(e) !== "refused") throw e;
  }
}

/** Conversations holding messages this device has not posted yet. */
export async function conversationsWithPending(ctx: ClientContext): Promise<ConversationId[]> {
  const rows = await listMessagesByStatus(ctx.db, "pending");
  return [...new Set(rows.map((r) => r.conversationId))];
}

/**
 * Flushes every conversation's outbox. A conversation that must retry does not hold up the others; the
 * first such error is rethrown at the end so the caller schedules the retry.
 */
export async function flushAll(ctx: ClientContext): Promise<number> {
  let sent = 0;
  let firstError: unknown;
  for (const id of await conversationsWithPending(ctx)) {
    try {
      sent += await flushOutbox(ctx, id);
    } catch (e) {
      firstError ??= e;
    }
  }
  // Read positions to share with this account's other devices wait here too, offline included.
  try {
    await pushReadShares(ctx);
  } catch (e) {
    firstError ??= e;
  }
  // So do chat settings changed here (pin, archive, block, verification...).
  try {
    await pushChatSettings(ctx);
  } catch (e) {
    firstError ??= e;
  }
  if (firstError !== undefined) throw firstError;
  return sent;
}
