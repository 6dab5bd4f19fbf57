import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing, svg } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { DeliveryView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { checkIcon } from "./icons.js";

const doubleCheckIcon = svg`<svg viewBox="0 0 30 24" width="1.3em" height="1em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round" stroke-linejoin="round"><path d="m2 13 4.5 4.5L16 8"/><path d="m11 15.5 2 2L22.5 8"/></svg>`;

const STATE_TEXT = () => ({ sent: msg("Sent"), delivered: msg("Delivered"), read: msg("Read") });

function list(names: readonly string[]): string {
  return names.length === 0 ? "nobody yet" : names.join(", ");
}

/**
 * The ticks of one's own message the server holds, as WhatsApp and Signal draw them: ✓ sent, ✓✓
 * delivered to every other member, ✓✓ highlighted once every other member read it. In a group the ticks
 * are a button that opens a small popover saying who read it and who has it (keyboard: Enter or Space
 * opens it, Escape closes it; the button's name says the same for screen readers).
 */
@localized()
@customElement("sealed-receipt-ticks")
export class SealedReceiptTicks extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: inline-flex;
        align-items: center;
      }
      .ticks {
        display: inline-flex;
        align-items: center;
        color: var(--muted);
      }
      .ticks[data-receipt="read"] {
        color: var(--accent);
      }
      button.ticks {
        min-height: 0;
        padding: 0 0.15rem;
        border: none;
        background: none;
        border-radius: 4px;
        cursor: pointer;
      }
      [popover] {
        margin: auto;
        padding: 0.75rem 1rem;
        max-width: min(20rem, 90vw);
        border: 1px solid var(--border);
        border-radius: 12px;
        background: var(--surface);
        color: var(--text);
        font-size: 0.85rem;
        box-shadow: 0 8px 24px rgb(0 0 0 / 0.18);
      }
      dl {
        margin: 0;
        display: grid;
        gap: 0.2rem 0.75rem;
        grid-template-columns: auto 1fr;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
    `,
  ];

  @property({ attribute: false }) delivery: DeliveryView | undefined;
  /** A group: the ticks open who read and who has the message. */
  @property({ type: Boolean }) group = false;

  override render() {
    const d = this.delivery ?? { state: "sent", readBy: [], deliveredTo: [], waiting: [] };
    const icon = d.state === "sent" ? checkIcon : doubleCheckIcon;
    if (!this.group) {
      return html`<span class="ticks" data-testid="message-ticks" data-receipt=${d.state} title=${STATE_TEXT()[d.state]}>
        ${icon}<span class="visually-hidden">${STATE_TEXT()[d.state]}</span>
      </span>`;
    }
    const label = [`${STATE_TEXT()[d.state]}.`, msg(str`Read by ${list(d.readBy)}.`), d.deliveredTo.length > 0 ? msg(str`Delivered to ${list(d.deliveredTo)}.`) : "", d.waiting.length > 0 ? msg(str`Waiting for ${list(d.waiting)}.`) : ""].filter((t) => t !== "").join(" ");
    return html`<button class="ticks" type="button" popovertarget="info" data-testid="message-ticks" data-receipt=${d.state} aria-label=${label} title=${label}>
        ${icon}
      </button>
      <div id="info" popover data-testid="receipt-info" role="dialog" aria-label=${msg("Message info")}>
        <dl>
          <dt>${msg("Read by")}</dt>
          <dd data-testid="read-by">${list(d.readBy)}</dd>
          ${d.deliveredTo.length > 0 ? html`<dt>${msg("Delivered to")}</dt><dd data-testid="delivered-to">${list(d.deliveredTo)}</dd>` : nothing}
          ${d.waiting.length > 0 ? html`<dt>${msg("Waiting for")}</dt><dd data-testid="waiting-for">${list(d.waiting)}</dd>` : nothing}
        </dl>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-receipt-ticks": SealedReceiptTicks;
  }
}
