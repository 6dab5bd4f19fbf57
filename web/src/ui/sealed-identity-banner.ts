import { LitElement, css, html } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { PeerView } from "../client/views.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/** The blocking warning shown when a contact's identity no longer matches the one first verified. */
@customElement("sealed-identity-banner")
export class SealedIdentityBanner extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
      }
      div {
        display: flex;
        gap: 0.75rem;
        align-items: flex-start;
        margin: 0.75rem 1rem 0;
        padding: 0.85rem 1rem;
        border-radius: var(--radius);
        background: var(--danger-bg);
        border: 1px solid var(--danger-border);
        color: var(--danger);
      }
      strong {
        display: block;
        margin-bottom: 0.2rem;
      }
      p {
        margin: 0;
        color: var(--text);
        font-size: 0.92rem;
      }
      .icon {
        font-size: 1.2rem;
        line-height: 1;
        padding-top: 0.1rem;
      }
    `,
  ];

  @property({ attribute: false }) peer!: PeerView;

  override render() {
    const name = this.peer.username;
    const why =
      this.peer.problem?.code === "identity_mismatch"
        ? `The server now presents a different account for “${name}” than the one you first talked to.`
        : `The server showed ${name}'s device list in a way that contradicts what you saw before.`;
    return html`<div role="alert" data-testid="identity-warning" data-code=${this.peer.problem?.code ?? "unknown"}>
      <span class="icon">${warningIcon}</span>
      <span>
        <strong>${name}'s identity has changed. Sending is stopped.</strong>
        <p>${why} Someone may be trying to intercept this chat. Talk to ${name} another way before trusting it again.</p>
      </span>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-identity-banner": SealedIdentityBanner;
  }
}
