import { localized, msg } from "@lit/localize";
import { LitElement, css, html } from "lit";
import { consume } from "@lit/context";
import { customElement, query } from "lit/decorators.js";
import type { ChatClient } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { Action, InputError } from "./action.js";

/** "New chat": look a username up, verify its log, open the conversation. Fires `chat-started`. */
@localized()
@customElement("sealed-new-chat-dialog")
export class SealedNewChatDialog extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      label {
        display: block;
        font-weight: 600;
        margin: 0.75rem 0 0.4rem;
      }
      p.intro {
        margin: 0;
        color: var(--muted);
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("input") private input!: HTMLInputElement;

  open(): void {
    this.starting.clear();
    this.input.value = "";
    this.dialog.showModal();
    this.input.focus();
  }

  private close(): void {
    this.dialog.close();
  }

  private readonly starting = new Action(this, async (name: string) => {
    if (!name) throw new InputError(msg("Enter a username."));
    try {
      const id = await this.client.startChat(name);
      this.dialog.close();
      this.dispatchEvent(new CustomEvent("chat-started", { detail: { id }, bubbles: true, composed: true }));
    } catch (err) {
      void this.updateComplete.then(() => this.input.focus());
      throw err;
    }
  });

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    void this.starting.run(this.input.value.trim());
  }

  override render() {
    return html`
      <dialog aria-labelledby="new-chat-title" data-testid="new-chat-dialog">
        <form @submit=${this.submit} novalidate>
          <h2 id="new-chat-title">${msg("New chat")}</h2>
          <p class="intro">${msg("Enter the username of the person you want to write to.")}</p>
          <label for="peer">${msg("Username")}</label>
          <input
            id="peer"
            type="text"
            autocomplete="off"
            autocapitalize="none"
            spellcheck="false"
            maxlength="32"
            aria-invalid=${this.starting.error ? "true" : "false"}
            aria-describedby="peer-error"
            ?disabled=${this.starting.pending}
            data-testid="peer-username"
          />
          <p class="error" id="peer-error" role="alert">${this.starting.error}</p>
          <div class="actions">
            <button class="secondary" type="button" @click=${this.close}>${msg("Cancel")}</button>
            <button class="primary" type="submit" ?disabled=${this.starting.pending} data-testid="start-chat">${this.starting.pending ? msg("Checking…") : msg("Start chat")}</button>
          </div>
        </form>
      </dialog>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-new-chat-dialog": SealedNewChatDialog;
  }
}
