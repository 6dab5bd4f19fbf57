import { localized } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, property, state } from "lit/decorators.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { typingText } from "./typing-text.js";

/**
 * "alice is typing…" for one chat, above its composer. The line is always in the page, empty when nobody
 * types, so screen readers (aria-live polite) announce it when it fills rather than missing a region that
 * appeared with its text already in it.
 */
@localized()
@customElement("sealed-typing-indicator")
export class SealedTypingIndicator extends LitElement {
  static override styles = css`
    :host {
      display: block;
    }
    p {
      margin: 0;
      padding: 0 1rem;
      min-height: 1.35rem;
      line-height: 1.35rem;
      font-size: 0.82rem;
      font-style: italic;
      color: var(--muted);
      background: var(--bg);
      overflow: hidden;
      white-space: nowrap;
      text-overflow: ellipsis;
    }
  `;

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) conversationId!: ConversationId;
  @state() private text = "";

  private readonly onChange = (): void => {
    this.text = typingText(this.client.typing.who(this.conversationId).map((p) => p.username));
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.client.typing.addEventListener("change", this.onChange);
  }

  override disconnectedCallback(): void {
    this.client.typing.removeEventListener("change", this.onChange);
    super.disconnectedCallback();
  }

  protected override willUpdate(): void {
    // A new chat in the same element: show its typers, not the last chat's.
    this.text = typingText(this.client.typing.who(this.conversationId).map((p) => p.username));
  }

  override render() {
    return html`<p aria-live="polite" data-testid="typing-indicator">${this.text}</p>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-typing-indicator": SealedTypingIndicator;
  }
}
