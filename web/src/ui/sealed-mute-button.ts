import { localized, msg, str } from "@lit/localize";
import { LitElement, css, html, nothing, svg } from "lit";
import { consume } from "@lit/context";
import { customElement, property, state } from "lit/decorators.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { OnChange } from "./on-change.js";
import { errorText } from "./error-text.js";
import { shared } from "../styles/shared.js";

export const bellIcon = svg`<svg viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M6 9a6 6 0 0 1 12 0c0 6 2.5 8 2.5 8h-17S6 15 6 9"/><path d="M10 20.5a2.2 2.2 0 0 0 4 0"/></svg>`;
export const bellOffIcon = svg`<svg viewBox="0 0 24 24" width="1.1em" height="1.1em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M8.5 4.3A6 6 0 0 1 18 9c0 3 .6 5 1.3 6.3M17 17H3.5S6 15 6 9c0-.6.1-1.2.3-1.8"/><path d="M10 20.5a2.2 2.2 0 0 0 4 0"/><path d="M3 3l18 18"/></svg>`;

/**
 * The chat header's notification controls (issue 19): "Mute" mutes the chat's notifications on every
 * device of the account (the server then pushes none of it, so it learns which chats are muted: the
 * threat model says so), pressed while muted. Opening a chat also closes its notification.
 */
@localized()
@customElement("sealed-mute-button")
export class SealedMuteButton extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        position: relative;
        display: inline-flex;
      }
      button {
        padding: 0.5rem 0.7rem;
      }
      .error {
        position: absolute;
        right: 0;
        top: 100%;
        z-index: 2;
        width: max-content;
        max-width: 18rem;
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: var(--radius);
        padding: 0.5rem 0.75rem;
        box-shadow: var(--shadow);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) conversationId!: ConversationId;
  @state() private muted = false;
  @state() private busy = false;
  @state() private error = "";

  private refresh(): void {
    void this.client.push.muted().then((m) => (this.muted = m.has(this.conversationId)));
  }

  // Refreshes on connect and on each change of the push state (another tab or device may change it).
  private readonly changes = new OnChange(this, () => this.client.push, () => this.refresh());

  override updated(changed: Map<string, unknown>): void {
    if (changed.has("conversationId")) {
      this.error = "";
      this.refresh();
      void this.client.push.dismiss(this.conversationId).catch(() => undefined);
    }
  }

  private async toggle(): Promise<void> {
    this.busy = true;
    this.error = "";
    try {
      await this.client.push.setMuted(this.conversationId, !this.muted);
    } catch (e) {
      this.error = msg(str`Couldn't change notifications for this chat. ${errorText(e)}`);
    } finally {
      this.busy = false;
    }
  }

  override render() {
    const label = this.muted ? msg("Unmute notifications") : msg("Mute notifications");
    return html`<button class="secondary" type="button" aria-pressed=${this.muted ? "true" : "false"} aria-label=${label} title=${label} ?disabled=${this.busy} @click=${this.toggle} data-testid="mute-button">
        ${this.muted ? bellOffIcon : bellIcon}
      </button>
      ${this.error ? html`<p class="error" role="alert" data-testid="mute-error">${this.error}</p>` : nothing}`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-mute-button": SealedMuteButton;
  }
}
