import { localized, msg, str } from "@lit/localize";
import { formatCount } from "./i18n/intl.js";
import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { consume } from "@lit/context";
import { customElement, property, query, state } from "lit/decorators.js";
import { keyed } from "lit/directives/keyed.js";
import type { ConversationId } from "../../../protocol/index.js";
import { type ChatClient, type DeviceStatus, isApiError, type ConversationView, type GroupView, type MemberView, type WindowRange } from "../client/index.js";
import { clientContext, deviceStatusContext, syncContext, type SyncState } from "./context.js";
import { shared } from "../styles/shared.js";
import { Action } from "./action.js";
import { backIcon, groupIcon, lockIcon, shieldIcon, verifiedIcon } from "./icons.js";
import { avatarStyles, chatAvatar } from "./chat-avatar.js";
import { LiveQuery } from "./live-query.js";
import { OnScreenController } from "./on-screen.js";
import type { SealedComposer } from "./sealed-composer.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import type { MessageAction } from "./sealed-message-menu.js";
import type { SealedGroupMembers } from "./sealed-group-members.js";
import type { SealedSafetyNumberDialog } from "./sealed-safety-number-dialog.js";
import "./sealed-composer.js";
import "./sealed-confirm-dialog.js";
import "./sealed-connection-pill.js";
import "./sealed-group-banner.js";
import "./sealed-group-members.js";
import "./sealed-identity-banner.js";
import "./sealed-message-list.js";
import type { SealedMessageList } from "./sealed-message-list.js";
import "./sealed-safety-number-dialog.js";
import "./sealed-key-change-banner.js";
import "./sealed-mute-button.js";
import "./sealed-typing-indicator.js";
import "./sealed-uploads.js";
import { dragHasFiles, filesOf } from "./staged-files.js";

const NEWEST: WindowRange = { at: "newest" };

/**
 * One conversation: header with the contact and their safety number (or the group, its size and its
 * member panel), the identity or membership warning when it applies, the history, and the composer.
 * Opening it re-checks the contact (or the group's membership) and prepares the epoch key. Each chat
 * gets its own composer element (keyed by the conversation id): nothing typed, sending or failed in one
 * chat can show up, or be sent, in the next one opened in the same pane.
 * Files dragged over the chat show a drop overlay; dropped, they are staged in its composer. The files
 * this chat is sending show below its messages (sealed-uploads).
 */
@localized()
@customElement("sealed-chat-view")
export class SealedChatView extends LitElement {
  static override styles = [
    shared,
    avatarStyles,
    css`
      :host {
        position: relative;
        display: flex;
        flex-direction: column;
        height: 100%;
        min-height: 0;
      }
      .drop {
        position: absolute;
        inset: 0.5rem;
        z-index: 5;
        display: grid;
        place-items: center;
        border: 3px dashed var(--accent);
        border-radius: var(--radius);
        background: color-mix(in srgb, var(--surface) 88%, transparent);
        color: var(--accent);
        font-size: 1.15rem;
        font-weight: 700;
        pointer-events: none;
      }
      header {
        display: flex;
        align-items: center;
        gap: 0.6rem;
        padding: 0.6rem 0.9rem;
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .back {
        display: none;
        width: 2.5rem;
        padding: 0;
        color: var(--text);
      }
      .phone-only {
        display: none;
      }
      @media (max-width: 699.98px) {
        .back,
        .phone-only {
          display: inline-flex;
        }
      }
      .who {
        flex: 1;
        min-width: 0;
      }
      h2 {
        margin: 0;
        font-size: 1.05rem;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      h2:focus {
        outline: none;
      }
      h2 .verified {
        display: inline-flex;
        flex-shrink: 0;
        margin-left: 0.35rem;
        color: var(--accent);
      }
      h2:has(.verified) {
        display: flex;
        align-items: center;
      }
      h2 .title-text {
        overflow: hidden;
        text-overflow: ellipsis;
      }
      .sub {
        display: flex;
        align-items: center;
        gap: 0.3rem;
        margin: 0;
        font-size: 0.78rem;
        color: var(--muted);
      }
      .sub-text {
        min-width: 0;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .sn {
        padding-inline: 0.8rem;
      }
      .status {
        margin: 0.5rem 1rem 0;
        font-size: 0.85rem;
        color: var(--warn-text);
        background: var(--warn-bg);
        border-radius: 10px;
        padding: 0.4rem 0.75rem;
      }
      .empty {
        margin: auto;
        padding: 2rem;
        max-width: 22rem;
        text-align: center;
        color: var(--muted);
      }
      .empty .mark {
        display: inline-grid;
        place-items: center;
        width: 3rem;
        height: 3rem;
        border-radius: 50%;
        background: var(--accent-soft);
        color: var(--accent);
        font-size: 1.4rem;
        margin-bottom: 0.75rem;
      }
      @media (max-width: 480px) {
        .sn-label,
        .wide-only {
          display: none;
        }
      }
    `,
  ];

  @consume({ context: clientContext }) client!: ChatClient;
  @property({ attribute: false }) conversation!: ConversationView;
  /** Shown in this header only in the one-pane layout, where the list's header is hidden. */
  /** Opening could not reach the server: done again once the connection is back. */
  private reopen = false;
  @query("sealed-composer") private composer?: SealedComposer;
  @query("sealed-message-list") private list?: SealedMessageList;
  @query("sealed-confirm-dialog") private confirm!: SealedConfirmDialog;
  @query("sealed-safety-number-dialog") private sn!: SealedSafetyNumberDialog;
  @query("sealed-group-members") private members?: SealedGroupMembers;

  /**
   * The part of the timeline the chat holds (client/views/timeline-window.ts): its newest bubbles when it
   * opens, then wherever the list asks as the reader scrolls or jumps (`window-move`, `window-find`,
   * `window-newest`). A live query: a new message, a reaction or an edit re-reads only the window; moving
   * it keeps showing the old one until the new one is read. The read-receipts setting changes the ticks.
   */
  @state() private range: WindowRange = NEWEST;
  private readonly timeline = new LiveQuery(
    this,
    () => this.client.views.window(this.conversation.id, this.range),
    () => [this.conversation.id, this.client.settings.readReceipts],
    () => [this.range],
  );
  private readonly onScreen = new OnScreenController(this, () => this.client);
  /** Files are being dragged over the chat (dragenter and dragleave fire for every child crossed: counted). */
  @state() private dragging = false;
  private dragDepth = 0;

  override connectedCallback(): void {
    super.connectedCallback();
    this.addEventListener("dragenter", this.onDragEnter);
    this.addEventListener("dragover", this.onDragOver);
    this.addEventListener("dragleave", this.onDragLeave);
    this.addEventListener("drop", this.onDrop);
  }

  override disconnectedCallback(): void {
    this.removeEventListener("dragenter", this.onDragEnter);
    this.removeEventListener("dragover", this.onDragOver);
    this.removeEventListener("dragleave", this.onDragLeave);
    this.removeEventListener("drop", this.onDrop);
    super.disconnectedCallback();
  }

  private get canDrop(): boolean {
    return this.composer !== undefined && !this.composer.disabled;
  }

  private readonly onDragEnter = (e: DragEvent): void => {
    if (!dragHasFiles(e.dataTransfer) || !this.canDrop) return;
    e.preventDefault();
    this.dragDepth++;
    this.dragging = true;
  };

  private readonly onDragOver = (e: DragEvent): void => {
    if (!dragHasFiles(e.dataTransfer) || !this.canDrop) return;
    // Without this the browser would open the file in place of the app.
    e.preventDefault();
    if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    this.dragging = true;
  };

  private readonly onDragLeave = (): void => {
    this.dragDepth = Math.max(0, this.dragDepth - 1);
    if (this.dragDepth === 0) this.dragging = false;
  };

  private readonly onDrop = (e: DragEvent): void => {
    this.dragDepth = 0;
    this.dragging = false;
    const files = filesOf(e.dataTransfer);
    if (files.length === 0 || !this.canDrop) return;
    e.preventDefault();
    this.composer?.stage(files);
    this.composer?.focus();
  };

  /** While the server refuses this device, the banner above says why nothing loads; opening waits for it. */
  @consume({ context: deviceStatusContext, subscribe: true }) @state() private deviceStatus: DeviceStatus = "active";
  @consume({ context: syncContext, subscribe: true }) @state() private sync: SyncState = { status: "connecting", live: false };

  protected override updated(changed: PropertyValues<this>): void {
    const prev = changed.get("conversation");
    // Private properties are not in PropertyValues' key type; the map holds them all the same.
    const was = changed as Map<PropertyKey, unknown>;
    if (changed.has("conversation") && prev?.id !== this.conversation.id) {
      void this.onScreen.show(this.conversation.id);
      void this.opened(true);
    }
    else if (was.has("sync") && this.sync.status === "online" && this.reopen) void this.opened(false);
    else if (was.get("deviceStatus") === "refused" && this.deviceStatus === "active") void this.opened(false);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Another chat opens at its newest messages.
    if (changed.has("conversation") && changed.get("conversation")?.id !== this.conversation.id) this.range = NEWEST;
  }

  private moveWindow(range: WindowRange): void {
    if (JSON.stringify(range) !== JSON.stringify(this.range)) this.range = range;
  }

  private readonly onWindowMove = (e: CustomEvent<{ seq: number }>): void => this.moveWindow({ at: "around", seq: e.detail.seq });
  private readonly onWindowNewest = (): void => this.moveWindow(NEWEST);
  /** The reader sent a message: the chat goes to the newest messages, where it appears (as Signal and WhatsApp do). */
  private readonly onSubmitted = (): void => {
    this.list?.followSent();
    this.moveWindow(NEWEST);
  };

  /** A quote or a search result names a message outside the window: the window moves around it, if this device holds it. */
  private readonly onWindowFind = (e: CustomEvent<{ key: string }>): void => {
    const id = this.conversation.id;
    void this.client.views.positionOf(id, e.detail.key).then((at) => {
      if (this.conversation.id !== id || at === undefined) return;
      this.moveWindow(at === "unsent" ? NEWEST : { at: "around", seq: at });
    });
  };

  /**
   * The history shows from local data at once (a live query); this only re-checks the contact, makes
   * sure an epoch key exists and catches up. Offline that fails quietly (the header says offline) and
   * runs again when the connection returns.
   */
  private async opened(focus: boolean): Promise<void> {
    this.reopen = false;
    this.retrying.clear();
    this.acting.clear();
    const id = this.conversation.id;
    await this.updateComplete;
    if (focus) this.composer?.focus();
    await this.opening.run(id);
  }

  private readonly opening = new Action(this, async (id: ConversationId) => {
    try {
      await this.client.openConversation(id);
    } catch (e) {
      // Another chat opened meanwhile, or no connection (it runs again when the connection returns).
      if (this.conversation.id !== id) return;
      if (isApiError(e) && (e.code === "network" || e.status >= 500)) {
        this.reopen = true;
        return;
      }
      throw e;
    }
  });

  private readonly retrying = new Action(this, async (id: ConversationId, key: string) => {
    await this.client.retry(id, key);
  });

  /** A reaction or a delete for everyone, chosen on a message (replies and edits go through the composer). */
  private readonly acting = new Action(this, async (id: ConversationId, a: MessageAction) => {
    if (a.action === "react") await this.client.react(id, a.message.ref, a.emoji);
    else if (a.action === "delete") {
      const yes = await this.confirm.ask({
        title: msg("Delete for everyone?"),
        body: msg("This message will be replaced by “This message was deleted” for everyone in this chat, and removed from your devices. Someone who kept a copy can still have it."),
        confirm: msg("Delete for everyone"),
        danger: true,
      });
      if (yes) await this.client.deleteForEveryone(id, a.message.ref);
      this.composer?.focus();
    }
  });

  private readonly onMessageAction = (e: CustomEvent<MessageAction>): void => {
    const a = e.detail;
    if (a.action === "reply") this.composer?.startReply(a.message);
    else if (a.action === "edit") this.composer?.startEdit(a.message);
    else void this.acting.run(this.conversation.id, a);
  };

  /** Why opening the chat, sending a failed message again, or acting on a message did not work. */
  private get openError(): string {
    if (this.deviceStatus !== "active") return "";
    return this.acting.error || this.retrying.error || this.opening.error;
  }

  private readonly onRetry = (e: CustomEvent<{ key: string }>): void => {
    void this.retrying.run(this.conversation.id, e.detail.key);
  };

  private readonly onDiscard = (e: CustomEvent<{ key: string }>): void => {
    void this.client.discard(this.conversation.id, e.detail.key);
  };

  private showSafetyNumber(): void {
    if (this.conversation.kind === "direct") void this.sn.open(this.conversation.peer);
  }

  override render() {
    const c = this.conversation;
    const group = c.kind === "group" ? c.group : undefined;
    const removed = group?.myRole === "none";
    const blocked = c.kind === "direct" ? c.peer.status !== "verified" : removed;
    const window = this.timeline.value;
    const count = group ? (group.members.length === 1 ? msg("1 member") : msg(str`${formatCount(group.members.length)} members`)) : "";
    return html`
      <header>
        <a class="button ghost back" href="#/" aria-label=${msg("Back to chats")} data-testid="back">${backIcon}</a>
        ${chatAvatar(c)}
        <div class="who">
          <h2 tabindex="-1" data-testid="chat-title">
            <span class="title-text" dir="auto">${c.title}</span>${c.kind === "direct" && c.peer.verified
              ? html`<span class="verified" role="img" aria-label=${msg("Verified")} title=${msg(str`You verified ${c.title}'s safety number`)} data-testid="verified-mark">${verifiedIcon}</span>`
              : nothing}
          </h2>
          <p class="sub">
            ${lockIcon}
            <span class="sub-text">
              ${group
                ? removed
                  ? msg("You're no longer a member")
                  : html`<span data-testid="group-member-count">${count}</span><span class="wide-only"> ${msg("· End-to-end encrypted")}</span>`
                : c.kind === "direct" && c.peer.displayName !== undefined
                  ? html`<span data-testid="chat-username">@${c.peer.username}</span><span class="wide-only"> ${msg("· End-to-end encrypted")}</span>`
                  : msg("End-to-end encrypted")}
            </span>
          </p>
        </div>
        ${group
          ? html`<button class="secondary sn" type="button" @click=${() => this.members?.open()} data-testid="group-members-button" aria-label=${msg("Members")}>
              ${groupIcon}<span class="sn-label">${msg("Members")}</span>
            </button>`
          : html`<button class="secondary sn" type="button" @click=${this.showSafetyNumber} data-testid="safety-number-button" aria-label=${msg("Safety number")}>
              ${shieldIcon}<span class="sn-label">${msg("Safety number")}</span>
            </button>`}
        <sealed-mute-button .conversationId=${c.id}></sealed-mute-button>
        <sealed-connection-pill class="phone-only" compact></sealed-connection-pill>
      </header>
      ${c.kind === "direct" && blocked ? html`<sealed-identity-banner .peer=${c.peer}></sealed-identity-banner>` : nothing}
      ${c.kind === "direct" && !blocked && c.peer.keyChanged ? html`<sealed-key-change-banner .peer=${c.peer} @verify=${this.showSafetyNumber}></sealed-key-change-banner>` : nothing}
      ${group && !removed ? keyChangedMembers(group).map((m) => html`<sealed-key-change-banner .peer=${m} @verify=${() => void this.sn.open(m)}></sealed-key-change-banner>`) : nothing}
      ${group ? html`<sealed-group-banner .group=${group}></sealed-group-banner>` : nothing}
      ${this.openError && !removed ? html`<p class="status" role="status">${this.openError}</p>` : nothing}
      ${c.kind === "direct" && c.peer.logWithheld && !blocked
        ? html`<p class="status" role="alert" data-testid="log-withheld">
            ${msg(str`${c.peer.username}'s messages mention a newer list of their devices than the server provides. Sending is paused until it does: the server may be hiding a removed device.`)}
          </p>`
        : nothing}
      ${group?.membershipWithheld && !removed
        ? html`<p class="status" role="alert" data-testid="membership-withheld">
            ${msg("This group's newest key was made for a change to its members that the server doesn't provide. Sending is paused until it does: the server may be hiding a removed member.")}
          </p>`
        : nothing}
      ${c.rejected > 0
        ? html`<p class="status" role="status">
            ${c.rejected === 1 ? msg("1 message failed security checks and was hidden.") : msg(str`${formatCount(c.rejected)} messages failed security checks and were hidden.`)}
          </p>`
        : nothing}
      ${window === undefined
        ? html`<div class="empty" role="status">${msg("Loading messages…")}</div>`
        : window.total === 0
          ? html`<div class="empty">
              <div class="mark">${lockIcon}</div>
              <p>${group ? msg("No messages yet. Only the members of this group can read what you write here.") : msg(str`No messages yet. Only you and ${c.title} can read what you write here.`)}</p>
            </div>`
          : keyed(c.id, html`<sealed-message-list
              .messages=${window.items}
              .offset=${window.offset}
              .total=${window.total}
              ?hasNewer=${window.hasNewer}
              .unsentNotHeld=${window.unsentNotHeld}
              ?atNewest=${this.range.at === "newest"}
              .unreadAfter=${this.onScreen.unreadAfter}
              @window-move=${this.onWindowMove}
              @window-newest=${this.onWindowNewest}
              @window-find=${this.onWindowFind}
              .peerName=${c.title}
              ?group=${group !== undefined}
              @retry-message=${this.onRetry}
              @discard-message=${this.onDiscard}
              @message-action=${this.onMessageAction}
            ></sealed-message-list>`)}
      <sealed-uploads .conversationId=${c.id}></sealed-uploads>
      <sealed-typing-indicator .conversationId=${c.id}></sealed-typing-indicator>
      ${c.blocked
        ? html`<p class="status" role="status" data-testid="blocked-notice">
            ${msg(str`You blocked ${c.title}.`)} <button type="button" class="secondary" data-testid="unblock" @click=${() => void this.client.chats.block(c.id, false)}>${msg("Unblock")}</button> ${msg("to send.")}
          </p>`
        : nothing}
      ${keyed(c.id, html`<sealed-composer
        .conversationId=${c.id}
        @message-submitted=${this.onSubmitted}
        .disabled=${blocked || c.blocked === true}
        .mentionable=${group ? group.members.filter((m) => !m.isMe).map((m) => ({ accountId: m.accountId, name: m.username })) : []}
        stoppedText=${removed ? msg("You're no longer a member") : c.blocked ? msg(str`You blocked ${c.title}`) : msg("Sending is stopped")}
        label=${msg(str`Message ${c.title}`)}
      ></sealed-composer>`)}
      ${group ? html`<sealed-group-members .conversationId=${c.id} .group=${group} .groupTitle=${c.title}></sealed-group-members>` : nothing}
      <sealed-safety-number-dialog .peer=${c.kind === "direct" ? c.peer : undefined}></sealed-safety-number-dialog>
      <sealed-confirm-dialog></sealed-confirm-dialog>
      ${this.dragging ? html`<div class="drop" data-testid="drop-overlay" aria-hidden="true">${msg(str`Drop files to send to ${c.title}`)}</div>` : nothing}
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-chat-view": SealedChatView;
  }
}

/** The other members of a group whose account was reset since this account last trusted them (issue 21). */
function keyChangedMembers(group: GroupView): MemberView[] {
  return group.members.filter((m) => !m.isMe && m.keyChanged === true);
}
