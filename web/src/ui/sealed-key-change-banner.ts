import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, property } from "lit/decorators.js";
import type { ChatClient, PeerView } from "../client/index.js";
import { clientContext } from "./context.js";
import { bannerStyles } from "../styles/banner.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { warningIcon } from "./icons.js";

/**
 * Shown when a contact's account was reset (its identity key replaced with the recovery key): any
 * verified mark is gone. "Verify" opens the safety-number dialog (fires `verify`); "Trust again"
 * acknowledges the new key and removes this banner without marking verified.
 */
@localized()
@customElement("sealed-key-change-banner")
export class SealedKeyChangeBanner extends LitElement {
  static override styles = [
    shared,
    bannerStyles,
    css`
      .buttons {
        display: flex;
        gap: 0.5rem;
        margin: 0.6rem 0 0;
        padding: 0;
        border: 0;
        flex-wrap: wrap;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) peer!: PeerView;

  private readonly trusting = new Action(this, () => this.client.verification.trustAgain(this.peer.accountId));

  override render() {
    const name = this.peer.username;
    return html`<div class="danger" role="alert" data-testid="key-change-warning">
      <span class="icon">${warningIcon}</span>
      <span>
        <strong>${msg(str`Your safety number with ${name} changed. Verify again.`)}</strong>
        <p>${msg(str`${name}'s account was reset with its recovery key, so it now has a new identity key. This is expected if ${name} restored their account; if not, someone else may hold it. Compare your safety number with ${name} before you trust it.`)}</p>
        ${this.trusting.error ? html`<p role="alert">${this.trusting.error}</p>` : ""}
        <span class="buttons">
          <button class="secondary" type="button" @click=${() => this.dispatchEvent(new CustomEvent("verify", { bubbles: true, composed: true }))} data-testid="key-change-verify">${msg("Verify")}</button>
          <button class="secondary" type="button" ?disabled=${this.trusting.pending} @click=${() => this.trusting.run()} data-testid="key-change-trust">${msg("Trust again")}</button>
        </span>
      </span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-key-change-banner": SealedKeyChangeBanner;
  }
}
