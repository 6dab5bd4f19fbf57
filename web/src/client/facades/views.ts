import type { ConversationId } from "../../../../protocol/index.js";
import type { DeviceSettings } from "../settings.js";
import { getAccount, type SealedDb } from "../store/db.js";
import { uploadViews, type UploadView } from "../views/upload-view.js";
import { conversationViews, timelineViews, type ConversationView, type TimelineItem } from "../views/views.js";

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
