import { staleChatSettingsBody } from "../../../../protocol/api.js";
import {
  DeviceId,
  bytesEqual,
  decodeChatSettingsBlob,
  fromBase64url,
  isProtocolError,
  openChatSettings,
  sealChatSettings,
  type ChatSettings,
  type ConversationId,
  type HistoryKeyOf,
} from "../../../../protocol/index.js";
import { deleteMessagesUpTo, getChatPrefs } from "../chats/chat-controls.js";
import { chatPrefsRow, settingsShareRow, type ChatPrefsRow } from "../chats/chat-prefs-row.js";
import { withNextRevision } from "../chats/settings-share.js";
import type { ClientContext } from "../context.js";
import { withLock } from "../store/lock.js";
import { getAccount, getAccountCursor, getContact, getConversation, getDevice, putAccountCursor, putContact, putConversation, type SealedDb } from "../store/db.js";
import { parseRow, parseRows, type AccountRow, type ContactRow } from "../store/rows.js";
import { isApiError } from "../transport/api.js";

/**
 * Chat settings shared between this account's devices (docs/PROTOCOL.md "Chat settings", docs/decisions.md
 * "Chat settings sync"): pin, archive, marked unread, block, "Delete chat" and a 1:1 peer's verification.
 * A change here takes the next revision and queues the chat (chats/settings-share.ts); the outbox flush
 * seals the chat's whole record and PUTs it. The server refuses a revision not above its own (409): then
 * this device fetches, applies what is newer and sends again above the server's revision only if its own
 * write is still the newest. Every sync pass and the realtime nudge fetch what the other devices wrote and
 * apply a record only if its (revision, writer) is above the applied one, so a server replaying an old
 * record changes nothing.
 */

function historyKeyOf(account: AccountRow): HistoryKeyOf {
  return { historyKey: account.historyKey, historyPublic: account.historyPublic, generation: account.historyGeneration };
}

/** Orders two writes: by revision, then by the writer's device id bytes (unsigned, first differing byte). */
export function newerWrite(a: { revision: number; writer: DeviceId }, b: { revision?: number | undefined; writer?: DeviceId | undefined }): boolean {
  const br = b.revision ?? 0;
  if (a.revision !== br) return a.revision > br;
  if (b.writer === undefined) return true;
  const x = DeviceId.toBytes(a.writer);
  const y = DeviceId.toBytes(b.writer);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! > y[i]!;
  return false;
}

/** The record a chat's row and (for a 1:1 chat) its peer's contact row say, written by `writer`. */
export function settingsOf(p: ChatPrefsRow, writer: DeviceId, contact: ContactRow | undefined): ChatSettings {
  return {
    writer,
    ...(p.pinOrder !== undefined ? { pinOrder: p.pinOrder } : {}),
    ...(p.archivedAt !== undefined ? { archivedAt: p.archivedAt } : {}),
    ...(p.markedUnread ? { markedUnread: true as const } : {}),
    ...(p.blockedSince !== undefined ? { blockedSince: p.blockedSince } : {}),
    hidden: (p.hidden ?? []).filter((h) => h.after < h.upTo),
    ...(p.deletedUpTo !== undefined ? { deletedUpTo: p.deletedUpTo } : {}),
    ...(contact?.verified ? { verifiedIdentity: contact.verified.identityKey } : {}),
    ...(p.trustedIdentity ? { trustedIdentity: p.trustedIdentity } : {}),
  };
}

/** The peer's contact row of a 1:1 chat, if this device knows the chat and the peer. */
async function peerOf(db: SealedDb, id: ConversationId): Promise<ContactRow | undefined> {
  const conv = await getConversation(db, id);
  return conv?.kind === "direct" ? getContact(db, conv.peer) : undefined;
}

/**
 * Seals and stores every queued chat. A queued chat leaves once the server stored its revision, or once
 * another device's newer write replaced this device's (nothing of ours left to send), or on a lasting 4xx.
 * Network and server faults are thrown, so the flush retries with backoff.
 */
export function pushChatSettings(ctx: ClientContext): Promise<number> {
  return withLock("chat-settings-push", () => pushQueued(ctx));
}

async function pushQueued(ctx: ClientContext): Promise<number> {
  const queued = parseRows(settingsShareRow, "settingsShares", await ctx.db.settingsShares.toArray());
  if (queued.length === 0) return 0;
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) return 0;
  let sent = 0;
  for (const q of queued) {
    for (let attempt = 0; ; attempt++) {
      const p = await getChatPrefs(ctx.db, q.conversationId);
      if (p.writer !== device.deviceId || p.revision === undefined) {
        await dropQueued(ctx.db, q.conversationId, undefined);
        break;
      }
      const sealed = await sealChatSettings(ctx.env, historyKeyOf(account), q.conversationId, p.revision, settingsOf(p, device.deviceId, await peerOf(ctx.db, q.conversationId)));
      try {
        await ctx.api.putChatSettings(q.conversationId, sealed);
        sent++;
        await ctx.db.transaction("rw", [ctx.db.chatPrefs, ctx.db.settingsShares], async () => {
          const now = await getChatPrefs(ctx.db, q.conversationId);
          if (now.revision === p.revision && now.writer === p.writer) await ctx.db.chatPrefs.put(parseRow(chatPrefsRow, "chatPrefs", { ...now, generation: account.historyGeneration }));
          await dropQueued(ctx.db, q.conversationId, p.revision);
        });
        break;
      } catch (e) {
        if (isApiError(e, "stale_chat_settings") && attempt < 3) {
          const stored = staleChatSettingsBody.safeParse(e.body);
          // Learn what the server holds, then write above it only if this device's write is still the newest.
          await pullChatSettings(ctx);
          await raiseAbove(ctx.db, q.conversationId, p.revision, device.deviceId, stored.success ? stored.data.revision : p.revision);
          continue;
        }
        if (!isApiError(e) || e.code === "network" || e.status >= 500 || e.status === 401 || e.status === 429) throw e;
        console.warn(`the server refused the chat settings of ${q.conversationId}:`, e);
        await dropQueued(ctx.db, q.conversationId, undefined);
        break;
      }
    }
  }
  return sent;
}

/** After a 409: if this device's write `revision` is still the chat's, it takes a revision above `stored`. */
async function raiseAbove(db: SealedDb, id: ConversationId, revision: number, me: DeviceId, stored: number): Promise<void> {
  await db.transaction("rw", [db.chatPrefs, db.settingsShares, db.device], async () => {
    const p = await getChatPrefs(db, id);
    if (p.writer !== me || p.revision !== revision) return; // replaced meanwhile (applied, or changed again here)
    const next = await withNextRevision(db, { ...p, revision: Math.max(revision, stored) });
    await db.chatPrefs.put(parseRow(chatPrefsRow, "chatPrefs", next));
  });
}

/** Removes the queued chat (only if still queued at `revision`, when given: a newer change stays). */
async function dropQueued(db: SealedDb, id: ConversationId, revision: number | undefined): Promise<void> {
  await db.transaction("rw", db.settingsShares, async () => {
    const q = await db.settingsShares.get(id);
    if (q && (revision === undefined || q.revision === revision)) await db.settingsShares.delete(id);
  });
}

/** What became of one fetched record. */
export type ChatSettingsOutcome = "applied" | "unchanged" | "ignored" | "refused" | "later";

/**
 * Judges one sealed record of this account and applies it. `later`: sealed under a generation this device
 * does not hold yet. `ignored`: an older generation (a removed device's write) or a chat this device does
 * not have. `refused` (counted in the chat's `rejected`): it does not decode or open (altered, or sealed
 * for another conversation). `unchanged`: not newer than the applied record (a replay).
 */
export async function applyChatSettings(ctx: ClientContext, account: AccountRow, conversationId: ConversationId, sealed: Uint8Array): Promise<ChatSettingsOutcome> {
  if (!(await getConversation(ctx.db, conversationId))) return "ignored";
  let revision: number;
  let s: ChatSettings;
  try {
    const decoded = decodeChatSettingsBlob(sealed);
    if (decoded.generation < account.historyGeneration) return "ignored";
    if (decoded.generation > account.historyGeneration) return "later";
    revision = decoded.revision;
    s = await openChatSettings(ctx.env, decoded, historyKeyOf(account), conversationId);
  } catch (e) {
    if (!isProtocolError(e)) throw e;
    return refuse(ctx.db, conversationId, `does not open (${e.code})`);
  }
  const write = { revision, writer: s.writer };
  if (!newerWrite(write, await getChatPrefs(ctx.db, conversationId))) return "unchanged";
  // The peer's current identity, computed outside the transaction (crypto would end it).
  const peer = await peerOf(ctx.db, conversationId);
  const state = peer ? await ctx.states.get(ctx.env, peer.accountId, peer.log) : undefined;
  const db = ctx.db;
  return db.transaction("rw", [db.chatPrefs, db.settingsShares, db.contacts, db.conversations, db.messages, db.envelopes, db.searchPostings, db.searchTerms], async () => {
    const p = await getChatPrefs(db, conversationId);
    if (!newerWrite(write, p)) return "unchanged"; // applied meanwhile
    if (s.deletedUpTo !== undefined && (p.deletedUpTo === undefined || p.deletedUpTo < s.deletedUpTo)) await deleteMessagesUpTo(db, conversationId, s.deletedUpTo);
    const deletedUpTo = Math.max(p.deletedUpTo ?? -1, s.deletedUpTo ?? -1);
    const next: ChatPrefsRow = {
      conversationId,
      ...(s.pinOrder !== undefined ? { pinOrder: s.pinOrder } : {}),
      ...(s.archivedAt !== undefined ? { archivedAt: s.archivedAt } : {}),
      ...(s.markedUnread ? { markedUnread: true as const } : {}),
      ...(s.blockedSince !== undefined ? { blockedSince: s.blockedSince } : {}),
      ...(s.hidden.length > 0 ? { hidden: s.hidden.map((h) => ({ after: h.after, upTo: h.upTo })) } : {}),
      ...(deletedUpTo >= 0 ? { deletedUpTo } : {}),
      ...(s.trustedIdentity ? { trustedIdentity: s.trustedIdentity } : {}),
      revision,
      writer: s.writer,
      generation: account.historyGeneration,
    };
    await db.chatPrefs.put(parseRow(chatPrefsRow, "chatPrefs", next));
    // This device's own queued write, if any, lost to a newer one: nothing of it is left to send.
    await db.settingsShares.delete(conversationId);
    const contact = peer ? await getContact(db, peer.accountId) : undefined;
    if (contact && state) await putContact(db, verificationFrom(contact, s, state.identityKey, state.head.seq, ctx.now()));
    return "applied";
  });
}

/**
 * A 1:1 peer's contact row after a record: marked verified only if the record verified the identity key
 * the peer has now (and the contact is not in the identity-changed state); the mark cleared if the record
 * has none; a key-change warning acknowledged only for the current key.
 */
export function verificationFrom(c: ContactRow, s: ChatSettings, identityKey: Uint8Array, headSeq: number, now: number): ContactRow {
  let row = c;
  if (s.verifiedIdentity && bytesEqual(s.verifiedIdentity, identityKey) && c.status === "verified") {
    const { keyChanged: _ack, ...rest } = row;
    row = c.verified && bytesEqual(c.verified.identityKey, identityKey) ? rest : { ...rest, verified: { identityKey, seq: headSeq, at: now } };
  } else if (!s.verifiedIdentity && row.verified) {
    const { verified: _gone, ...rest } = row;
    row = rest;
  }
  if (s.trustedIdentity && bytesEqual(s.trustedIdentity, identityKey) && row.keyChanged) {
    const { keyChanged: _ack, ...rest } = row;
    row = rest;
  }
  return row;
}

async function refuse(db: SealedDb, conversationId: ConversationId, why: string): Promise<"refused"> {
  console.warn(`chat settings of ${conversationId} refused: it ${why}`);
  await db.transaction("rw", db.conversations, async () => {
    const conv = await getConversation(db, conversationId);
    if (conv) await putConversation(db, { ...conv, rejected: conv.rejected + 1 });
  });
  return "refused";
}

/**
 * Fetches the records the account's devices wrote since the stored version and applies them in order.
 * The cursor moves past each one judged, and stops before one of a later generation.
 */
export function pullChatSettings(ctx: ClientContext): Promise<void> {
  return withLock("chat-settings-pull", () => pullPages(ctx));
}

async function pullPages(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  if (!account) return;
  for (;;) {
    const after = await getAccountCursor(ctx.db, "chat-settings");
    const page = await ctx.api.chatSettings(after);
    let reached = after;
    for (const s of page.settings) {
      if (s.version <= reached) continue; // a server repeating itself
      if ((await applyChatSettings(ctx, account, s.conversationId, fromBase64url(s.sealed))) === "later") return void (await advance(ctx.db, reached));
      reached = s.version;
    }
    await advance(ctx.db, reached);
    if (!page.more || reached === after) return;
  }
}

async function advance(db: SealedDb, version: number): Promise<void> {
  await db.transaction("rw", db.accountCursors, async () => {
    if ((await getAccountCursor(db, "chat-settings")) < version) await putAccountCursor(db, { name: "chat-settings", after: version });
  });
}

/**
 * After the AHK generation moved (a device removed), the settings this device holds were sealed under a
 * key the removed device also has, and this device ignores records of that generation: every chat with
 * shared settings sealed under an older generation takes the next revision and is queued, so it is sealed
 * again under the current one. Returns how many were queued.
 */
export async function queueResealAfterRotation(ctx: ClientContext): Promise<number> {
  const account = await getAccount(ctx.db);
  if (!account) return 0;
  const db = ctx.db;
  return db.transaction("rw", [db.chatPrefs, db.settingsShares, db.device], async () => {
    let queued = 0;
    for (const p of parseRows(chatPrefsRow, "chatPrefs", await db.chatPrefs.toArray())) {
      if (p.revision === undefined || p.generation === undefined || p.generation >= account.historyGeneration) continue;
      if (await db.settingsShares.get(p.conversationId)) continue;
      await db.chatPrefs.put(parseRow(chatPrefsRow, "chatPrefs", await withNextRevision(db, p)));
      queued++;
    }
    return queued;
  });
}
