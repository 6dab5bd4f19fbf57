import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { customElement, property, query, state } from "lit/decorators.js";
import { cardPage } from "../styles/card-page.js";
import { shared } from "../styles/shared.js";
import { shieldIcon } from "./icons.js";

/**
 * The recovery key, shown once in groups of four with Copy and Download buttons. Continuing needs an
 * explicit "I saved my recovery key" and one group typed back (proof it was written down, not skipped).
 * Also used after "Make a new recovery key" (`heading` differs). Fires `confirmed`.
 */
@localized()
@customElement("sealed-recovery-key")
export class SealedRecoveryKey extends LitElement {
  static override styles = [
    shared,
    cardPage,
    css`
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
      .confirm-group {
        margin-top: 1rem;
      }
      .confirm-group label {
        display: block;
        font-weight: 600;
        margin-bottom: 0.4rem;
      }
      .confirm-group input {
        font-family: var(--mono);
        text-transform: uppercase;
        max-width: 9rem;
      }
      button.continue {
        width: 100%;
        margin-top: 1.25rem;
      }
    `,
  ];

  @property() recoveryKey = "";
  @property({ attribute: false }) keyTitle = msg("Save your recovery key");
  @state() private saved = false;
  @state() private typedGroup = "";
  /** 1-based index of the group to type back: never the first, so it is not just the start glanced at. */
  private readonly askGroup = 2 + Math.floor(Math.random() * 7);
  @state() private copyStatus = "";
  @query("h1") private heading!: HTMLElement;

  override firstUpdated(): void {
    this.heading.focus();
  }

  private async copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.recoveryKey);
      this.copyStatus = msg("Copied to the clipboard.");
    } catch {
      this.copyStatus = msg("Couldn't copy. Select the key and copy it yourself.");
    }
  }

  private download(): void {
    const text = msg(str`Sealed recovery key\n\n${this.recoveryKey}\n\nKeep this somewhere safe. Anyone with this key and your username can restore your account.\n`);
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = "sealed-recovery-key.txt";
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  private get groupMatches(): boolean {
    const want = this.recoveryKey.split("-")[this.askGroup - 1] ?? "";
    const typed = this.typedGroup.toUpperCase().replace(/\s/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
    return want.length > 0 && typed === want;
  }

  private confirm(): void {
    if (!this.saved || !this.groupMatches) return;
    this.dispatchEvent(new CustomEvent("confirmed", { bubbles: true, composed: true }));
  }

  override render() {
    const groups = this.recoveryKey.split("-");
    return html`
      <main class="card">
        <div class="badge">${shieldIcon}</div>
        <h1 tabindex="-1">${this.keyTitle}</h1>
        <p>
          ${msg("If you lose this device, this key is the only way back into your account and your messages. Write it down or store it in a password manager. It is shown only this once, and nobody can reset it for you.")}
        </p>
        <div class="key" role="group" aria-label=${msg("Recovery key")} data-testid="recovery-key" data-key=${this.recoveryKey}>
          ${groups.map((g) => html`<span>${g}</span>`)}
        </div>
        <div class="row">
          <button class="secondary" type="button" @click=${this.copy} data-testid="copy-recovery-key">${msg("Copy key")}</button>
          <button class="secondary" type="button" @click=${this.download} data-testid="download-recovery-key">${msg("Download (.txt)")}</button>
          <span class="copied" role="status">${this.copyStatus}</span>
        </div>
        <label class="check">
          <input type="checkbox" .checked=${this.saved} @change=${(e: Event) => (this.saved = (e.target as HTMLInputElement).checked)} data-testid="recovery-saved" />
          <span>${msg("I saved my recovery key")}</span>
        </label>
        <div class="confirm-group">
          <label for="confirm-group">${msg(str`To check, type group ${this.askGroup}`)}</label>
          <input
            id="confirm-group"
            type="text"
            autocomplete="off"
            spellcheck="false"
            maxlength="4"
            .value=${this.typedGroup}
            @input=${(e: Event) => (this.typedGroup = (e.target as HTMLInputElement).value)}
            aria-describedby="confirm-group-hint"
            data-testid="confirm-group"
            data-group=${this.askGroup}
          />
          <p class="hint" id="confirm-group-hint">${this.typedGroup.length === 4 && !this.groupMatches ? msg(str`That isn't group ${this.askGroup} of the key above.`) : msg("The four characters of that group, counting from the left.")}</p>
        </div>
        <button class="primary continue" type="button" ?disabled=${!this.saved || !this.groupMatches} @click=${this.confirm} data-testid="recovery-continue">${msg("Continue")}</button>
      </main>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-recovery-key": SealedRecoveryKey;
  }
}
