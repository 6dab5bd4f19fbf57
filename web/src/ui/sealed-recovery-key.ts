import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { shieldIcon } from "./icons.js";

/**
 * The recovery key, shown once in groups of four with a copy button. Continuing needs an explicit
 * "I saved my recovery key". Fires `confirmed`.
 */
@customElement("sealed-recovery-key")
export class SealedRecoveryKey extends LitElement {
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
        width: min(100%, 30rem);
        background: var(--surface);
        border-radius: 20px;
        box-shadow: var(--shadow);
        padding: 2rem 1.75rem 1.75rem;
      }
      .badge {
        display: inline-grid;
        place-items: center;
        width: 3rem;
        height: 3rem;
        border-radius: 14px;
        background: var(--accent-soft);
        color: var(--accent);
        font-size: 1.5rem;
        margin-bottom: 0.9rem;
      }
      h1 {
        margin: 0 0 0.5rem;
        font-size: 1.45rem;
      }
      h1:focus {
        outline: none;
      }
      p {
        margin: 0 0 1rem;
        color: var(--muted);
      }
      .key {
        display: grid;
        grid-template-columns: repeat(4, 1fr);
        gap: 0.5rem;
        margin: 1.25rem 0 0.75rem;
        padding: 1rem;
        border-radius: var(--radius);
        background: var(--surface-2);
        border: 1px dashed var(--border);
        font-family: var(--mono);
        font-size: 1.15rem;
        letter-spacing: 0.08em;
        text-align: center;
        user-select: all;
      }
      .key span {
        padding: 0.3rem 0;
        border-radius: 6px;
        background: var(--surface);
      }
      .row {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        margin-bottom: 1.25rem;
      }
      .copied {
        color: var(--muted);
        font-size: 0.9rem;
      }
      .check {
        display: flex;
        gap: 0.6rem;
        align-items: flex-start;
        padding: 0.85rem;
        border-radius: var(--radius-sm);
        background: var(--warn-bg);
        color: var(--warn-text);
        font-weight: 600;
        cursor: pointer;
      }
      .check input {
        width: 1.15rem;
        height: 1.15rem;
        margin: 0.1rem 0 0;
        accent-color: var(--accent);
      }
      button.continue {
        width: 100%;
        margin-top: 1.25rem;
      }
    `,
  ];

  @property() recoveryKey = "";
  @state() private saved = false;
  @state() private copyStatus = "";
  @query("h1") private heading!: HTMLElement;

  override firstUpdated(): void {
    this.heading.focus();
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.recoveryKey);
      this.copyStatus = "Copied to the clipboard.";
    } catch {
      this.copyStatus = "Couldn't copy. Select the key and copy it yourself.";
    }
  }

  private confirm(): void {
    if (!this.saved) return;
    this.dispatchEvent(new CustomEvent("confirmed", { bubbles: true, composed: true }));
  }

  override render() {
    const groups = this.recoveryKey.split("-");
    return html`
      <main class="card">
        <div class="badge">${shieldIcon}</div>
        <h1 tabindex="-1">Save your recovery key</h1>
        <p>
          If you lose this device, this key is the only way back into your account and your messages. Write it down or
          store it in a password manager. It is shown only this once, and nobody can reset it for you.
        </p>
        <div class="key" role="group" aria-label="Recovery key" data-testid="recovery-key" data-key=${this.recoveryKey}>
          ${groups.map((g) => html`<span>${g}</span>`)}
        </div>
        <div class="row">
          <button class="secondary" type="button" @click=${this.copy} data-testid="copy-recovery-key">Copy key</button>
          <span class="copied" role="status">${this.copyStatus}</span>
        </div>
        <label class="check">
          <input type="checkbox" .checked=${this.saved} @change=${(e: Event) => (this.saved = (e.target as HTMLInputElement).checked)} data-testid="recovery-saved" />
          <span>I saved my recovery key</span>
        </label>
        <button class="primary continue" type="button" ?disabled=${!this.saved} @click=${this.confirm} data-testid="recovery-continue">Continue</button>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-recovery-key": SealedRecoveryKey;
  }
}
