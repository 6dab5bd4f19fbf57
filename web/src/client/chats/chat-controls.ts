import type { ConversationId } from "../../../../protocol/index.js";
import { ClientError } from "../errors.js";
import { getConversation, type SealedDb } from "../store/db.js";
import { parseRow, parseRows } from "../store/rows.js";
import { chatPrefsRow, MAX_PINNED, type ChatPrefsRow } from "./chat-prefs-row.js";
import { withNextRevision } from "./settings-share.js";
import { unindexPostings } from "../search/index-message.js";
import type { PostingKey } from "../search/term-stream.js";

/**
 * `client.chats`: the chat list's controls (docs/decisions.md "Chat list controls", issue 21): pin,
 * archive, mark unread, block and "delete for me". Kept on this device (chats/chat-prefs-row.ts) and
 * shared with the account's other devices: every change takes the next revision and queues the chat for
 * sharing in the same transaction (chats/settings-share.ts), so the list's live query sees it at once.
 */
export async function getChatPrefs(db: SealedDb, id: ConversationId): Promise<ChatPrefsRow> {
  const r = await db.chatPrefs.get(id);
  return r === undefined ? { conversationId: id } : parseRow(chatPrefsRow, "chatPrefs", r);
}

export async function listChatPrefs(db: SealedDb): Promise<Map<ConversationId, ChatPrefsRow>> {
  return new Map(parseRows(chatPrefsRow, "chatPrefs", await db.chatPrefs.toArray()).map((p) => [p.conversationId, p]));
}

/** Drops the optional fields set to undefined, so a row parses and stores the same. */
function compact(p: ChatPrefsRow): ChatPrefsRow {
  return Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as ChatPrefsRow;
}

async function update(db: SealedDb, id: ConversationId, change: (p: ChatPrefsRow, all: Map<ConversationId, ChatPrefsRow>) => ChatPrefsRow | Promise<ChatPrefsRow>): Promise<ChatPrefsRow> {
  return db.transaction("rw", [db.chatPrefs, db.conversations, db.messages, db.device, db.settingsShares], async () => {
    if (!(await getConversation(db, id))) throw new ClientError("unknown_conversation", `no conversation ${id}`);
    const all = await listChatPrefs(db);
    const before = all.get(id) ?? { conversationId: id };
    const changed = compact(await change(before, all));
    if (JSON.stringify(changed) === JSON.stringify(compact(before))) return before; // nothing changed: nothing to share
    const next = parseRow(chatPrefsRow, "chatPrefs", compact(await withNextRevision(db, changed)));
    await db.chatPrefs.put(next);
    return next;
  });
}

/** The newest position this device holds in a chat (stored rows and the server's last one it knows). */
async function newestSeq(db: SealedDb, id: ConversationId): Promise<number> {
  const conv = await getConversation(db, id);
  const last = await db.messages.where("[conversationId+seq]").between([id, 0], [id, Number.MAX_SAFE_INTEGER]).last();
  return Math.max(conv?.lastSeq ?? 0, (last as { seq?: number } | undefined)?.seq ?? 0);
}

/**
 * Deletes this device's stored messages of a chat up to `upTo`, their envelopes and search postings
 * ("Delete chat", here or applied from another device). Inside a transaction over the tables named.
 */
export async function deleteMessagesUpTo(db: SealedDb, id: ConversationId, upTo: number): Promise<void> {
  await db.messages.where("[conversationId+seq]").between([id, 0], [id, upTo], true, true).delete();
  await db.envelopes.where("[conversationId+seq]").between([id, 0], [id, upTo], true, true).delete();
  const left = new Set((await db.messages.where("conversationId").equals(id).primaryKeys()).map((k) => (k as [string, string])[1]));
  // Through the index's own removal, so a word no message holds any more leaves the term table too.
  await unindexPostings(db, (await db.searchPostings.where("[c+m]").between([id, ""], [id, "\uffff"]).filter((p) => !left.has(p.m)).primaryKeys()) as PostingKey[]);
}

export class ChatControls {
  /** `afterChange`: a change was queued for the account's other devices (the client flushes soon). */
  constructor(
    private readonly db: SealedDb,
    private readonly afterChange: () => void = () => {},
  ) {}

  private async update(id: ConversationId, change: Parameters<typeof update>[2]): Promise<ChatPrefsRow> {
    const row = await update(this.db, id, change);
    this.afterChange();
    return row;
  }

  /** Pins a chat after the others pinned (at most MAX_PINNED: `too_many_pinned`); unpinned if `pinned` is false. */
  pin(id: ConversationId, pinned: boolean): Promise<ChatPrefsRow> {
    return this.update(id, (p, all) => {
      if (!pinned) return { ...p, pinOrder: undefined };
      if (p.pinOrder !== undefined) return p;
      const orders = [...all.values()].filter((o) => o.conversationId !== id && o.pinOrder !== undefined && o.archivedAt === undefined).map((o) => o.pinOrder ?? 0);
      if (orders.length >= MAX_PINNED) throw new ClientError("too_many_pinned", `at most ${MAX_PINNED} chats can be pinned`);
      return { ...p, pinOrder: Math.max(0, ...orders, ...[...all.values()].map((o) => o.pinOrder ?? 0)) + 1, archivedAt: undefined };
    });
  }

  /** Archives a chat (unpinning it) or brings it back. */
  archive(id: ConversationId, archived: boolean): Promise<ChatPrefsRow> {
    return this.update(id, async (p) => (archived ? { ...p, archivedAt: await newestSeq(this.db, id), pinOrder: undefined } : { ...p, archivedAt: undefined }));
  }

  /** "Mark as unread" (a dot, no count) or back; opening the chat clears it too (`opened`). */
  markUnread(id: ConversationId, unread: boolean): Promise<ChatPrefsRow> {
    return this.update(id, (p) => ({ ...p, markedUnread: unread ? true : undefined }));
  }

  /** The chat is on screen: a "marked unread" dot clears. */
  async opened(id: ConversationId): Promise<void> {
    const p = await getChatPrefs(this.db, id);
    if (p.markedUnread) await this.markUnread(id, false);
  }

  /**
   * Blocks or unblocks the peer of a 1:1 chat. Enforced here only (the server cannot read messages): the
   * peer's messages past the block are not shown or notified, and this device does not send to the chat.
   * Unblocking keeps what arrived meanwhile hidden and shows what comes next.
   */
  block(id: ConversationId, blocked: boolean): Promise<ChatPrefsRow> {
    return this.update(id, async (p) => {
      const conv = await getConversation(this.db, id);
      if (conv?.kind !== "direct") throw new ClientError("unknown_conversation", "only a 1:1 chat's peer can be blocked");
      const now = await newestSeq(this.db, id);
      if (blocked) return p.blockedSince !== undefined ? p : { ...p, blockedSince: now };
      if (p.blockedSince === undefined) return p;
      const hidden = now > p.blockedSince ? [...(p.hidden ?? []), { after: p.blockedSince, upTo: now }].slice(-1000) : p.hidden;
      return { ...p, blockedSince: undefined, hidden };
    });
  }

  /** Throws `chat_blocked` when this account blocked the chat's peer (checked before sending). */
  async assertNotBlocked(id: ConversationId): Promise<void> {
    if ((await getChatPrefs(this.db, id)).blockedSince !== undefined) throw new ClientError("chat_blocked", "you blocked this contact: unblock to send");
  }

  /**
   * "Delete chat" on this device only: its stored messages, their envelopes and search postings go; the
   * chat stays in the list (the server still lists it), empty, and shows what arrives next. Messages not
   * yet sent stay in the outbox (and are sent).
   */
  async deleteLocally(id: ConversationId): Promise<void> {
    const db = this.db;
    await db.transaction("rw", [db.chatPrefs, db.conversations, db.messages, db.envelopes, db.searchPostings, db.searchTerms, db.device, db.settingsShares], async () => {
      const upTo = await newestSeq(db, id);
      await deleteMessagesUpTo(db, id, upTo);
      await update(db, id, (p) => ({ ...p, deletedUpTo: upTo, markedUnread: undefined }));
    });
    this.afterChange();
  }
}
