import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement } from "lit/decorators.js";
import { unsafeStatic, html as staticHtml } from "lit/static-html.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { backIcon } from "./icons.js";
import "./sealed-profile-settings.js";
import "./sealed-devices.js";
import "./sealed-receipt-settings.js";
import "./sealed-typing-setting.js";
import "./sealed-push-settings.js";
import "./sealed-appearance-settings.js";
import "./sealed-export-settings.js";
import "./sealed-sign-out.js";

/** The recovery settings element another part of the app defines; rendered only once it exists. */
const RECOVERY_SETTINGS = "sealed-recovery-settings";

/**
 * Settings (route #/settings): Devices (link, list, revoke), Privacy (typing indicators) and, when
 * defined, recovery settings; Sign out last.
 * Fires `close` for the back button.
 */
@localized()
@customElement("sealed-settings")
export class SealedSettings extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        height: 100%;
        overflow-y: auto;
        background: var(--bg);
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        padding: 0.75rem 1rem;
        border-bottom: 1px solid var(--border);
        background: var(--surface);
      }
      h1 {
        margin: 0;
        font-size: 1.25rem;
      }
      h1:focus {
        outline: none;
      }
      .content {
        max-width: 44rem;
        margin: 0 auto;
        padding: 1.25rem 1rem 2rem;
        display: grid;
        gap: 1.75rem;
      }
      .back {
        display: inline-grid;
        place-items: center;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;

  /** Opening Settings moves focus to its heading, as every other screen does, so a keyboard or screen-reader user starts here. */
  override firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>("h1")?.focus();
  }

  private close(): void {
    this.dispatchEvent(new CustomEvent("close", { bubbles: true, composed: true }));
  }

  override render() {
    return html`<header>
        <button class="ghost back" type="button" aria-label=${msg("Back to chats")} @click=${this.close} data-testid="settings-back">${backIcon}</button>
        <h1 tabindex="-1">${msg("Settings")}</h1>
      </header>
      <div class="content" data-testid="settings">
        <sealed-profile-settings></sealed-profile-settings>
        <sealed-devices></sealed-devices>
        <sealed-typing-setting></sealed-typing-setting>
        <sealed-receipt-settings></sealed-receipt-settings>
        <sealed-push-settings></sealed-push-settings>
        <sealed-appearance-settings></sealed-appearance-settings>
        <sealed-export-settings></sealed-export-settings>
        <!-- recovery settings -->
        ${customElements.get(RECOVERY_SETTINGS) ? staticHtml`<${unsafeStatic(RECOVERY_SETTINGS)}></${unsafeStatic(RECOVERY_SETTINGS)}>` : nothing}
        <sealed-sign-out></sealed-sign-out>
      </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-settings": SealedSettings;
  }
}
