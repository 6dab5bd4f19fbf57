import { LitElement, css, html, type PropertyValues } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query } from "lit/decorators.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { sendIcon } from "./icons.js";

/**
 * The message box of one chat: Enter sends, Shift+Enter adds a line. The chat's unsent draft is kept on
 * this device as it is typed (client.drafts) and shown again when the chat opens. A text that could not be
 * sent comes back to the box. `data-sending` on the box is "true" while a submitted text is not yet
 * sealed and stored. It reports typing (client.typing): typing while the box has text, stopped when it
 * is sent or emptied and when the box goes away (another chat, or the chat closed).
 */
@customElement("sealed-composer")
export class SealedComposer extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        padding: 0.6rem 0.75rem calc(0.6rem + env(safe-area-inset-bottom));
        background: var(--surface);
        border-top: 1px solid var(--border);
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 0.5rem;
      }
      textarea {
        resize: none;
        min-height: 2.75rem;
        max-height: 10rem;
        border-radius: 22px;
        padding: 0.65rem 1rem;
        line-height: 1.35;
        background: var(--surface-2);
      }
      textarea:focus-visible {
        outline: none;
        border-color: var(--accent);
        box-shadow: 0 0 0 3px var(--accent-soft);
      }
      button.send {
        width: 2.75rem;
        height: 2.75rem;
        padding: 0;
        flex: none;
      }
      .error {
        margin: 0 0 0.4rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  /** The chat this box writes to: its draft is shown and kept under this id, and what is sent goes there. */
  @property({ attribute: false }) conversationId!: ConversationId;
  @property() label = "Message";
  @property({ type: Boolean }) disabled = false;
  /** The placeholder while disabled: why nothing can be sent. */
  @property() stoppedText = "Sending is stopped";
  @query("textarea") private box!: HTMLTextAreaElement;

  /** Texts taken from the box by Send or Enter that the client has not accepted yet, oldest first. */
  private readonly outgoing: { id: ConversationId; text: string }[] = [];

  override focus(): void {
    // Opening a chat focuses a composer that may not have rendered its box yet.
    void this.updateComplete.then(() => this.box?.focus());
  }

  override disconnectedCallback(): void {
    this.client.typing.set(this.conversationId, false);
    super.disconnectedCallback();
  }

  protected override updated(changed: PropertyValues<this>): void {
    // The first render, or the same element reused for another chat: the box shows that chat's draft.
    if (changed.has("conversationId")) {
      const before = changed.get("conversationId");
      if (before !== undefined) this.client.typing.set(before, false);
      this.box.value = this.client.drafts.get(this.conversationId);
      this.grow();
    }
  }

  private grow(): void {
    this.box.style.height = "auto";
    this.box.style.height = `${this.box.scrollHeight + 2}px`;
  }

  private onInput(): void {
    this.grow();
    this.client.drafts.set(this.conversationId, this.box.value);
    this.client.typing.set(this.conversationId, this.box.value.trim() !== "");
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    }
  }

  /**
   * Takes the text out of the box at once, not when the send resolves: a second Enter or click finds the
   * box empty (one message, not two), and what is typed while sealing runs is never erased. Sends run one
   * after another, in the order they were submitted.
   */
  private submit(e?: Event): void {
    e?.preventDefault();
    const text = this.box.value;
    this.box.focus();
    if (text.trim() === "" || this.disabled) return;
    this.box.value = "";
    this.grow();
    this.client.drafts.set(this.conversationId, "");
    this.client.typing.set(this.conversationId, false);
    this.outgoing.push({ id: this.conversationId, text });
    if (this.outgoing.length === 1) void this.sending.run();
    else this.requestUpdate();
  }

  /** Sends what was submitted, oldest first; on a failure that text and every later one go back to their box. */
  private readonly sending = new Action(this, async () => {
    for (let next = this.outgoing[0]; next; next = this.outgoing[0]) {
      try {
        await this.client.send(next.id, next.text);
      } catch (e) {
        this.giveBack(this.outgoing.splice(0));
        throw e;
      }
      this.outgoing.shift();
    }
  });

  /** Puts texts that were not sent back in front of what their chat's box (or stored draft) holds now. */
  private giveBack(failed: readonly { id: ConversationId; text: string }[]): void {
    for (const { id, text } of [...failed].reverse()) {
      const here = id === this.conversationId;
      const now = here ? this.box.value : this.client.drafts.get(id);
      const back = now === "" ? text : `${text}\n${now}`;
      if (here) {
        this.box.value = back;
        this.grow();
      }
      this.client.drafts.set(id, back);
    }
  }

  override render() {
    return html`
      ${this.sending.error ? html`<p class="error" role="alert">${this.sending.error}</p>` : null}
      <form @submit=${this.submit}>
        <label class="visually-hidden" for="box">${this.label}</label>
        <textarea
          id="box"
          rows="1"
          placeholder=${this.disabled ? this.stoppedText : "Write a message"}
          ?disabled=${this.disabled}
          @keydown=${this.onKey}
          @input=${this.onInput}
          data-testid="composer"
          data-sending=${this.outgoing.length > 0 ? "true" : "false"}
        ></textarea>
        <button class="primary send" type="submit" aria-label="Send" ?disabled=${this.disabled} data-testid="send">${sendIcon}</button>
      </form>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-composer": SealedComposer;
  }
}
