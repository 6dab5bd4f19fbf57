import {
  ConversationId,
  decodeReadState,
  fromBase64url,
  isProtocolError,
  openReadState,
  sealReadState,
  type HistoryKeyOf,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { isApiError } from "../transport/api.js";
import { withLock } from "../store/lock.js";
import { getAccount, getAccountCursor, getConversation, getReadShare, listReadShares, putAccountCursor, putConversation, putReadShare, type SealedDb } from "../store/db.js";
import type { AccountRow } from "../store/rows.js";
import { refOf, rowAt } from "./receipt-targets.js";

/**
 * Read state shared between this account's devices (docs/decisions.md "Receipts and unread", docs/PROTOCOL.md
 * "Read state"), whatever the read-receipt setting: a read mark in the conversation is seen by every member,
 * so it cannot be the only way this account's devices learn what it read. When this device reads a chat, the
 * position goes to `readShares` (kept across reloads and offline); the outbox flush seals it under the account
 * history key and PUTs it. Every sync pass, and the realtime nudge, fetch what the other devices wrote since
 * the stored version and raise readUpTo to it (never lower it), after the same check as for read marks.
 */

/** Notes that this device read `conversationId` up to `position`, to share (only the newest position matters). */
export async function queueReadShare(db: SealedDb, conversationId: ConversationId, position: number): Promise<void> {
  await db.transaction("rw", db.readShares, async () => {
    const queued = await getReadShare(db, conversationId);
    if (!queued || queued.position < position) await putReadShare(db, { conversationId, position });
  });
}

function historyKeyOf(account: AccountRow): HistoryKeyOf {
  return { historyKey: account.historyKey, historyPublic: account.historyPublic, generation: account.historyGeneration };
}

/**
 * Seals and stores every queued position. A queued row leaves only once the server stored it (or refused
 * it for good, a 4xx: a group this account left); a newer position queued meanwhile stays. Network and
 * server faults are thrown, so the flush retries with backoff.
 */
export function pushReadShares(ctx: ClientContext): Promise<number> {
  // One at a time (a flush after a read and a sync pass may both run): a queued position is PUT once.
  return withLock("read-share", () => pushQueued(ctx));
}

async function pushQueued(ctx: ClientContext): Promise<number> {
  const queued = await listReadShares(ctx.db);
  if (queued.length === 0) return 0;
  const account = await getAccount(ctx.db);
  if (!account) return 0;
  let sent = 0;
  for (const q of queued) {
    const row = await rowAt(ctx.db, q.conversationId, q.position);
    if (row) {
      const sealed = await sealReadState(ctx.env, historyKeyOf(account), q.conversationId, { position: q.position, ref: refOf(row) });
      try {
        await ctx.api.putReadState(q.conversationId, sealed);
        sent++;
      } catch (e) {
        if (!isApiError(e) || e.code === "network" || e.status >= 500 || e.status === 401 || e.status === 429) throw e;
        console.warn(`the server refused the read state of ${q.conversationId}:`, e);
      }
    }
    // Without the row (deleted since) there is no envelope to name: nothing to share.
    await ctx.db.transaction("rw", ctx.db.readShares, async () => {
      if ((await getReadShare(ctx.db, q.conversationId))?.position === q.position) await ctx.db.readShares.delete(q.conversationId);
    });
  }
  return sent;
}

/** What became of one fetched read state. */
export type ReadStateOutcome = "applied" | "unchanged" | "ignored" | "refused" | "later";

/**
 * Judges one sealed read state of this account and applies it. `later`: sealed under a history generation
 * this device does not hold yet (it learns it with the revoke or rotation entry), so it is fetched again
 * then. `ignored`: an older generation (a removed device still holds that key; what it seals is not
 * believed), or a conversation this device does not have. `refused` (counted in the conversation's
 * `rejected`): it does not decode or open, or names another envelope than the row held at its position.
 */
export async function applyReadState(ctx: ClientContext, account: AccountRow, conversationId: ConversationId, sealed: Uint8Array): Promise<ReadStateOutcome> {
  if (!(await getConversation(ctx.db, conversationId))) return "ignored";
  let position: number;
  let ref: { deviceId: string; clientMessageId: string };
  try {
    const decoded = decodeReadState(sealed);
    if (decoded.generation < account.historyGeneration) return "ignored";
    if (decoded.generation > account.historyGeneration) return "later";
    ({ position, ref } = await openReadState(ctx.env, decoded, historyKeyOf(account), conversationId));
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return refuse(ctx.db, conversationId, `does not open (${e.code})`);
  }
  return ctx.db.transaction("rw", [ctx.db.conversations, ctx.db.messages], async () => {
    // Where this device holds no row at the position (history not shared with it, or not fetched yet) the
    // position is kept unchecked, as for read marks: only this account's own devices can seal one.
    const there = await rowAt(ctx.db, conversationId, position);
    if (there && (there.senderDeviceId !== ref.deviceId || there.clientMessageId !== ref.clientMessageId)) {
      return refuse(ctx.db, conversationId, `names another message than the one at position ${position}`);
    }
    const conv = await getConversation(ctx.db, conversationId);
    // No readUpTo: a chat stored before unread existed counts as read already.
    if (!conv || conv.readUpTo === undefined || conv.readUpTo >= position) return "unchanged";
    await putConversation(ctx.db, { ...conv, readUpTo: position });
    return "applied";
  });
}

async function refuse(db: SealedDb, conversationId: ConversationId, why: string): Promise<"refused"> {
  console.warn(`read state of ${conversationId} refused: it ${why}`);
  await db.transaction("rw", db.conversations, async () => {
    const conv = await getConversation(db, conversationId);
    if (conv) await putConversation(db, { ...conv, rejected: conv.rejected + 1 });
  });
  return "refused";
}

/**
 * Fetches the read states the account's devices wrote since the stored version and applies them in
 * order. The cursor moves past each one judged, and stops before one of a later generation.
 */
export async function pullReadStates(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  if (!account) return;
  for (;;) {
    const after = await getAccountCursor(ctx.db, "read-state");
    const page = await ctx.api.readStates(after);
    let reached = after;
    for (const s of page.states) {
      if (s.version <= reached) continue; // a server repeating itself
      if ((await applyReadState(ctx, account, s.conversationId, fromBase64url(s.sealed))) === "later") return void (await advance(ctx.db, reached));
      reached = s.version;
    }
    await advance(ctx.db, reached);
    if (!page.more || reached === after) return;
  }
}

/** The cursor only moves forward (a pass and a nudge may pull at once). */
async function advance(db: SealedDb, version: number): Promise<void> {
  await db.transaction("rw", db.accountCursors, async () => {
    if ((await getAccountCursor(db, "read-state")) < version) await putAccountCursor(db, { name: "read-state", after: version });
  });
}
