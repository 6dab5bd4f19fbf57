import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, state } from "lit/decorators.js";
import { live } from "lit/directives/live.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { switchSection } from "../styles/switch-section.js";

/**
 * Settings › Privacy: "Send and show typing indicators", on by default, kept on this device only. Off,
 * this device neither tells others when it types nor shows when they do (docs/PROTOCOL.md "Typing frame").
 */
@localized()
@customElement("sealed-typing-setting")
export class SealedTypingSetting extends LitElement {
  static override styles = [
    shared,
    switchSection,
    css`
      label {
        font-weight: 600;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @state() private on = true;

  private readonly onChange = (): void => {
    this.on = this.client.typing.enabled;
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.on = this.client.typing.enabled;
    this.client.typing.addEventListener("change", this.onChange);
  }

  override disconnectedCallback(): void {
    this.client.typing.removeEventListener("change", this.onChange);
    super.disconnectedCallback();
  }

  private toggle(e: Event): void {
    const input = e.target;
    if (input instanceof HTMLInputElement) this.client.typing.setEnabled(input.checked);
  }

  override render() {
    return html`<section aria-labelledby="privacy-title" data-testid="privacy-settings">
      <h2 id="privacy-title">${msg("Privacy")}</h2>
      <label>
        <input type="checkbox" .checked=${live(this.on)} @change=${this.toggle} data-testid="typing-setting" />
        <span
          >${msg("Send and show typing indicators")}
          <span class="hint">${msg("When this is off, others don't see when you type, and you don't see when they do. Applies to this device only.")}</span></span
        >
      </label>
    </section>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-typing-setting": SealedTypingSetting;
  }
}
