import { localized, msg } from "@lit/localize";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../client/index.js";
import { clientContext, syncContext, type SyncState } from "./context.js";
import { shared } from "../styles/shared.js";
import { LiveQuery } from "./live-query.js";
import { lockIcon } from "./icons.js";
import { clearUnread, showUnread } from "./unread-badge.js";
import type { SealedNewChatDialog } from "./sealed-new-chat-dialog.js";
import type { SealedNewGroupDialog } from "./sealed-new-group-dialog.js";
import type { SealedSharePicker } from "./sealed-share-picker.js";
import type { SharedItems } from "../pwa/share-inbox.js";
import { stageFilesFromOutside } from "./staged-files.js";
import { lazyScreen, loadFailedText } from "./lazy-screen.js";
import { isLoaded, loadScreen } from "./screen-loads.js";
import { newGroupDialog, settingsScreen } from "./screens.js";
import "./sealed-conversation-list.js";
import "./sealed-chat-view.js";
import "./sealed-new-chat-dialog.js";
import "./sealed-account-banner.js";
import "./sealed-recovery-notice.js";
import "./sealed-search.js";
import type { SealedSearch } from "./sealed-search.js";
import { requestJump } from "./sealed-search-jump.js";

const ROUTE = /^#\/c\/([A-Za-z0-9_-]{22})$/;
const SETTINGS_ROUTE = "#/settings";

/**
 * The signed-in layout: conversation list and chat side by side on wide screens, one at a time (with a
 * back button) under 700px. The open chat is in the URL hash, so the browser's back button works too.
 * Opened as `/?share=<id>` by the service worker after another app shared files or text to Sealed, it
 * asks "Send to…" and opens the chosen chat with the files staged and the text in its box.
 */
@localized()
@customElement("sealed-main")
export class SealedMain extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        height: 100%;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(16rem, 22rem) 1fr;
        height: 100%;
        max-width: 90rem;
        margin: 0 auto;
        background: var(--surface);
      }
      @media (min-width: 90rem) {
        .layout {
          border-inline: 1px solid var(--border);
        }
      }
      .sidebar {
        border-right: 1px solid var(--border);
        min-height: 0;
        display: flex;
        flex-direction: column;
      }
      .main {
        min-width: 0;
        min-height: 0;
        display: flex;
        flex-direction: column;
        background: var(--bg);
      }
      .search-button {
        margin: 0.5rem 1rem 0;
        display: flex;
        justify-content: space-between;
        align-items: center;
        color: var(--text);
        font-weight: 500;
      }
      .search-button kbd {
        font: inherit;
        font-size: 0.75rem;
        border: 1px solid var(--border);
        border-radius: 4px;
        padding: 0 0.3rem;
      }
      .settings-link {
        display: block;
        margin-top: auto;
        padding: 0.75rem 1rem;
        border-top: 1px solid var(--border);
        color: var(--accent);
        font-weight: 600;
        text-decoration: none;
      }
      .notice {
        margin: 0;
        padding: 0.5rem 1rem;
        font-size: 0.88rem;
        background: var(--warn-bg);
        color: var(--warn-text);
      }
      .empty {
        margin: auto;
        text-align: center;
        padding: 2rem;
        color: var(--muted);
        max-width: 24rem;
      }
      .empty h2 {
        color: var(--text);
        font-size: 1.2rem;
        margin: 0 0 0.5rem;
      }
      .empty p {
        margin: 0;
      }
      .mark {
        display: inline-grid;
        place-items: center;
        width: 3.5rem;
        height: 3.5rem;
        border-radius: 50%;
        background: var(--accent-soft);
        color: var(--accent);
        font-size: 1.6rem;
        margin-bottom: 1rem;
      }
      @media (max-width: 699.98px) {
        .layout {
          grid-template-columns: 1fr;
        }
        .sidebar {
          border-right: none;
        }
        .layout[data-pane="chat"] .sidebar,
        .layout[data-pane="list"] .main {
          display: none;
        }
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) startError = "";
  @state() private selected: ConversationId | undefined;
  @state() private settings = false;
  /** The new group dialog loads on first use (screens.ts): while it loads, and if that failed. */
  @state() private groupDialogLoad: "" | "loading" | "failed" = "";
  @consume({ context: syncContext, subscribe: true }) @state() private sync: SyncState = { status: "connecting", live: false };
  @query("sealed-new-chat-dialog") private dialog!: SealedNewChatDialog;
  @query("sealed-new-group-dialog") private groupDialog?: SealedNewGroupDialog;
  @query("sealed-share-picker") private sharePicker?: SealedSharePicker;
  @query("sealed-search") private search!: SealedSearch;
  /** A share waiting for the person to pick its chat. */
  @state() private share: { id: string; items: SharedItems } | undefined;
  @state() private shareError = "";

  private readonly conversations = new LiveQuery(this, () => this.client.views.conversations());
  private readonly account = new LiveQuery(this, () => this.client.views.me());

  private readonly onHash = () => this.route();

  /** Ctrl/Cmd+K searches every chat; Ctrl/Cmd+F in an open chat searches that chat (instead of the page). */
  private readonly onShortcut = (e: KeyboardEvent): void => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey || e.shiftKey) return;
    const key = e.key.toLowerCase();
    if (key === "k") {
      e.preventDefault();
      this.search.open();
    } else if (key === "f" && this.selected) {
      e.preventDefault();
      this.search.open(this.selected);
    }
  };

  /** A search result was chosen: its chat opens at the message. */
  private onSearchChosen(e: CustomEvent<{ conversationId: ConversationId; key: string }>): void {
    requestJump(e.detail.key);
    location.hash = `#/c/${e.detail.conversationId}`;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener("hashchange", this.onHash);
    window.addEventListener("keydown", this.onShortcut);
    this.route();
    void this.receiveShare();
  }

  /** `?share=<id>` in the address: what was shared is read back and the picker opens; the address is cleaned. */
  private async receiveShare(): Promise<void> {
    const params = new URLSearchParams(location.search);
    const id = params.get("share");
    if (id === null) return;
    params.delete("share");
    const rest = params.toString();
    history.replaceState(history.state, "", `${location.pathname}${rest ? `?${rest}` : ""}${location.hash}`);
    // Loaded only when something was shared: the picker and the inbox stay out of the app shell.
    const [{ isShareId, readShare }] = await Promise.all([import("../pwa/share-inbox.js"), import("./sealed-share-picker.js")]);
    const items = isShareId(id) ? await readShare(id).catch(() => undefined) : undefined;
    if (!items || (items.files.length === 0 && items.text === "")) {
      this.shareError = msg("What was shared to Sealed couldn't be received. Share it again.");
      return;
    }
    this.share = { id, items };
    await this.updateComplete;
    await this.sharePicker?.open();
  }

  private onShareChosen(e: CustomEvent<ConversationId>): void {
    const share = this.share;
    if (!share) return;
    this.share = undefined;
    const chat = e.detail;
    if (share.items.text !== "" && this.client.drafts.get(chat) === "") this.client.drafts.set(chat, share.items.text);
    stageFilesFromOutside(chat, share.items.files);
    void import("../pwa/share-inbox.js").then((inbox) => inbox.dropShare(share.id));
    location.hash = `#/c/${chat}`;
  }

  private onShareDismissed(): void {
    const id = this.share?.id;
    if (id) void import("../pwa/share-inbox.js").then((inbox) => inbox.dropShare(id));
    this.share = undefined;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener("hashchange", this.onHash);
    window.removeEventListener("keydown", this.onShortcut);
    clearUnread();
  }

  protected override updated(): void {
    // The tab title and app badge follow the list's unread counts.
    if (this.conversations.value) showUnread(this.conversations.value);
  }

  private route(): void {
    this.settings = location.hash === SETTINGS_ROUTE;
    const m = ROUTE.exec(location.hash);
    const next = m ? (m[1] as ConversationId) : undefined;
    const leaving = this.selected;
    this.selected = next;
    // Opening a chat clears its "marked as unread" dot (chats/chat-controls.ts).
    if (next) void this.client.chats.opened(next).catch(() => undefined);
    // Back on the list (phone layout): return focus to the chat that was open.
    if (!next && leaving) void this.updateComplete.then(() => this.renderRoot.querySelector("sealed-conversation-list")?.focusItem(leaving));
  }

  private openNewChat(): void {
    this.dialog.open();
  }

  private async openNewGroup(): Promise<void> {
    if (this.groupDialogLoad === "loading") return;
    this.groupDialogLoad = "loading";
    try {
      await loadScreen(newGroupDialog);
    } catch {
      this.groupDialogLoad = "failed";
      return;
    }
    this.groupDialogLoad = "";
    await this.updateComplete;
    this.groupDialog?.open();
  }

  private onChatStarted(e: CustomEvent<{ id: ConversationId }>): void {
    location.hash = `#/c/${e.detail.id}`;
  }

  override render() {
    const list = this.conversations.value;
    const current = list?.find((c) => c.id === this.selected);
    const pane = this.selected || this.settings ? "chat" : "list";
    return html`
      <div class="layout" data-pane=${pane}>
        <nav class="sidebar" aria-label=${msg("Conversations")}>
          ${this.sync.status === "offline"
            ? html`<p class="notice" data-testid="offline-notice">${msg("You're offline. Your chats are still here; messages you write are sent when the connection returns.")}</p>`
            : nothing}
          ${this.startError ? html`<p class="notice" role="alert">${this.startError}</p>` : nothing}
          ${this.shareError ? html`<p class="notice" role="alert" data-testid="share-error">${this.shareError}</p>` : nothing}
          ${this.groupDialogLoad === "loading" ? html`<p class="notice" role="status">${msg("Opening the new group form…")}</p>` : nothing}
          ${this.groupDialogLoad === "failed" ? html`<p class="notice" role="alert" data-testid="screen-load-failed">${loadFailedText()}</p>` : nothing}
          <sealed-account-banner></sealed-account-banner>
          <button class="secondary search-button" type="button" @click=${() => this.search.open()} aria-keyshortcuts="Control+K Meta+K" data-testid="open-search">
            ${msg("Search messages")} <kbd>${msg("Ctrl K")}</kbd>
          </button>
          <sealed-recovery-notice></sealed-recovery-notice>
          <sealed-conversation-list
            .conversations=${list}
            .selected=${this.selected}
            .username=${this.account.value?.username ?? ""}
            .version=${__APP_VERSION__}
            @new-chat=${this.openNewChat}
            @new-group=${this.openNewGroup}
          ></sealed-conversation-list>
          <a class="settings-link" href=${SETTINGS_ROUTE} data-testid="open-settings">${msg("Settings")}</a>
        </nav>
        <main class="main">
          ${this.settings
            ? lazyScreen(this, settingsScreen, () => html`<sealed-settings @close=${() => (location.hash = "")}></sealed-settings>`)
            : this.selected
            ? current
              ? html`<sealed-chat-view .conversation=${current}></sealed-chat-view>`
              : html`<div class="empty" role="status">${list ? msg("This chat isn't on this device.") : msg("Opening chat…")}</div>`
            : this.renderEmpty(list?.length ?? 0)}
        </main>
      </div>
      <sealed-new-chat-dialog @chat-started=${this.onChatStarted}></sealed-new-chat-dialog>
      <sealed-search .conversations=${list ?? []} @search-chosen=${this.onSearchChosen}></sealed-search>
      ${isLoaded(newGroupDialog)
        ? html`<sealed-new-group-dialog .me=${this.account.value?.username ?? ""} @chat-started=${this.onChatStarted}></sealed-new-group-dialog>`
        : nothing}
      ${this.share
        ? html`<sealed-share-picker
            .conversations=${list ?? []}
            .items=${this.share.items}
            @share-chosen=${this.onShareChosen}
            @share-dismissed=${this.onShareDismissed}
          ></sealed-share-picker>`
        : nothing}
    `;
  }

  private renderEmpty(count: number) {
    return html`<div class="empty">
      <div class="mark">${lockIcon}</div>
      <h2>${count === 0 ? msg("Your chats are end-to-end encrypted") : msg("Pick a conversation")}</h2>
      <p>${count === 0 ? msg("Only you and the people you write to can read them.") : msg("Or start a new chat or group with a username.")}</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-main": SealedMain;
  }
}
