import { LitElement, css, html, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { ConversationView } from "../client/index.js";
import { shared } from "../styles/shared.js";

export type ChatAction = "pin" | "unpin" | "archive" | "unarchive" | "mark-unread" | "mark-read" | "delete" | "block" | "unblock";

const LABELS: Record<ChatAction, string> = {
  pin: "Pin chat",
  unpin: "Unpin chat",
  archive: "Archive chat",
  unarchive: "Unarchive chat",
  "mark-unread": "Mark as unread",
  "mark-read": "Mark as read",
  delete: "Delete chat",
  block: "Block",
  unblock: "Unblock",
};

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
@customElement("sealed-chat-menu")
export class SealedChatMenu extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        position: fixed;
        z-index: 20;
      }
      [role="menu"] {
        background: var(--surface);
        color: var(--text);
        border: 1px solid var(--border);
        border-radius: 16px;
        box-shadow: 0 12px 40px rgb(0 0 0 / 22%);
        padding: 0.35rem;
        min-width: 13rem;
      }
      .item {
        display: flex;
        width: 100%;
        justify-content: flex-start;
        border-radius: 10px;
        background: transparent;
        color: var(--text);
        font-weight: 500;
      }
      .item:hover,
      .item:focus-visible {
        background: var(--surface-2);
      }
      .item.danger {
        color: var(--danger);
      }
      @media (max-width: 699.98px) {
        :host {
          left: 0 !important;
          right: 0;
          top: auto !important;
          bottom: 0;
        }
        [role="menu"] {
          border-radius: 18px 18px 0 0;
          padding-bottom: calc(0.5rem + env(safe-area-inset-bottom));
        }
      }
    `,
  ];

  @property({ attribute: false }) chat!: ConversationView;
  /** The button that opened it: the menu sits next to it and gives it focus back on close. */
  @property({ attribute: false }) trigger: HTMLElement | undefined;
  /** Where a right-click opened it (the menu sits there instead). */
  @property({ attribute: false }) at: { x: number; y: number } | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    document.addEventListener("pointerdown", this.onOutside, true);
  }

  override disconnectedCallback(): void {
    document.removeEventListener("pointerdown", this.onOutside, true);
    super.disconnectedCallback();
  }

  private readonly onOutside = (e: PointerEvent): void => {
    if (!e.composedPath().includes(this) && !(this.trigger && e.composedPath().includes(this.trigger))) this.close(false);
  };

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("trigger") || changed.has("chat") || changed.has("at")) this.place();
    if (changed.has("trigger") || changed.has("at")) this.buttons()[0]?.focus();
  }

  private place(): void {
    const r = this.at ? { right: this.at.x + 1, top: this.at.y, bottom: this.at.y } : this.trigger?.getBoundingClientRect();
    if (!r) return;
    const w = this.offsetWidth || 220;
    const h = this.offsetHeight || 260;
    const left = this.at ? Math.min(this.at.x, window.innerWidth - w - 8) : Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
    const top = r.bottom + h + 8 > window.innerHeight ? Math.max(8, r.top - h - 4) : r.bottom + 4;
    this.style.left = `${Math.max(8, left)}px`;
    this.style.top = `${top}px`;
  }

  private buttons(): HTMLButtonElement[] {
    return [...this.renderRoot.querySelectorAll<HTMLButtonElement>("button")];
  }

  private onKey(e: KeyboardEvent): void {
    const all = this.buttons();
    const at = all.indexOf(this.renderRoot.querySelector<HTMLButtonElement>("button:focus") ?? all[0]!);
    const move = (to: number) => all[(to + all.length) % all.length]?.focus();
    if (e.key === "Escape") this.close(true);
    else if (e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowUp") move(at - 1);
    else if (e.key === "Home") move(0);
    else if (e.key === "End") move(all.length - 1);
    else if (e.key === "Tab") this.close(false);
    else return;
    e.preventDefault();
    e.stopPropagation();
  }

  private close(refocus: boolean): void {
    if (refocus) this.trigger?.focus();
    this.dispatchEvent(new CustomEvent("menu-closed", { bubbles: true, composed: true }));
  }

  private choose(action: ChatAction): void {
    this.close(action !== "delete" && action !== "block");
    this.dispatchEvent(new CustomEvent<{ action: ChatAction; chat: ConversationView }>("chat-action", { detail: { action, chat: this.chat }, bubbles: true, composed: true }));
  }

  override render() {
    return html`<div role="menu" aria-label="Options for ${this.chat.title}" @keydown=${this.onKey} data-testid="chat-menu">
      ${chatMenuItems(this.chat).map(
        (a) => html`<button type="button" role="menuitem" tabindex="-1" class="item ${a === "delete" || a === "block" ? "danger" : ""}" data-testid="chat-menu-${a}" @click=${() => this.choose(a)}>
          ${LABELS[a]}
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
