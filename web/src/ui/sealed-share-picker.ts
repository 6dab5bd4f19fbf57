import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html } from "lit";
import { customElement, property, query } from "lit/decorators.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ConversationView } from "../client/index.js";
import { shared } from "../styles/shared.js";
import type { SharedItems } from "../pwa/share-inbox.js";
import { dialogStyles } from "./dialog-styles.js";
import { avatarStyles, chatAvatar } from "./chat-avatar.js";

/**
 * "Send to…": what another app shared (files, text) waits here until the person picks one of their chats
 * (issue 18, share target). A modal dialog: focus starts on the first chat, Tab moves through the chats,
 * Escape or Cancel dismisses the share. Fires `share-chosen` (detail: the chat id) or `share-dismissed`.
 * Chats where sending is stopped (a changed identity, a group one left) are listed but disabled.
 */
@localized()
@customElement("sealed-share-picker")
export class SealedSharePicker extends LitElement {
  static override styles = [
    shared,
    avatarStyles,
    dialogStyles,
    css`
      .what {
        margin: 0 0 0.75rem;
        color: var(--muted);
        overflow-wrap: anywhere;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: min(55vh, 24rem);
        overflow-y: auto;
        display: flex;
        flex-direction: column;
        gap: 0.25rem;
      }
      li button {
        width: 100%;
        justify-content: flex-start;
        gap: 0.75rem;
        padding: 0.5rem 0.75rem;
        border-radius: 12px;
        color: var(--text);
        background: transparent;
        font-weight: 600;
      }
      li button:hover:not(:disabled) {
        background: var(--surface-2);
      }
      .avatar {
        --avatar-size: 2.2rem;
      }
      .title {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .none {
        color: var(--muted);
      }
    `,
  ];

  @property({ attribute: false }) conversations: readonly ConversationView[] = [];
  @property({ attribute: false }) items: SharedItems | undefined;
  @query("dialog") private dialog!: HTMLDialogElement;

  /** Focus went to the first chat (the list may arrive after the dialog opened). */
  private focusedChat = false;

  async open(): Promise<void> {
    await this.updateComplete;
    if (!this.dialog.open) this.dialog.showModal();
    this.focusFirstChat();
  }

  protected override updated(): void {
    if (this.dialog.open && !this.focusedChat) this.focusFirstChat();
  }

  private focusFirstChat(): void {
    const first = this.renderRoot.querySelector<HTMLButtonElement>("[data-testid=share-chat]:not(:disabled)");
    if (!first) return;
    first.focus();
    this.focusedChat = true;
  }

  private close(): void {
    this.dialog.close();
  }

  private emit(type: string, detail?: ConversationId): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private pick(id: ConversationId): void {
    this.dialog.close("picked");
    this.emit("share-chosen", id);
  }

  /** Escape, Cancel, or the dialog closed any other way than by a pick: the share is dismissed. */
  private onClose(): void {
    if (this.dialog.returnValue !== "picked") this.emit("share-dismissed");
    this.dialog.returnValue = "";
  }

  private summary(): string {
    const n = this.items?.files.length ?? 0;
    const files = n === 0 ? "" : n === 1 ? (this.items?.files[0]?.name ?? msg("1 file")) : msg(str`${formatCount(n)} files`);
    const text = this.items?.text ? `“${this.items.text.length > 80 ? `${this.items.text.slice(0, 80)}…` : this.items.text}”` : "";
    return [files, text].filter(Boolean).join(" and ");
  }

  override render() {
    const blocked = (c: ConversationView) => (c.kind === "direct" ? c.peer.status !== "verified" : c.group.myRole === "none");
    return html`<dialog aria-labelledby="share-title" aria-describedby="share-what" data-testid="share-picker" @close=${this.onClose}>
      <h2 id="share-title">${msg("Send to…")}</h2>
      <p class="what" id="share-what">${this.summary() || msg("Nothing to send")}</p>
      ${this.conversations.length === 0
        ? html`<p class="none">${msg("You have no chats yet. Start one, then share again.")}</p>`
        : html`<ul aria-label=${msg("Chats")}>
            ${this.conversations.map(
              (c) => html`<li>
                <button type="button" data-testid="share-chat" ?disabled=${blocked(c)} @click=${() => this.pick(c.id)}>
                  ${chatAvatar(c)}
                  <span class="title" dir="auto">${c.title}</span>
                </button>
              </li>`,
            )}
          </ul>`}
      <div class="actions"><button type="button" class="secondary" data-testid="share-cancel" @click=${this.close}>${msg("Cancel")}</button></div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-share-picker": SealedSharePicker;
  }
}
