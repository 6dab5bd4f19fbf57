import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ConversationView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { PopupMenuController, placeMenu, popupMenuStyles } from "./popup-menu.js";

export type ChatAction = "pin" | "unpin" | "archive" | "unarchive" | "mark-unread" | "mark-read" | "delete" | "block" | "unblock";

const LABELS = (): Record<ChatAction, string> => ({
  pin: msg("Pin chat"),
  unpin: msg("Unpin chat"),
  archive: msg("Archive chat"),
  unarchive: msg("Unarchive chat"),
  "mark-unread": msg("Mark as unread"),
  "mark-read": msg("Mark as read"),
  delete: msg("Delete chat"),
  block: msg("Block"),
  unblock: msg("Unblock"),
});

/** What the menu offers for a chat, by its state (pin is not offered for an archived chat, as in WhatsApp). */
export function chatMenuItems(c: ConversationView): ChatAction[] {
  const items: ChatAction[] = [];
  if (!c.archived) items.push(c.pinOrder !== undefined ? "unpin" : "pin");
  items.push(c.archived ? "unarchive" : "archive");
  if (c.markedUnread) items.push("mark-read");
  else if (c.unread === 0) items.push("mark-unread");
  items.push("delete");
  if (c.kind === "direct") items.push(c.blocked ? "unblock" : "block");
  return items;
}

/**
 * One chat's controls in the list as a menu (WAI-ARIA menu pattern, like sealed-message-menu): opened
 * from the row's "⋯" button or a right-click; arrow keys move, Enter chooses, Escape or a click elsewhere
 * closes and gives focus back to the button. A sheet at the bottom on a phone. Fires `chat-action`
 * ({ action, chat }) and `menu-closed`.
 */
@localized()
@customElement("sealed-chat-menu")
export class SealedChatMenu extends LitElement {
  static override styles = [
    shared,
    css`
      [role="menu"] {
        min-width: 13rem;
      }
    `,
    popupMenuStyles,
  ];

  @property({ attribute: false }) chat!: ConversationView;
  /** The button that opened it: the menu sits next to it and gives it focus back on close. */
  @property({ attribute: false }) trigger: HTMLElement | undefined;
  /** Where a right-click opened it (the menu sits there instead). */
  @property({ attribute: false }) at: { x: number; y: number } | undefined;
  private readonly menu = new PopupMenuController(this, "vertical");

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("trigger") || changed.has("chat") || changed.has("at")) placeMenu(this, this.trigger, this.at, { width: 220, height: 260 });
    if (changed.has("trigger") || changed.has("at")) this.menu.focusFirst();
  }

  private choose(action: ChatAction): void {
    this.menu.close(action !== "delete" && action !== "block");
    this.dispatchEvent(new CustomEvent<{ action: ChatAction; chat: ConversationView }>("chat-action", { detail: { action, chat: this.chat }, bubbles: true, composed: true }));
  }

  override render() {
    return html`<div role="menu" aria-label=${msg(str`Options for ${this.chat.title}`)} @keydown=${this.menu.onKey} data-testid="chat-menu">
      ${chatMenuItems(this.chat).map(
        (a) => html`<button type="button" role="menuitem" tabindex="-1" class="item ${a === "delete" || a === "block" ? "danger" : ""}" data-testid="chat-menu-${a}" @click=${() => this.choose(a)}>
          ${LABELS()[a]}
        </button>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-chat-menu": SealedChatMenu;
  }
}
