import { LitElement, css, html } from "lit";
import { customElement } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/** Shown on a device its account revoked: it was signed out and its keys were wiped from this browser. */
@customElement("sealed-removed")
export class SealedRemoved extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: grid;
        place-items: center;
        min-height: 100%;
        padding: 1.5rem 1rem;
      }
      .card {
        width: min(100%, 28rem);
        background: var(--surface);
        border-radius: 20px;
        box-shadow: var(--shadow);
        padding: 2rem 1.75rem 1.75rem;
      }
      .mark {
        display: inline-grid;
        place-items: center;
        width: 3.25rem;
        height: 3.25rem;
        border-radius: 16px;
        background: var(--warn-bg);
        color: var(--warn-text);
        font-size: 1.4rem;
        margin-bottom: 1rem;
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
      <h1>This device was removed from your account</h1>
      <p>Another of your devices removed this one. It was signed out, and its keys and messages were deleted from this browser.</p>
      <p>If that wasn't you, use one of your other devices or your recovery key to secure your account.</p>
      <button class="secondary" type="button" @click=${() => location.reload()}>Start over</button>
    </main>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-removed": SealedRemoved;
  }
}
