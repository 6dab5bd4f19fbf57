import type { ConversationId } from "../../../../protocol/index.js";
import { getChatPrefs } from "../chats/chat-controls.js";
import type { ClientContext } from "../context.js";
import { queueContent } from "../conversations/messages.js";
import type { DeviceSettings } from "../settings.js";
import { getAccount, getConversation, getGroup, putConversation } from "../store/db.js";
import { unreadCount } from "../views/unread.js";
import { queueReadShare } from "./read-state.js";
import { alreadyMarked, newestFromOthers, refOf, rowAt } from "./receipt-targets.js";
import { onStoredFromOthers } from "./stored-hook.js";

/** How long marks wait after the messages that call for them, so a burst of messages costs one mark. */
export const RECEIPT_DELAY_MS = 1000;

export interface ReceiptOptions {
  /** Debounce of the marks; null: only `flush()` sends them (tests drive it). */
  readonly delayMs: number | null;
  readonly settings: DeviceSettings;
  /** Called after marks were queued (the client posts its outbox). */
  readonly afterQueue: () => void;
}

/**
 * `client.receipts`: what this device tells the others, as "up to here" marks (docs/decisions.md
 * "Receipts and unread"). New messages from other accounts call for one `delivered` mark at the newest,
 * whatever the read setting. While a chat is open and the page visible, its messages are read: readUpTo
 * moves at once (unread clears on this device; this account's other devices learn it from the sealed read
 * state, sync/read-state.ts, and the others from the mark), and one `read` mark follows if read receipts are on. A mark is skipped when this account (any device) already has one at
 * that position or past it. Marks are sealed like messages, so one written offline is sent once, later.
 * Receipts never call for receipts: only shown messages of others do.
 */
export class ReceiptSender {
  private openId: ConversationId | undefined;
  private visible: boolean;
  /** Conversations whose marks must be looked at in the next flush. */
  private readonly due = new Set<ConversationId>();
  /** For an open chat that was read: the position the read mark covers. */
  private readonly toRead = new Map<ConversationId, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: ClientContext,
    private readonly o: ReceiptOptions,
  ) {
    this.visible = typeof document === "undefined" || document.visibilityState === "visible";
    if (typeof document !== "undefined") document.addEventListener("visibilitychange", () => this.setVisible(document.visibilityState === "visible"));
    onStoredFromOthers(ctx, (id) => this.stored(id));
  }

  /**
   * The chat `id` is on screen. Returns the readUpTo it had when it holds unread messages (the chat
   * shows "New messages" above the first one after it), else undefined; then reads it if the page is visible.
   */
  async open(id: ConversationId): Promise<number | undefined> {
    this.openId = id;
    const conv = await getConversation(this.ctx.db, id);
    const me = (await getAccount(this.ctx.db))?.accountId;
    const before = conv && (await unreadCount(this.ctx.db, conv, me)) > 0 ? conv.readUpTo : undefined;
    if (this.visible) await this.read(id);
    return before;
  }

  /** The chat `id` left the screen. */
  close(id: ConversationId): void {
    if (this.openId === id) this.openId = undefined;
  }

  /** The page became visible or hidden (document.visibilityState); visible again reads the open chat. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible && this.openId) void this.read(this.openId).catch((e: unknown) => console.warn("could not mark the chat read:", e));
  }

  /** Queues the marks that are due now (the debounce calls it; tests call it directly). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const ids = new Set([...this.due, ...this.toRead.keys()]);
    this.due.clear();
    const reads = new Map(this.toRead);
    this.toRead.clear();
    this.running = this.running.then(async () => {
      let queued = false;
      for (const id of ids) {
        try {
          queued = (await this.mark(id, reads.get(id))) || queued;
        } catch (e) {
          // No epoch key yet, a blocked contact, a group left: the next message will call for it again.
          console.warn(`could not send a receipt in ${id}:`, e);
        }
      }
      // A read also queued a read state to share (sync/read-state.ts), which the same flush posts.
      if (queued || reads.size > 0) this.o.afterQueue();
    });
    return this.running;
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private stored(id: ConversationId): void {
    this.due.add(id);
    if (this.visible && this.openId === id) void this.read(id).catch((e: unknown) => console.warn("could not mark the chat read:", e));
    this.schedule();
  }

  /** Moves readUpTo to the newest message of the others now, and notes the read mark to send. */
  private async read(id: ConversationId): Promise<void> {
    const me = (await getAccount(this.ctx.db))?.accountId;
    if (!me) return;
    const newest = await newestFromOthers(this.ctx.db, id, me);
    if (newest?.seq === undefined) return;
    const seq = newest.seq;
    await this.ctx.db.transaction("rw", [this.ctx.db.conversations, this.ctx.db.readShares], async () => {
      const conv = await getConversation(this.ctx.db, id);
      if (!conv || (conv.readUpTo ?? 0) >= seq) return;
      await putConversation(this.ctx.db, { ...conv, readUpTo: seq });
      // The account's other devices learn it from the read state, whatever the read-receipt setting.
      await queueReadShare(this.ctx.db, id, seq);
    });
    this.toRead.set(id, Math.max(this.toRead.get(id) ?? 0, seq));
    this.schedule();
  }

  private schedule(): void {
    if (this.o.delayMs === null || this.timer !== undefined) return;
    this.timer = setTimeout(() => void this.flush(), this.o.delayMs);
  }

  /** Queues the read mark (if any, and if read receipts are on), else a delivered mark if one is due. */
  private async mark(id: ConversationId, readTo: number | undefined): Promise<boolean> {
    const me = (await getAccount(this.ctx.db))?.accountId;
    if (!me || !(await canWrite(this.ctx, id, me))) return false;
    const newest = await newestFromOthers(this.ctx.db, id, me);
    if (newest?.seq === undefined) return false;
    let queued = false;
    // The read mark covers what was on screen: the newest message of the others when it was read (more
    // may have arrived since, while the chat was closed; those get a delivered mark below).
    const read = readTo !== undefined && this.o.settings.readReceipts ? await rowAt(this.ctx.db, id, readTo) : undefined;
    if (read?.seq !== undefined && !(await alreadyMarked(this.ctx.db, id, me, read.seq, ["read"]))) {
      await queueContent(this.ctx, id, { kind: "receipt", mark: "read", position: read.seq, at: refOf(read) });
      queued = true;
    }
    if (!(await alreadyMarked(this.ctx.db, id, me, newest.seq, ["delivered", "read"]))) {
      await queueContent(this.ctx, id, { kind: "receipt", mark: "delivered", position: newest.seq, at: refOf(newest) });
      queued = true;
    }
    return queued;
  }
}

/** A group this account left (or a 1:1 chat whose peer this account blocked) or was removed from takes no marks from it (the server would refuse them). */
async function canWrite(ctx: ClientContext, id: ConversationId, me: string): Promise<boolean> {
  const conv = await getConversation(ctx.db, id);
  // A blocked contact gets no delivered or read marks (chats/chat-controls.ts), as in Signal.
  if (conv?.kind === "direct" && (await getChatPrefs(ctx.db, id)).blockedSince !== undefined) return false;
  if (conv?.kind !== "group") return conv !== undefined;
  const g = await getGroup(ctx.db, id);
  return g !== undefined && g.refusedAt === undefined && g.members.some((m) => m.accountId === me);
}
