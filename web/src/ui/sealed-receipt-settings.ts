import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";

/**
 * Settings → Read receipts: "Send and show read receipts", on by default, for this device only (as in Signal,
 * off means you neither send read receipts nor see other people's; delivered ticks stay).
 */
@localized()
@customElement("sealed-receipt-settings")
export class SealedReceiptSettings extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      .title {
        font-weight: 600;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private on = true;

  override connectedCallback(): void {
    super.connectedCallback();
    this.on = this.client.settings.readReceipts;
  }

  private toggle(e: Event): void {
    const box = e.target;
    if (!(box instanceof HTMLInputElement)) return;
    this.client.settings.readReceipts = box.checked;
    this.on = box.checked;
  }

  override render() {
    return html`<section aria-labelledby="receipts-title" data-testid="read-receipts-settings">
      <h2 id="receipts-title">${msg("Read receipts")}</h2>
      <label>
        <input type="checkbox" .checked=${this.on} @change=${this.toggle} data-testid="read-receipts-setting" aria-describedby="read-receipts-hint" />
        <span>
          <span class="title">${msg("Send and show read receipts")}</span>
          <span class="hint" id="read-receipts-hint">
            ${msg("When this is off, people won't see when you've read their messages, and you won't see when they've read yours. It applies to this device only.")}
          </span>
        </span>
      </label>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-receipt-settings": SealedReceiptSettings;
  }
}
