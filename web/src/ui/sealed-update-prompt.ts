import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import type { AppUpdates } from "../pwa/updates.js";
import { shared } from "../styles/shared.js";

/**
 * "Update available — Update": a new version of the app is installed and waiting. It is never swapped
 * in under the user (DESIGN "Code delivery"); they choose when, and the page reloads into it.
 */
@localized()
@customElement("sealed-update-prompt")
export class SealedUpdatePrompt extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        position: fixed;
        inset-inline: 0;
        /* Above the composer, so typing is never covered. */
        bottom: calc(5.5rem + env(safe-area-inset-bottom));
        display: flex;
        justify-content: center;
        pointer-events: none;
        z-index: 10;
      }
      .toast {
        pointer-events: auto;
        display: flex;
        align-items: center;
        gap: 0.9rem;
        padding: 0.55rem 0.6rem 0.55rem 1.1rem;
        border-radius: 999px;
        background: var(--text);
        color: var(--bg);
        box-shadow: 0 8px 30px rgb(0 0 0 / 25%);
        max-width: calc(100vw - 2rem);
      }
      p {
        margin: 0;
        font-size: 0.92rem;
      }
      button {
        min-height: 2.2rem;
      }
    `,
  ];

  @property({ attribute: false }) updates!: AppUpdates;
  @state() private ready = false;
  @state() private busy = false;
  private readonly onUpdate = () => (this.ready = this.updates.updateReady);

  override connectedCallback(): void {
    super.connectedCallback();
    this.updates.addEventListener("update", this.onUpdate);
    this.onUpdate();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.updates.removeEventListener("update", this.onUpdate);
  }

  private apply(): void {
    this.busy = true;
    this.updates.applyUpdate();
  }

  override render() {
    // The live region exists before the prompt appears, so its arrival is announced.
    return html`<div role="status" aria-live="polite">
      ${this.ready
        ? html`<div class="toast" data-testid="update-prompt">
            <p>${msg("Update available — a new version of Sealed is ready.")}</p>
            <button class="primary" type="button" ?disabled=${this.busy} @click=${this.apply}>${this.busy ? msg("Updating…") : msg("Update")}</button>
          </div>`
        : nothing}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-update-prompt": SealedUpdatePrompt;
  }
}
