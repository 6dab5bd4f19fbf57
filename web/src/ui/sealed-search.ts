import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient, ConversationView, SearchResult } from "../client/index.js";
import { clientContext } from "./context.js";
import { shared } from "../styles/shared.js";
import { dialogStyles } from "./dialog-styles.js";
import { LiveQuery } from "./live-query.js";
import { formatListTime } from "./format.js";
import { snippetParts } from "./sealed-search-snippet.js";

/** Results shown at most. */
const LIMIT = 50;

/**
 * Search over this device's history (issue 20): a modal dialog with a combobox and its listbox of
 * results. Opened across all chats (Ctrl/Cmd+K) or within one (Ctrl/Cmd+F in a chat, widened with a
 * button). Arrow keys move through the results, Enter opens one; Escape closes and returns focus where
 * it was. Results follow the index live (a message deleted meanwhile leaves them). Fires
 * `search-chosen` with the conversation and message key.
 */
@localized()
@customElement("sealed-search")
export class SealedSearch extends LitElement {
  static override styles = [
    shared,
    dialogStyles,
    css`
      dialog {
        width: min(96vw, 40rem);
        max-height: min(80vh, 44rem);
        padding: 1rem;
        margin-top: 8vh;
        display: none;
        flex-direction: column;
        gap: 0.5rem;
      }
      dialog[open] {
        display: flex;
      }
      .head {
        display: flex;
        align-items: center;
        gap: 0.5rem;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
      }
      .scope {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        flex-wrap: wrap;
        font-size: 0.88rem;
        color: var(--muted);
      }
      .scope button {
        padding: 0.2rem 0.6rem;
        font-size: 0.85rem;
      }
      input {
        width: 100%;
      }
      .close {
        margin-left: auto;
      }
      .status {
        margin: 0;
        font-size: 0.88rem;
        color: var(--muted);
        min-height: 1.2em;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        overflow-y: auto;
        min-height: 0;
        flex: 1;
      }
      li {
        padding: 0.55rem 0.7rem;
        border-radius: 10px;
        cursor: pointer;
      }
      li[aria-selected="true"] {
        background: var(--accent-soft);
        outline: 2px solid var(--accent);
        outline-offset: -2px;
      }
      li:hover {
        background: var(--surface-2);
      }
      .meta {
        display: flex;
        gap: 0.4rem;
        font-size: 0.8rem;
        color: var(--muted);
      }
      .meta .who {
        font-weight: 600;
        color: var(--text);
      }
      .meta time {
        margin-left: auto;
        white-space: nowrap;
      }
      .snippet {
        margin: 0.15rem 0 0;
        overflow-wrap: anywhere;
      }
      mark {
        background: color-mix(in srgb, var(--accent) 28%, transparent);
        color: inherit;
        border-radius: 3px;
        padding: 0 1px;
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  /** The chats, for the name of the one searched in. */
  @property({ attribute: false }) conversations: readonly ConversationView[] = [];
  @query("dialog") private dialog!: HTMLDialogElement;
  @query("input") private input!: HTMLInputElement;
  @state() private text = "";
  @state() private scope: ConversationId | undefined;
  @state() private active = 0;
  @state() private isOpen = false;
  /** What was focused before opening: focus goes back there on close. */
  private returnTo: HTMLElement | undefined;
  /** The last results, kept on screen while the next query runs. */
  private shown: readonly SearchResult[] = [];

  private readonly results = new LiveQuery(
    this,
    () => (this.isOpen && this.text.trim() ? this.client.search.query(this.text, { limit: LIMIT, ...(this.scope ? { conversationId: this.scope } : {}) }) : undefined),
    // Asked again as the index grows: what was not indexed a moment ago may be now.
    () => [this.isOpen, this.text, this.scope, this.progress.value?.indexed],
  );
  private readonly progress = new LiveQuery(this, () => (this.isOpen ? this.client.search.progress() : undefined), () => [this.isOpen]);

  /** Opens the search, within one chat when `scope` is given. */
  open(scope?: ConversationId): void {
    this.returnTo = deepActiveElement();
    this.scope = scope;
    this.active = 0;
    this.isOpen = true;
    if (!this.dialog.open) this.dialog.showModal();
    this.input.focus();
    this.input.select();
  }

  private close(): void {
    this.dialog.close();
  }

  private onClose(): void {
    this.isOpen = false;
    const back = this.returnTo;
    this.returnTo = undefined;
    if (back?.isConnected) back.focus();
  }

  private onInput(): void {
    this.text = this.input.value;
    this.active = 0;
  }

  private widen(): void {
    this.scope = undefined;
    this.active = 0;
    this.input.focus();
  }

  private onKey(e: KeyboardEvent): void {
    const n = this.shown.length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (n === 0) return;
      this.active = ((this.active < n ? this.active : 0) + (e.key === "ArrowDown" ? 1 : n - 1)) % n;
      void this.updateComplete.then(() => this.renderRoot.querySelector(`#result-${this.active}`)?.scrollIntoView({ block: "nearest" }));
    } else if (e.key === "Escape") {
      // A search box would only clear itself on the first Escape: Escape closes the search at once.
      e.preventDefault();
      this.close();
    } else if (e.key === "Enter") {
      e.preventDefault();
      const r = this.shown[this.active < this.shown.length ? this.active : 0];
      if (r) this.choose(r);
    }
  }

  private choose(r: SearchResult): void {
    this.returnTo = undefined;
    this.dialog.close();
    this.dispatchEvent(new CustomEvent<{ conversationId: ConversationId; key: string }>("search-chosen", { detail: { conversationId: r.conversationId, key: r.key }, bubbles: true, composed: true }));
  }

  private statusText(searching: boolean): string {
    const p = this.progress.value;
    const building = p !== undefined && p.indexed < p.total;
    const percent = p && p.total > 0 ? Math.floor((p.indexed / p.total) * 100) : 0;
    const indexing = building ? msg(str`Indexing messages for search… ${percent}%`) : "";
    const q = this.text.trim();
    if (!q) return indexing || msg("Type to search your messages. They are searched on this device only.");
    if (searching && this.shown.length === 0) return msg("Searching…");
    if (this.shown.length === 0) return (building ? msg(str`No messages match “${q}” yet. ${indexing}`) : msg(str`No messages match “${q}”.`));
    const count = this.shown.length === 1 ? msg("1 message") : this.shown.length === LIMIT ? msg(str`${formatCount(LIMIT)}+ messages`) : msg(str`${formatCount(this.shown.length)} messages`);
    return building ? msg(str`${count}. ${indexing}`) : count;
  }

  override render() {
    const value = this.results.value;
    const searching = this.text.trim() !== "" && value === undefined;
    if (value !== undefined || this.text.trim() === "") this.shown = value ?? [];
    const results = this.shown;
    const active = this.active < results.length ? this.active : 0;
    const chat = this.scope ? this.conversations.find((c) => c.id === this.scope) : undefined;
    const activeId = results.length ? `result-${active}` : "";
    return html`
      <dialog aria-labelledby="search-title" data-testid="search-dialog" @close=${this.onClose}>
        <div class="head">
          <h2 id="search-title">${msg("Search messages")}</h2>
          <button class="secondary close" type="button" @click=${this.close} aria-label=${msg("Close search")}>${msg("Close")}</button>
        </div>
        <div class="scope" data-testid="search-scope">
          ${chat
            ? html`<span>${msg(str`In ${chat.title}`)}</span><button class="secondary" type="button" @click=${this.widen} data-testid="search-widen">${msg("Search all chats")}</button>`
            : html`<span>${msg("In all chats")}</span>`}
        </div>
        <input
          type="text"
          role="combobox"
          enterkeyhint="search"
          aria-label=${chat ? msg(str`Search messages in ${chat.title}`) : msg("Search messages in all chats")}
          aria-expanded=${results.length > 0 ? "true" : "false"}
          aria-controls="search-results"
          aria-autocomplete="list"
          aria-activedescendant=${activeId || nothing}
          aria-describedby="search-status"
          autocomplete="off"
          spellcheck="false"
          maxlength="200"
          placeholder=${msg("Search")}
          .value=${this.text}
          @input=${this.onInput}
          @keydown=${this.onKey}
          data-testid="search-input"
        />
        <p class="status" id="search-status" role="status" data-testid="search-status">${this.statusText(searching)}</p>
        <ul id="search-results" role="listbox" aria-label=${msg("Results")} data-testid="search-results">
          ${repeat(
            results,
            (r) => `${r.conversationId} ${r.key}`,
            (r, i) => html`<li
              id="result-${i}"
              role="option"
              aria-selected=${i === active ? "true" : "false"}
              data-testid="search-result"
              @click=${() => this.choose(r)}
              @mousemove=${() => (this.active = i)}
            >
              <div class="meta">
                <span class="who" dir="auto">${r.senderName}</span>${this.scope ? nothing : html`<span>${msg(str`in ${r.conversationTitle}`, { id: "search-in-chat" })}</span>`}
                <time datetime=${new Date(r.sentAt).toISOString()}>${formatListTime(r.sentAt)}</time>
              </div>
              <p class="snippet" data-testid="search-snippet" dir="auto">${snippetParts(r.snippet).map((p) => (p.mark ? html`<mark>${p.text}</mark>` : p.text))}</p>
            </li>`,
          )}
        </ul>
      </dialog>
    `;
  }
}

/** The focused element, looking inside shadow roots (the app is made of them). */
function deepActiveElement(): HTMLElement | undefined {
  let el: Element | null = document.activeElement;
  while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
  return el instanceof HTMLElement ? el : undefined;
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-search": SealedSearch;
  }
}
