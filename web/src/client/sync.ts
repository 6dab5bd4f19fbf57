import { logIn } from "./account.js";
import { isApiError } from "./api.js";
import type { ClientContext } from "./context.js";
import { syncConversations } from "./conversations.js";
import { getCursor } from "./db.js";
import { conversationsWithPending, flushOutbox } from "./messages.js";
import { pullMessages } from "./receive.js";

export type SyncStatus = "starting" | "online" | "offline";

/** How often the client polls for new conversations and messages (realtime push comes later). */
export const POLL_INTERVAL_MS = 1500;

/**
 * The polling loop: one request for the conversation list, then messages only for conversations whose
 * server sequence moved past the local cursor, then the outbox. A lost session is renewed by logging in
 * again. Dispatches "status" when reachability changes.
 */
export class Syncer extends EventTarget {
  status: SyncStatus = "starting";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly ctx: ClientContext) {
    super();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
  }

  /** Runs one pass now (or joins the one under way). */
  syncNow(): Promise<void> {
    this.inFlight ??= this.pass().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async loop(): Promise<void> {
    if (!this.running) return;
    await this.syncNow();
    if (this.running) this.timer = setTimeout(() => void this.loop(), POLL_INTERVAL_MS);
  }

  private setStatus(s: SyncStatus): void {
    if (s === this.status) return;
    this.status = s;
    this.dispatchEvent(new Event("status"));
  }

  private async pass(): Promise<void> {
    try {
      await this.passOnce();
      this.setStatus("online");
    } catch (e) {
      if (isApiError(e) && e.status === 401) {
        try {
          await logIn(this.ctx);
          await this.passOnce();
          this.setStatus("online");
          return;
        } catch (again) {
          e = again;
        }
      }
      if (isApiError(e) && (e.code === "network" || e.status >= 500)) this.setStatus("offline");
      else console.warn("sync failed:", e);
    }
  }

  private async passOnce(): Promise<void> {
    const conversations = await syncConversations(this.ctx);
    for (const c of conversations) {
      if (c.lastSeq > (await getCursor(this.ctx.db, c.id))) await pullMessages(this.ctx, c.id);
    }
    for (const id of await conversationsWithPending(this.ctx)) await flushOutbox(this.ctx, id);
  }
}
