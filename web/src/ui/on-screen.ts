import type { ReactiveController, ReactiveControllerHost } from "lit";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";

/**
 * Tells the client which chat is on screen, so it reads it while the page is visible (receipts and
 * unread, docs/decisions.md), and keeps where the chat's "New messages" divider goes: the read position
 * it had when it opened with unread messages, fixed while it stays open.
 */
export class OnScreenController implements ReactiveController {
  unreadAfter: number | undefined;
  private id: ConversationId | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly client: () => ChatClient,
  ) {
    host.addController(this);
  }

  /** The chat `id` is now the one on screen (call when it changes). */
  async show(id: ConversationId): Promise<void> {
    if (this.id === id) return;
    if (this.id) this.client().receipts.close(this.id);
    this.id = id;
    this.unreadAfter = undefined;
    const after = await this.client()
      .receipts.open(id)
      .catch((e: unknown) => {
        console.warn("could not mark the chat read:", e);
        return undefined;
      });
    if (this.id !== id) return;
    this.unreadAfter = after;
    this.host.requestUpdate();
  }

  hostDisconnected(): void {
    if (this.id) this.client().receipts.close(this.id);
    this.id = undefined;
  }
}
