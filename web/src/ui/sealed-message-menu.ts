import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { MessageView } from "../client/index.js";
import { shared } from "../styles/shared.js";

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

const LABELS = { reply: "Reply", edit: "Edit", delete: "Delete for everyone" } as const;

/**
 * One message's actions as a menu (WAI-ARIA menu pattern): a row of quick reactions, then Reply, Edit and
 * Delete for everyone where they apply. Opened from a bubble's "More actions" or "React" button; arrow
 * keys move, Enter chooses, Escape or a click elsewhere closes and gives focus back to that button.
 * Next to the button on a wide screen, a sheet at the bottom on a phone. Fires `message-action`
 * (MessageAction) and `menu-closed`.
 */
@customElement("sealed-message-menu")
export class SealedMessageMenu extends LitElement {
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
      .item {
        display: flex;
        width: 100%;
        justify-content: flex-start;
        border-radius: 10px;
        background: transparent;
        color: var(--text);
        font-weight: 500;
      }
      .emoji button:hover,
      .item:hover,
      button:focus-visible {
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
        .emoji {
          justify-content: space-around;
        }
      }
    `,
  ];

  @property({ attribute: false }) message!: MessageView;
  /** `react`: only the quick reactions; `more`: those and the other actions. */
  @property() mode: "react" | "more" = "more";
  /** The button that opened it: the menu sits next to it and gives it focus back on close. */
  @property({ attribute: false }) trigger: HTMLElement | undefined;

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
    if (changed.has("trigger") || changed.has("message")) this.place();
    if (changed.has("trigger")) this.buttons()[0]?.focus();
  }

  /** Below the trigger, or above it near the bottom of the window; kept inside the window. */
  private place(): void {
    const r = this.trigger?.getBoundingClientRect();
    if (!r) return;
    const w = this.offsetWidth || 240;
    const h = this.offsetHeight || 200;
    const left = Math.min(Math.max(8, r.right - w), window.innerWidth - w - 8);
    const top = r.bottom + h + 8 > window.innerHeight ? Math.max(8, r.top - h - 4) : r.bottom + 4;
    this.style.left = `${left}px`;
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
    else if (e.key === "ArrowRight" || e.key === "ArrowDown") move(at + 1);
    else if (e.key === "ArrowLeft" || e.key === "ArrowUp") move(at - 1);
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

  private choose(a: MessageAction): void {
    this.close(a.action === "react");
    this.dispatchEvent(new CustomEvent<MessageAction>("message-action", { detail: a, bubbles: true, composed: true }));
  }

  override render() {
    const m = this.message;
    const mine = m.reactions.find((r) => r.mine)?.emoji;
    const who = m.mine ? "your message" : `${m.senderName}'s message`;
    return html`<div role="menu" aria-label="Actions for ${who}" @keydown=${this.onKey} data-testid="message-menu">
      <div class="emoji" role="group" aria-label="React">
        ${QUICK_REACTIONS.map(
          (e) => html`<button
            type="button"
            role="menuitemcheckbox"
            aria-checked=${mine === e ? "true" : "false"}
            aria-label=${mine === e ? `Remove reaction ${e}` : `React ${e}`}
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
              ${LABELS[a]}
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
