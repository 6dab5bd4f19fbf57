import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { customElement } from "lit/decorators.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { warningIcon } from "./icons.js";

/**
 * Shown instead of an empty account or the sign-up form when this browser was set up before but its
 * local data (keys and history) is gone: usually the browser cleared it under storage pressure. It offers
 * linking this browser from another device, restoring with the recovery key, or starting a new account.
 * Fires `link-device`, `restore` or `start-over`.
 */
@localized()
@customElement("sealed-evicted")
export class SealedEvicted extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
      h1 {
        margin: 0 0 0.6rem;
        font-size: 1.45rem;
        letter-spacing: -0.01em;
      }
      h1:focus {
        outline: none;
      }
      p {
        margin: 0 0 0.8rem;
        color: var(--muted);
      }
      .options {
        display: grid;
        gap: 0.6rem;
        margin: 1.25rem 0 0;
      }
      .option {
        display: grid;
        gap: 0.2rem;
      }
      .option button {
        width: 100%;
      }
      .soon {
        font-size: 0.82rem;
        color: var(--muted);
        text-align: center;
      }
      .start-over {
        margin-top: 1.25rem;
        padding-top: 1rem;
        border-top: 1px solid var(--border);
      }
      .start-over p {
        font-size: 0.88rem;
      }
    `,
  ];

  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>("h1")?.focus();
  }

  private startOver(): void {
    this.dispatchEvent(new CustomEvent("start-over", { bubbles: true, composed: true }));
  }

  private restore(): void {
    this.dispatchEvent(new CustomEvent("restore", { bubbles: true, composed: true }));
  }

  private linkDevice(): void {
    this.dispatchEvent(new CustomEvent("link-device", { bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <main class="card" data-testid="evicted">
        <div class="mark">${warningIcon}</div>
        <h1 tabindex="-1">${msg("This browser deleted your local data")}</h1>
        <p>
          ${msg("Sealed was set up in this browser, but the browser has since removed its stored data — this can happen when the device runs low on space or site data is cleared. Your keys were part of it, so this browser can no longer read your chats.")}
        </p>
        <p>${msg("Your messages are still stored on the server, encrypted. Nobody, including the server, can read them without your keys.")}</p>
        <div class="options">
          <div class="option">
            <button class="primary" type="button" @click=${this.linkDevice} aria-describedby="link-soon" data-testid="evicted-link">${msg("Link this device")}</button>
            <span class="soon" id="link-soon">${msg("Scan a code with another device signed in to your account.")}</span>
          </div>
          <div class="option">
            <button class="secondary" type="button" @click=${this.restore} aria-describedby="restore-soon" data-testid="evicted-restore">${msg("Restore with recovery key")}</button>
            <span class="soon" id="restore-soon">${msg("Use the recovery key you saved when you signed up, or your passphrase.")}</span>
          </div>
        </div>
        <div class="start-over">
          <p>${msg("Until then you can create a new account here. It starts empty and gets a new username.")}</p>
          <button class="secondary" type="button" @click=${this.startOver} data-testid="start-over">${msg("Create a new account")}</button>
        </div>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-evicted": SealedEvicted;
  }
}
