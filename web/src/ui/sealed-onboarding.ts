import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { customElement, query } from "lit/decorators.js";
// protocol/ids.ts, not the protocol's index: this screen is in the app shell (docs/decisions.md).
import { USERNAME_PATTERN } from "../../../protocol/ids.js";
import { appClient } from "./app-client.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { Action, InputError } from "./action.js";
import { lockIcon } from "./icons.js";

/** First run: pick a username; the client (loaded on demand) makes the keys and the account. Fires `signed-up`. */
@localized()
@customElement("sealed-onboarding")
export class SealedOnboarding extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
      :host {
        --card-width: 26rem;
      }
      .logo {
        display: inline-grid;
        place-items: center;
        width: 3.25rem;
        height: 3.25rem;
        border-radius: 16px;
        background: var(--accent);
        color: var(--on-accent);
        font-size: 1.6rem;
        margin-bottom: 1rem;
      }
      h1 {
        margin: 0 0 0.35rem;
        font-size: 1.6rem;
        letter-spacing: -0.01em;
      }
      h1:focus {
        outline: none;
      }
      .lead {
        margin: 0 0 1.5rem;
        color: var(--muted);
      }
      label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.4rem;
      }
      button[type="submit"] {
        width: 100%;
        margin-top: 1.25rem;
      }
      .link-device {
        width: 100%;
        margin-top: 0.75rem;
      }
      .fine {
        margin: 1.25rem 0 0;
        font-size: 0.85rem;
        color: var(--muted);
      }
    `,
  ];

  @query("input") private input!: HTMLInputElement;

  override firstUpdated(): void {
    this.input.focus();
  }

  private readonly signingUp = new Action(this, async (name: string) => {
    try {
      if (!USERNAME_PATTERN.test(name)) throw new InputError(msg("Usernames are 3–32 characters: letters a–z, digits, “_” or “.”, starting with a letter."));
      // The client loads after the form is shown (prefetched by <sealed-app>); this waits if it isn't there yet.
      const client = await appClient().catch(() => {
        throw new InputError(msg("Creating the account needs a part of the app that couldn't be loaded. You may be offline: try again once you're connected."));
      });
      const recoveryKey = await client.signUp(name);
      this.dispatchEvent(new CustomEvent("signed-up", { detail: { recoveryKey }, bubbles: true, composed: true }));
    } catch (err) {
      void this.updateComplete.then(() => this.input.focus());
      throw err;
    }
  });

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    void this.signingUp.run(this.input.value.trim().toLowerCase());
  }

  private restore(): void {
    this.dispatchEvent(new CustomEvent("restore", { bubbles: true, composed: true }));
  }

  private linkDevice(): void {
    this.dispatchEvent(new CustomEvent("link-device", { bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <main class="card">
        <div class="logo">${lockIcon}</div>
        <h1 tabindex="-1">${msg("Welcome to Sealed")}</h1>
        <p class="lead">${msg("Private, end-to-end encrypted chat. Your keys are made on this device and never leave it.")}</p>
        <form @submit=${this.submit} novalidate>
          <label for="username">${msg("Choose a username")}</label>
          <input
            id="username"
            name="username"
            type="text"
            autocomplete="username"
            autocapitalize="none"
            spellcheck="false"
            maxlength="32"
            aria-describedby="username-hint ${this.signingUp.error ? "username-error" : ""}"
            aria-invalid=${this.signingUp.error ? "true" : "false"}
            ?disabled=${this.signingUp.pending}
            data-testid="username-input"
          />
          <p class="hint" id="username-hint">${msg("3–32 characters: a–z, 0–9, “_” or “.”, starting with a letter.")}</p>
          ${this.signingUp.error ? html`<p class="error" id="username-error" role="alert">${this.signingUp.error}</p>` : null}
          <button class="primary" type="submit" ?disabled=${this.signingUp.pending} data-testid="create-account">
            ${this.signingUp.pending ? msg("Creating your keys…") : msg("Create account")}
          </button>
        </form>
        <p class="fine">${msg("People find you by your username. Nobody, including the server, can read your messages.")}</p>
        <button class="secondary link-device" type="button" ?disabled=${this.signingUp.pending} @click=${this.linkDevice} data-testid="link-existing-account">${msg("Link to an existing account")}</button>
        <button class="secondary link-device" type="button" ?disabled=${this.signingUp.pending} @click=${this.restore} data-testid="restore-account">${msg("Restore from recovery key")}</button>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-onboarding": SealedOnboarding;
  }
}
