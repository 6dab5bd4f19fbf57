import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { customElement } from "lit/decorators.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/** Shown on a device its account revoked: it was signed out and its keys were wiped from this browser. */
@localized()
@customElement("sealed-removed")
export class SealedRemoved extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
      :host {
        --card-width: 28rem;
      }
      h1 {
        margin: 0 0 0.6rem;
        font-size: 1.45rem;
      }
      p {
        color: var(--muted);
      }
    `,
  ];

  override render() {
    return html`<main class="card" data-testid="device-removed">
      <div class="mark">${warningIcon}</div>
      <h1>${msg("This device was removed from your account")}</h1>
      <p>${msg("Another of your devices removed this one. It was signed out, and its keys and messages were deleted from this browser.")}</p>
      <p>${msg("If that wasn't you, use one of your other devices or your recovery key to secure your account.")}</p>
      <button class="secondary" type="button" @click=${() => location.reload()}>${msg("Start over")}</button>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-removed": SealedRemoved;
  }
}
