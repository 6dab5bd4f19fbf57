import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { MessageView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { PopupMenuController, placeMenu, popupMenuStyles } from "./popup-menu.js";

/** The quick reactions, as in WhatsApp. */
export const QUICK_REACTIONS = ["👍", "❤️", "😂", "😮", "😢", "🙏"] as const;

export type MessageAction = { action: "reply" | "edit" | "delete"; message: MessageView } | { action: "react"; message: MessageView; emoji: string | null };

/** What the menu offers for a message: reacting always, the rest by what the message is and whose. */
export function menuItems(m: MessageView): ("reply" | "edit" | "delete")[] {
  const items: ("reply" | "edit" | "delete")[] = ["reply"];
  if (m.mine && m.content === "text") items.push("edit");
  if (m.mine && m.status === "sent") items.push("delete");
  return items;
}

const LABELS = () => ({ reply: msg("Reply"), edit: msg("Edit"), delete: msg("Delete for everyone") });

/**
 * One message's actions as a menu (WAI-ARIA menu pattern): a row of quick reactions, then Reply, Edit and
 * Delete for everyone where they apply. Opened from a bubble's "More actions" or "React" button; arrow
 * keys move, Enter chooses, Escape or a click elsewhere closes and gives focus back to that button.
 * Next to the button on a wide screen, a sheet at the bottom on a phone. Fires `message-action`
 * (MessageAction) and `menu-closed`.
 */
@localized()
@customElement("sealed-message-menu")
export class SealedMessageMenu extends LitElement {
  static override styles = [
    shared,
    css`
      [role="menu"] {
        min-width: 14rem;
      }
      .emoji {
        display: flex;
        gap: 0.15rem;
        padding: 0.15rem 0.15rem 0.35rem;
        border-bottom: 1px solid var(--border);
        margin-bottom: 0.25rem;
      }
      .emoji button {
        min-height: 2.4rem;
        width: 2.4rem;
        padding: 0;
        font-size: 1.35rem;
        background: transparent;
      }
      .emoji button[aria-checked="true"] {
        background: var(--accent-soft);
      }
      .emoji button:hover {
        background: var(--surface-2);
      }
      @media (max-width: 699.98px) {
        .emoji {
          justify-content: space-around;
        }
      }
    `,
    popupMenuStyles,
  ];

  @property({ attribute: false }) message!: MessageView;
  /** `react`: only the quick reactions; `more`: those and the other actions. */
  @property() mode: "react" | "more" = "more";
  /** The button that opened it: the menu sits next to it and gives it focus back on close. */
  @property({ attribute: false }) trigger: HTMLElement | undefined;
  private readonly menu = new PopupMenuController(this, "both");

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has("trigger") || changed.has("message")) placeMenu(this, this.trigger, undefined, { width: 240, height: 200 });
    if (changed.has("trigger")) this.menu.focusFirst();
  }

  private choose(a: MessageAction): void {
    this.menu.close(a.action === "react");
    this.dispatchEvent(new CustomEvent<MessageAction>("message-action", { detail: a, bubbles: true, composed: true }));
  }

  override render() {
    const m = this.message;
    const mine = m.reactions.find((r) => r.mine)?.emoji;
    const name = m.senderName;
    const label = m.mine ? msg("Actions for your message") : msg(str`Actions for ${name}'s message`);
    return html`<div role="menu" aria-label=${label} @keydown=${this.menu.onKey} data-testid="message-menu">
      <div class="emoji" role="group" aria-label=${msg("React")}>
        ${QUICK_REACTIONS.map(
          (e) => html`<button
            type="button"
            role="menuitemcheckbox"
            aria-checked=${mine === e ? "true" : "false"}
            aria-label=${mine === e ? msg(str`Remove reaction ${e}`) : msg(str`React ${e}`)}
            data-testid="react-${e}"
            @click=${() => this.choose({ action: "react", message: m, emoji: mine === e ? null : e })}
          >
            ${e}
          </button>`,
        )}
      </div>
      ${this.mode === "more"
        ? menuItems(m).map(
            (a) => html`<button type="button" role="menuitem" class="item ${a === "delete" ? "danger" : ""}" data-testid="menu-${a}" @click=${() => this.choose({ action: a, message: m })}>
              ${LABELS()[a]}
            </button>`,
          )
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-message-menu": SealedMessageMenu;
  }
}
