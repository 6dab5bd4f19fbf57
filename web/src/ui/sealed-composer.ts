import { LitElement, css, html } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { sendIcon } from "./icons.js";

/** The message box: Enter sends, Shift+Enter adds a line. The text stays if sending fails. */
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

  /** Called with the text; the box clears when it resolves. */
  @property({ attribute: false }) send!: (text: string) => Promise<void>;
  @property() label = "Message";
  @property({ type: Boolean }) disabled = false;
  /** The placeholder while disabled: why nothing can be sent. */
  @property() stoppedText = "Sending is stopped";
  @query("textarea") private box!: HTMLTextAreaElement;

  override focus(): void {
    this.box?.focus();
  }

  private grow(): void {
    this.box.style.height = "auto";
    this.box.style.height = `${this.box.scrollHeight + 2}px`;
  }

  private onKey(e: KeyboardEvent): void {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      void this.submit();
    }
  }

  /** Sends the text; the box clears only once it was accepted, so a failure keeps what was typed. */
  private readonly sending = new Action(this, async (text: string) => {
    await this.send(text);
    this.box.value = "";
    this.grow();
  });

  private async submit(e?: Event): Promise<void> {
    e?.preventDefault();
    const text = this.box.value;
    if (text.trim() === "" || this.disabled) return;
    await this.sending.run(text);
    this.box.focus();
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
          @input=${this.grow}
          data-testid="composer"
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
