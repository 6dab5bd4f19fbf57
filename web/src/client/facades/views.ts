import type { ConversationId } from "../../../../protocol/index.js";
import type { DeviceSettings } from "../settings.js";
import { getAccount, getMessage, type SealedDb } from "../store/db.js";
import { uploadViews, type UploadView } from "../views/upload-view.js";
import { conversationViews, timelineViews, type ConversationView, type TimelineItem } from "../views/views.js";
import { timelineWindow, type TimelineWindow, type WindowRange } from "../views/timeline-window.js";

/**
 * `client.views`: the read models the screens render (views/views.ts). They only read IndexedDB, so a
 * screen runs them inside a Dexie liveQuery and re-renders whenever what they read changes.
 */
export class ViewsFacade {
  constructor(
    private readonly db: SealedDb,
    private readonly settings?: DeviceSettings,
  ) {}

  conversations(): Promise<ConversationView[]> {
    return conversationViews(this.db);
  }

  /** A chat's timeline; with `newest`, only its newest bubbles and what follows them (views.ts ViewOptions). */
  timeline(id: ConversationId, o: { newest?: number } = {}): Promise<TimelineItem[]> {
    // Read receipts off on this device: others' read marks are not shown either (ticks stop at delivered).
    return timelineViews(this.db, id, { showRead: this.settings?.readReceipts ?? true, ...o });
  }

  /** The part `range` of a chat's timeline that an open chat holds (views/timeline-window.ts). */
  window(id: ConversationId, range: WindowRange): Promise<TimelineWindow> {
    return timelineWindow(this.db, id, range, { showRead: this.settings?.readReceipts ?? true });
  }

  /**
   * Where a message of a chat stands in server order, to read the window around it (a quote or a search
   * result jumped to): undefined when this device does not hold it, "unsent" for one not on the server yet.
   */
  async positionOf(id: ConversationId, clientMessageId: string): Promise<number | "unsent" | undefined> {
    const row = await getMessage(this.db, id, clientMessageId);
    return row === undefined ? undefined : (row.seq ?? "unsent");
  }

  /** The files on their way out in a chat, oldest first: shown below all its messages until sent. */
  uploads(id: ConversationId): Promise<UploadView[]> {
    return uploadViews(this.db, id);
  }

  /** Who is signed in on this device, or undefined before signing up. */
  async me(): Promise<{ accountId: string; username: string } | undefined> {
    const a = await getAccount(this.db);
    return a ? { accountId: a.accountId, username: a.username } : undefined;
  }
}
