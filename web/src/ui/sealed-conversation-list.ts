import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing, svg } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { ConversationId } from "../../../protocol/index.js";
import { orderChats, type ChatClient, type ConversationView } from "../client/index.js";
import { clientContext } from "./context.js";
import { typingText } from "./typing-text.js";
import { shared } from "../styles/shared.js";
import { formatListTime } from "./format.js";
import { backIcon, groupAddIcon, plusIcon, warningIcon } from "./icons.js";
import { avatarStyles, chatAvatar } from "./chat-avatar.js";
import "./sealed-connection-pill.js";
import { bellOffIcon } from "./sealed-mute-button.js";
import "./sealed-chat-menu.js";
import "./sealed-confirm-dialog.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import { runChatAction } from "./chat-actions.js";
import type { ChatAction } from "./sealed-chat-menu.js";
import { errorText } from "./error-text.js";

const pinIcon = svg`<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M9 4h6l-1 6 3 3v2H7v-2l3-3z"/><path d="M12 15v5"/></svg>`;
const archiveIcon = svg`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><rect x="3" y="4" width="18" height="5" rx="1.5"/><path d="M5 9v10h14V9M10 13h4"/></svg>`;
const moreIcon = svg`<svg viewBox="0 0 24 24" width="1.2em" height="1.2em" aria-hidden="true" fill="currentColor"><circle cx="5" cy="12" r="1.8"/><circle cx="12" cy="12" r="1.8"/><circle cx="19" cy="12" r="1.8"/></svg>`;

/**
 * The sidebar: who is signed in, "New chat", "New group", and the conversations, newest first; a chat
 * where someone is typing says so instead of its last message. Fires `new-chat` and `new-group`.
 */
@localized()
@customElement("sealed-conversation-list")
export class SealedConversationList extends LitElement {
  static override styles = [
    shared,
    avatarStyles,
    css`
      :host {
        display: flex;
        flex-direction: column;
        min-height: 0;
        flex: 1;
      }
      header {
        display: grid;
        grid-template-columns: 1fr auto;
        align-items: center;
        gap: 0.25rem 0.75rem;
        padding: 1rem 1rem 0.75rem;
      }
      .title {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
      }
      h1 {
        margin: 0;
        font-size: 1.35rem;
        letter-spacing: -0.01em;
      }
      footer {
        padding: 0.5rem 1rem 0.75rem;
        font-size: 0.75rem;
        color: var(--muted);
        border-top: 1px solid var(--border);
      }
      .me {
        grid-column: 1 / -1;
        margin: 0;
        overflow-wrap: anywhere;
        font-size: 0.85rem;
        color: var(--muted);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0.25rem 0.5rem 1rem;
        overflow-y: auto;
        flex: 1;
      }
      a {
        display: grid;
        grid-template-columns: auto 1fr auto;
        gap: 0.1rem 0.75rem;
        align-items: center;
        padding: 0.65rem 0.6rem;
        border-radius: 12px;
        color: inherit;
        text-decoration: none;
      }
      a:hover {
        background: var(--surface-2);
      }
      li.chat {
        display: grid;
        grid-template-columns: 1fr auto;
        align-items: center;
      }
      li.chat a {
        min-width: 0;
      }
      .more {
        width: 2.25rem;
        min-height: 2.25rem;
        padding: 0;
        background: transparent;
        color: var(--muted);
        border-radius: 999px;
      }
      .more:hover,
      .more:focus-visible,
      .more[aria-expanded="true"] {
        background: var(--surface-2);
        color: var(--text);
      }
      .archived-row {
        display: flex;
        align-items: center;
        gap: 0.75rem;
        width: 100%;
        justify-content: flex-start;
        padding: 0.6rem 0.8rem;
        background: transparent;
        color: var(--text);
        font-weight: 600;
        border-radius: 12px;
      }
      .archived-row:hover {
        background: var(--surface-2);
      }
      .list-error {
        margin: 0 1rem 0.5rem;
        color: var(--danger);
        font-size: 0.88rem;
      }
      .state-icon {
        flex: none;
        display: inline-flex;
        color: var(--muted);
      }
      .blocked-tag {
        flex: none;
        font-size: 0.75rem;
        font-weight: 600;
        color: var(--danger);
      }
      .dot {
        flex: none;
        width: 0.75rem;
        height: 0.75rem;
        border-radius: 999px;
        background: var(--accent);
      }
      a[aria-current="page"] {
        background: var(--accent-soft);
      }
      .actions {
        display: flex;
        gap: 0.4rem;
        flex: none;
      }
      .new-group {
        width: 2.5rem;
        padding: 0;
      }
      .avatar {
        --avatar-size: 2.6rem;
        grid-row: span 2;
      }
      .name {
        font-weight: 600;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      time {
        font-size: 0.78rem;
        color: var(--muted);
      }
      .preview {
        grid-column: 2 / span 2;
        font-size: 0.88rem;
        color: var(--muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .preview.typing {
        color: var(--accent);
        font-style: italic;
      }
      .preview.alarm {
        color: var(--danger);
        font-weight: 600;
        display: flex;
        gap: 0.3rem;
        align-items: center;
      }
      /* Unread: the name and preview bold, the time in the accent colour, a count badge (WhatsApp's way). */
      a[data-unread] .name,
      a[data-unread] .preview {
        font-weight: 700;
        color: var(--text);
      }
      a[data-unread] time {
        color: var(--accent);
        font-weight: 600;
      }
      .preview-row {
        grid-column: 2 / span 2;
        display: flex;
        align-items: center;
        gap: 0.5rem;
        min-width: 0;
      }
      .preview-row .preview {
        flex: 1;
        min-width: 0;
      }
      .muted-icon {
        flex: none;
        display: inline-flex;
        color: var(--muted);
      }
      .badge {
        flex: none;
        min-width: 1.35rem;
        padding: 0.05rem 0.4rem;
        border-radius: 999px;
        background: var(--accent);
        color: var(--on-accent);
        font-size: 0.75rem;
        font-weight: 700;
        text-align: center;
      }
      .badge.mention {
        min-width: 1.35rem;
        padding-inline: 0.3rem;
      }
      .empty {
        padding: 2rem 1.25rem;
        text-align: center;
        color: var(--muted);
      }
      .empty p {
        margin: 0 0 1rem;
      }
    `,
  ];

  @consume({ context: clientContext }) client: ChatClient | undefined;
  @property({ attribute: false }) conversations: ConversationView[] | undefined;
  @property({ attribute: false }) selected: ConversationId | undefined;
  @property() username = "";
  @property() version = "";

  /** The archived chats are shown instead of the main list. */
  @state() private showArchived = false;
  /** The open chat menu: its chat, the "⋯" button, and where a right-click opened it. */
  @state() private menu: { id: ConversationId; trigger: HTMLElement; at?: { x: number; y: number } } | undefined;
  /** The last chat action that failed, as a sentence. */
  @state() private actionError = "";
  @query("sealed-confirm-dialog") private confirm!: SealedConfirmDialog;

  /** Chats whose notifications are muted (client.push). */
  @state() private muted: ReadonlySet<ConversationId> = new Set();

  private readonly onTyping = (): void => this.requestUpdate();
  private readonly onPush = (): void => void this.client?.push.muted().then((m) => (this.muted = m));

  override connectedCallback(): void {
    super.connectedCallback();
    this.client?.typing.addEventListener("change", this.onTyping);
    this.client?.push.addEventListener("change", this.onPush);
    this.onPush();
    // Another device may have muted or unmuted a chat (the list is the account's, kept by the server).
    void this.client?.push.refreshMutes().catch(() => undefined);
  }

  override disconnectedCallback(): void {
    this.client?.typing.removeEventListener("change", this.onTyping);
    this.client?.push.removeEventListener("change", this.onPush);
    super.disconnectedCallback();
  }

  protected override updated(changed: Map<PropertyKey, unknown>): void {
    // A message brought an archived chat back: it stays back, even if muted later (docs/decisions.md).
    if (changed.has("conversations")) for (const c of this.conversations ?? []) if (c.unarchivedByMessage) void this.client?.chats.archive(c.id, false).catch(() => undefined);
  }

  /** Moves focus to a conversation's entry (after coming back from it on a phone). */
  focusItem(id: ConversationId): void {
    this.renderRoot.querySelector<HTMLElement>(`a[data-id="${id}"]`)?.focus();
  }

  private fire(type: "new-chat" | "new-group"): void {
    this.dispatchEvent(new CustomEvent(type, { bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <header>
        <div class="title">
          <h1>${msg("Chats")}</h1>
          <sealed-connection-pill></sealed-connection-pill>
        </div>
        <div class="actions">
          <button class="primary" type="button" @click=${() => this.fire("new-chat")} data-testid="new-chat">${plusIcon} ${msg("New chat")}</button>
          <button class="secondary new-group" type="button" @click=${() => this.fire("new-group")} aria-label=${msg("New group")} title=${msg("New group")} data-testid="new-group-button">
            ${groupAddIcon}
          </button>
        </div>
        ${this.username ? html`<p class="me">${msg(html`Signed in as <strong data-testid="my-username">${this.username}</strong>`)}</p>` : nothing}
      </header>
      ${this.actionError ? html`<p class="list-error" role="alert" data-testid="chat-action-error">${this.actionError}</p>` : nothing}
      ${this.renderLists()}
      ${this.renderMenu()}
      <sealed-confirm-dialog></sealed-confirm-dialog>
      ${this.version ? html`<footer>${msg("Sealed")} <span data-testid="app-version">${this.version}</span></footer>` : nothing}
    `;
  }

  private renderLists() {
    if (this.conversations === undefined) return nothing;
    if (this.conversations.length === 0) return html`<div class="empty" data-testid="no-conversations"><p>${msg("No conversations yet — start one with a username.")}</p></div>`;
    const { main, archived } = orderChats(this.conversations);
    if (this.showArchived) {
      return html`<button type="button" class="archived-row" data-testid="archived-back" @click=${() => this.openArchived(false)}>${backIcon} ${msg("Archived")}</button>
        ${archived.length === 0
          ? html`<div class="empty" data-testid="no-archived"><p>${msg("No archived chats.")}</p></div>`
          : html`<ul aria-label=${msg("Archived conversations")} data-testid="archived-list">
              ${repeat(archived, (c) => c.id, (c) => this.renderItem(c))}
            </ul>`}`;
    }
    return html`${archived.length > 0
        ? html`<button type="button" class="archived-row" data-testid="archived-row" @click=${() => this.openArchived(true)}>
            ${archiveIcon} ${msg("Archived")} <span data-testid="archived-count">(${archived.length})</span>
          </button>`
        : nothing}
      ${main.length === 0
        ? html`<div class="empty" data-testid="all-archived"><p>${msg("Every chat is archived.")}</p></div>`
        : html`<ul aria-label=${msg("Conversations")}>
            ${repeat(main, (c) => c.id, (c) => this.renderItem(c))}
          </ul>`}`;
  }

  private async openArchived(show: boolean): Promise<void> {
    this.showArchived = show;
    this.menu = undefined;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(show ? '[data-testid="archived-back"]' : '[data-testid="archived-row"]')?.focus();
  }

  private renderMenu() {
    const chat = this.menu && this.conversations?.find((c) => c.id === this.menu?.id);
    if (!this.menu || !chat) return nothing;
    return html`<sealed-chat-menu
      .chat=${chat}
      .trigger=${this.menu.trigger}
      .at=${this.menu.at}
      @menu-closed=${() => (this.menu = undefined)}
      @chat-action=${(e: CustomEvent<{ action: ChatAction; chat: ConversationView }>) => void this.act(e.detail.action, e.detail.chat)}
    ></sealed-chat-menu>`;
  }

  private openMenu(c: ConversationView, trigger: HTMLElement, at?: { x: number; y: number }): void {
    this.menu = this.menu?.id === c.id && !at ? undefined : { id: c.id, trigger, ...(at ? { at } : {}) };
  }

  private async act(action: ChatAction, chat: ConversationView): Promise<void> {
    if (!this.client) return;
    this.actionError = "";
    try {
      await runChatAction(this.client, this.confirm, action, chat);
    } catch (e) {
      this.actionError = errorText(e);
    }
    // Focus goes back to the chat's "⋯" button (or its row's first control when the row moved lists).
    await this.updateComplete;
    (this.renderRoot.querySelector<HTMLElement>(`button.more[data-id="${chat.id}"]`) ?? this.renderRoot.querySelector<HTMLElement>(".archived-row"))?.focus();
  }

  private renderItem(c: ConversationView) {
    const typing = this.client?.typing.who(c.id) ?? [];
    const alarm = c.kind === "direct" ? (c.peer.status !== "verified" ? msg("Identity changed") : "") : c.group.problem ? msg("Membership change refused") : "";
    const unread = c.unread > 0 ? (c.unread === 1 ? msg("1 unread message") : msg(str`${formatCount(c.unread)} unread messages`)) : "";
    const marked = c.markedUnread === true && !unread;
    return html`<li class="chat">
      <a
        @contextmenu=${(e: MouseEvent) => {
          const button = this.renderRoot.querySelector<HTMLElement>(`button.more[data-id="${c.id}"]`);
          if (!button) return;
          e.preventDefault();
          this.openMenu(c, button, { x: e.clientX, y: e.clientY });
        }}
        href="#/c/${c.id}"
        data-id=${c.id}
        data-kind=${c.kind}
        data-testid="conversation-item"
        aria-current=${c.id === this.selected ? "page" : nothing}
        ?data-unread=${c.unread > 0 || marked}
        ?data-pinned=${c.pinOrder !== undefined}
      >
        ${chatAvatar(c)}
        <span class="name" dir="auto">${c.kind === "group" ? html`<span class="visually-hidden">${msg("Group:")} </span>` : nothing}${c.title}</span>
        <time datetime=${new Date(c.last?.sentAt ?? c.updatedAt).toISOString()}>${formatListTime(c.last?.sentAt ?? c.updatedAt)}</time>
        <span class="preview-row">
          ${alarm
            ? html`<span class="preview alarm">${warningIcon} ${alarm}</span>`
            : typing.length > 0
              ? html`<span class="preview typing" data-testid="conversation-typing">${c.kind === "group" ? typingText(typing.map((p) => p.username)) : msg("typing…")}</span>`
              : html`<span class="preview" dir="auto">${this.preview(c)}</span>`}
          ${c.blocked ? html`<span class="blocked-tag" data-testid="blocked-indicator">${msg("Blocked")}</span>` : nothing}
          ${c.pinOrder !== undefined && !c.archived ? html`<span class="state-icon" role="img" aria-label=${msg("Pinned")} title=${msg("Pinned")} data-testid="pinned-indicator">${pinIcon}</span>` : nothing}
          ${marked ? html`<span class="dot" role="img" aria-label=${msg("Marked as unread")} title=${msg("Marked as unread")} data-testid="unread-dot"></span>` : nothing}
          ${this.muted.has(c.id) ? html`<span class="muted-icon" role="img" aria-label=${msg("Muted")} title=${msg("Muted")} data-testid="muted-indicator">${bellOffIcon}</span>` : nothing}
          ${unread && c.unreadMention ? html`<span class="badge mention" data-testid="mention-badge" role="img" aria-label=${msg("Mentions you")} title=${msg("Mentions you")}>@</span>` : nothing}
          ${unread ? html`<span class="badge" data-testid="unread-badge" role="img" aria-label=${unread}>${c.unread > 999 ? "999+" : c.unread}</span>` : nothing}
        </span>
      </a>
      <button
        type="button"
        class="more"
        data-id=${c.id}
        data-testid="chat-menu-button"
        aria-label=${msg(str`Options for ${c.title}`)}
        aria-haspopup="menu"
        aria-expanded=${this.menu?.id === c.id ? "true" : "false"}
        @click=${(e: Event) => this.openMenu(c, e.currentTarget as HTMLElement)}
      >
        ${moreIcon}
      </button>
    </li>`;
  }

  private preview(c: ConversationView): string {
    if (c.last) {
      const text = c.last.text;
      return c.last.mine ? msg(str`You: ${text}`) : text;
    }
    if (c.kind === "group" && c.group.myRole === "none") return msg("You are no longer a member");
    return msg("No messages yet");
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-conversation-list": SealedConversationList;
  }
}
