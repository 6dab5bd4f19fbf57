import { localized, msg, str } from "@lit/localize";
import { formatLocale } from "./i18n/intl.js";
import { formatCount } from "./i18n/intl.js";
import { LitElement, html, nothing, type PropertyValues } from "lit";
import { customElement, property, state } from "lit/decorators.js";
import { repeat } from "lit/directives/repeat.js";
import { guard } from "lit/directives/guard.js";
import type { MessageView, SystemLineView, TimelineItem } from "../client/index.js";
import { shared } from "../styles/shared.js";
import { dayKey, formatDay, formatTime } from "./format.js";
import { warningIcon } from "./icons.js";
import { messageListStyles } from "./message-list-styles.js";
import { stableItems, type BubbleEvent } from "./message-parts.js";
import { bubbleTemplate } from "./message-bubble.js";
import { unreadDividerKey } from "./unread-divider.js";
import type { MessageAction } from "./sealed-message-menu.js";
import "./sealed-message-menu.js";
import { JUMP_EVENT, pendingJump, takeJump } from "./sealed-search-jump.js";

/** Consecutive messages of one sender closer than this form one run (one name label, in groups only). */
const RUN_GAP_MS = 5 * 60_000;
/** Newest messages rendered when the list opens or is pinned to the bottom. */
const WINDOW = 250;
/** The first frame of a long conversation shows only this many, so it paints sooner; the rest of WINDOW follows. */
const FIRST_PAINT = 60;
/** Messages rendered at most while scrolling through history: bounds the DOM and the cost of each render. */
const MAX_RENDERED = 300;
/** Messages added to the window at a time as the reader nears its top or bottom: small moves keep each frame short. */
const STEP = 30;
/** How close (px) to the top or bottom of the rendered window the reader comes before it moves. */
const EDGE_PX = 800;
/** Messages rendered above a quoted message the reader jumped to. */
const JUMP_CONTEXT = 20;
/** How long a message jumped to stays highlighted. */
const FLASH_MS = 1_600;

/** How close (in timeline rows) the rendered window comes to either end of the held one before the held one moves. */
const PREFETCH = 100;

/**
 * The history as a live log (screen readers announce arrivals politely). Keeps the view pinned to the
 * newest message while the reader is at the bottom, and always after they send.
 *
 * Two windows. The chat view holds a window of the timeline (`messages`, rows `offset` to `offset +
 * messages.length` of `total`; client/views/timeline-window.ts), and this list renders a slice of it (the
 * newest WINDOW messages, sliding up and down by STEP as the reader scrolls, never more than
 * MAX_RENDERED), so neither opening a 10,000-message conversation nor scrolling it costs more than a short
 * one. When the rendered slice comes within PREFETCH rows of an end of the held window, the list asks
 * the chat view to hold the part around it (`window-move`); a quote or a search result outside it asks
 * for the part around that message (`window-find`); back at the newest, the newest part (`window-newest`).
 * Positions (`first`, `end`, `data-first`, `data-index`) count from the oldest row of the whole chat.
 * The message kept in view is anchored by hand across each move. `data-total` on the log says how many
 * timeline rows the conversation holds (messages, and in groups the system lines such as "Alice added
 * Carol"), `data-first` which one the rendered slice starts at; "Show earlier messages" moves the window
 * for keyboard and screen reader users.
 */
@localized()
@customElement("sealed-message-list")
export class SealedMessageList extends LitElement {
  static override styles = [shared, messageListStyles];

  /** The held window of the timeline (sealed-chat-view.ts). */
  @property({ attribute: false }) messages: readonly TimelineItem[] = [];
  /** Timeline rows older than `messages[0]`, not held. */
  @property({ type: Number }) offset = 0;
  /** Timeline rows of the whole chat. */
  @property({ type: Number }) total = 0;
  /** Messages newer than the held window exist. */
  @property({ type: Boolean }) hasNewer = false;
  /** This device's unsent messages after the held window (sent while the reader was far up). */
  @property({ type: Number }) unsentNotHeld = 0;
  /** The chat view holds the newest part (not a part around a position). */
  @property({ type: Boolean }) atNewest = true;
  @property() peerName = "";
  /** A group chat: the log is labelled "Messages in …" rather than "Messages with …". */
  @property({ type: Boolean }) group = false;
  /** The chat opened with unread messages after this position: "New messages" goes above the first one. */
  @property({ attribute: false }) unreadAfter: number | undefined;
  /** The rendered window is rows [first, end) of the whole timeline: the newest WINDOW on open, at most MAX_RENDERED while scrolling. */
  @state() private first = 0;
  @state() private end = 0;
  /** True for the render that adds older messages above, so assistive technology does not announce them as new. */
  private loadingOlder = false;
  private pin = true;
  /** The held window as of the last render that changed it: its end, whether newer rows existed, the total, the unsent after it. */
  private known = { hi: 0, hasNewer: false, total: 0, unsent: 0 };
  private anchor: { key: string; offset: number } | undefined;
  private growAfterPaint = false;
  /** The window as last rendered. */
  private shown = { first: 0, end: 0 };
  /** `messages`, with the previous object kept for each item that did not change (message-parts.ts stableItems). */
  private items: readonly TimelineItem[] = [];
  private readonly previous = new Map<string, TimelineItem>();
  /** The message whose action menu is open, and the button that opened it. */
  @state() private menu: { key: string; mode: "react" | "more"; trigger: HTMLElement } | undefined;
  /** The bubble last tapped: its toolbar stays shown (touch screens have no hover). */
  @state() private selected: string | undefined;
  /** A message just jumped to, highlighted for a moment. */
  @state() private flash: string | undefined;
  /** Set by jumpTo: scrolled into view after the window that holds it has rendered. */
  private jumpTarget: string | undefined;
  /** A message to jump to once the held window holds it (asked for by `window-find`). */
  private findKey: string | undefined;
  /** The position last asked for by `window-move` (asked once). */
  private requested: number | undefined;
  /** A part around a position was asked for and has not come yet: the reader at the bottom of the old one does not ask for the newest. */
  private moving = false;
  /** "Show earlier messages" was pressed at the start of the held window: done again when older rows come. */
  private earlierWanted = false;
  /** The reader sent a message while far up: pinned to the bottom once the newest part is held. */
  private pinOnNewest = false;
  /**
   * The chat opened with unread messages: once both the messages and where they start are known, the list
   * opens at the "New messages" divider instead of the newest message, when there is more unread than fits.
   */
  private toDivider: "pending" | "scroll" | undefined;
  /** The part holding the divider was asked for (the first unread message is older than the newest part). */
  private dividerAsked = false;

  /** The reader is at the newest message: a banner appearing above (which shrinks the list) keeps it in view. */
  private stick = true;
  private readonly resized = new ResizeObserver(() => {
    if (this.stick) this.scrollTop = this.scrollHeight;
  });

  /** A search result chose a message: looked for at the next render (this list may hold it). */
  private readonly onJumpRequest = (): void => this.requestUpdate();

  /** The first and last row held, as positions in the whole timeline. */
  private get lo(): number {
    return this.offset;
  }
  private get hi(): number {
    return this.offset + this.items.length;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener(JUMP_EVENT, this.onJumpRequest);
    this.addEventListener("scroll", this.onScroll, { passive: true });
    this.resized.observe(this);
  }

  override disconnectedCallback(): void {
    window.removeEventListener(JUMP_EVENT, this.onJumpRequest);
    this.removeEventListener("scroll", this.onScroll);
    this.resized.disconnect();
    super.disconnectedCallback();
  }

  /** The reader sent a message (sealed-chat-view.ts): the view goes to the bottom once the newest part is held and shows it. */
  followSent(): void {
    this.pinOnNewest = true;
  }

  private ask<T>(type: "window-move" | "window-find" | "window-newest", detail?: T): void {
    this.moving = type !== "window-newest";
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private readonly onScroll = (): void => {
    // The menu sits next to its button: it closes when the button moves away.
    if (this.menu) this.menu = undefined;
    this.checkEdges();
  };

  /** Moves the window when the reader nears either end of what is rendered (on scrolling, and after each render that may have moved it). */
  private readonly checkEdges = (): void => {
    this.stick = this.end >= this.hi && !this.hasNewer && this.scrollHeight - this.scrollTop - this.clientHeight < 80;
    // Back at the newest message: hold the newest part, which follows arrivals.
    if (this.stick && !this.atNewest && !this.moving) this.ask("window-newest");
    if (this.isUpdatePending) return;
    if (this.scrollTop < EDGE_PX && this.first > 0) this.showEarlier();
    else if (this.scrollHeight - this.scrollTop - this.clientHeight < EDGE_PX && (this.end < this.hi || this.hasNewer)) this.showLater();
  };

  private showEarlier(): void {
    const first = Math.max(this.lo, this.first - STEP);
    this.earlierWanted = first === this.first && this.lo > 0;
    this.prefetch("older", first, this.end);
    if (first === this.first) return;
    this.first = first;
    this.end = Math.min(this.end, this.first + MAX_RENDERED);
    this.loadingOlder = true;
  }

  private showLater(): void {
    const end = Math.min(this.hi, this.end + STEP);
    this.prefetch("newer", this.first, end);
    if (end === this.end) return;
    this.end = end;
    this.first = Math.max(this.first, this.end - MAX_RENDERED);
  }

  /**
   * Asks for the part around the rendered rows [first, end) when, moving towards older or newer rows,
   * they come near that end of the held part.
   */
  private prefetch(towards: "older" | "newer", first: number, end: number): void {
    const older = towards === "older" && this.lo > 0 && first - this.lo < PREFETCH;
    const newer = towards === "newer" && this.hasNewer && this.hi - end < PREFETCH;
    if (!older && !newer) return;
    const seq = older ? this.seqNear(first, 1) : this.seqNear(end - 1, -1);
    if (seq === undefined || seq === this.requested) return;
    this.requested = seq;
    this.ask("window-move", { seq });
  }

  /** The server position of the stored message at row `at`, or the nearest one from there in direction `step`. */
  private seqNear(at: number, step: 1 | -1): number | undefined {
    for (let i = at - this.lo; i >= 0 && i < this.items.length; i += step) {
      const it = this.items[i]!;
      if (it.kind === "message" && it.seq !== undefined) return it.seq;
    }
    return undefined;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    const before = this.known;
    // Measured before the DOM changes: was the reader at the bottom of the newest messages?
    const atNewest = this.end >= before.hi && !before.hasNewer && this.scrollHeight - this.scrollTop - this.clientHeight < 80;
    // Pinned to the newest, new messages scroll to the bottom and need no anchor (measuring one reads
    // the layout of every rendered row: skipped when a reaction or an edit arrives at the newest).
    const pinning = changed.has("messages") && atNewest;
    this.anchor = before.total === 0 || this.jumpTarget || pinning ? undefined : this.visibleAnchor();
    if (!changed.has("messages")) return this.placeDivider(changed);
    this.items = stableItems(this.messages, this.previous);
    // The part asked for has come (the chat view keeps the old one until then, and drops results of the
    // old one), or the chat view already held it and this is a re-run of it.
    this.moving = false;
    if (changed.has("offset")) this.requested = undefined;
    const hi = this.hi;
    const opening = before.total === 0;
    const grew = this.total > before.total;
    const newest = this.items.at(-1);
    // Sent while far up: the newest part is asked for, and the view goes there once it is held.
    if (this.unsentNotHeld > before.unsent) {
      this.pinOnNewest = true;
      this.ask("window-newest");
    }
    const sentHere = grew && newest?.kind === "message" && newest.mine;
    this.pin = opening || (!this.hasNewer && (atNewest || sentHere || this.pinOnNewest));
    if (this.pin) {
      this.pinOnNewest = false;
      this.end = hi;
      this.first = Math.max(this.lo, hi - (opening ? FIRST_PAINT : WINDOW));
      this.growAfterPaint = opening && this.first > this.lo;
    } else {
      // Reading older messages: the window stays put, follows new arrivals only if it reached the newest,
      // and stays inside the held part when that moved.
      if (this.end >= before.hi && !before.hasNewer) this.end = hi;
      this.end = Math.min(Math.max(this.end, this.lo), hi);
      this.first = Math.min(Math.max(this.first, this.lo), Math.max(this.lo, this.end - 1));
      if (this.end - this.first < Math.min(STEP, hi - this.lo)) this.end = Math.min(hi, this.first + WINDOW);
    }
    if (this.earlierWanted && this.first > this.lo) {
      this.earlierWanted = false;
      this.showEarlier();
    }
    this.known = { hi, hasNewer: this.hasNewer, total: this.total, unsent: this.unsentNotHeld };
    this.placeDivider(changed);
  }

  /**
   * Where "New messages" goes (unread-divider.ts). Only when the held part also holds a message at or
   * before the read position, or starts at the oldest: else the first unread one may be older still.
   */
  private dividerKey(): string | undefined {
    const after = this.unreadAfter;
    if (after === undefined) return undefined;
    if (this.lo > 0 && !this.items.some((m) => m.kind === "message" && m.seq !== undefined && m.seq <= after)) return undefined;
    return unreadDividerKey(this.items, after);
  }

  /** Moves the window to hold the divider when the chat has just opened with unread messages (see toDivider). */
  private placeDivider(changed: PropertyValues<this>): void {
    if (changed.has("unreadAfter") && changed.get("unreadAfter") === undefined && this.unreadAfter !== undefined) this.toDivider = "pending";
    if (this.toDivider !== "pending" || this.total === 0) return;
    // Only while the reader has not moved: a divider that arrives after they scrolled does not pull them back.
    const key = this.stick || this.dividerAsked ? this.dividerKey() : undefined;
    const index = key === undefined ? -1 : this.lo + this.items.findIndex((it) => it.key === key);
    if (key === undefined || index < this.lo) {
      // The first unread message is older than the held part: ask for the part around the read position.
      const after = this.unreadAfter;
      if (this.stick && !this.dividerAsked && this.lo > 0 && after !== undefined) {
        this.dividerAsked = true;
        this.ask("window-move", { seq: after });
      } else if (!(this.dividerAsked && this.moving)) this.toDivider = undefined;
      return;
    }
    if (index < this.first || index >= this.end) {
      this.first = Math.max(this.lo, index - JUMP_CONTEXT);
      this.end = Math.min(this.hi, this.first + WINDOW);
      this.growAfterPaint = false;
    }
    this.toDivider = "scroll";
  }

  protected override updated(changed: PropertyValues<this>): void {
    const has = (key: string) => this.items.some((it) => it.key === key);
    // A search result chose a message of this list: shown instead of the newest or the unread divider.
    const chosen = takeJump(has) ?? (this.findKey !== undefined && has(this.findKey) ? this.findKey : undefined);
    const wanted = pendingJump();
    if (chosen) {
      this.toDivider = undefined;
      this.findKey = undefined;
      void Promise.resolve().then(() => this.jumpTo(chosen));
    } else if (wanted !== undefined && wanted !== this.findKey && !has(wanted)) {
      // Not in the held part (maybe not in this chat at all: the chat view looks).
      this.findKey = wanted;
      this.ask("window-find", { key: wanted });
    }
    const jump = this.jumpTarget && this.renderRoot.querySelector<HTMLElement>(`li[data-key="${CSS.escape(this.jumpTarget)}"]`);
    if (jump) {
      this.jumpTarget = undefined;
      this.scrollTop = Math.max(0, jump.offsetTop - this.clientHeight / 3);
      this.stick = false;
    } else if (changed.has("messages") && this.pin) this.scrollTop = this.scrollHeight;
    else if (this.anchor) this.restoreAnchor(this.anchor);
    if (this.toDivider === "scroll") {
      this.toDivider = undefined;
      const divider = this.renderRoot.querySelector<HTMLElement>("li.unread-divider");
      // More unread than one screen: the divider goes to the top, as Signal and WhatsApp open a chat.
      if (divider && this.scrollHeight - divider.offsetTop > this.clientHeight) {
        this.scrollTop = Math.max(0, divider.offsetTop - 8);
        this.stick = false;
        this.pin = false;
      }
    }
    this.anchor = undefined;
    if (this.loadingOlder) {
      // Set on the element, not by another render: the older messages are in; arrivals are news again.
      this.loadingOlder = false;
      this.renderRoot.querySelector("[role=log]")?.setAttribute("aria-busy", "false");
    }
    const moved = this.first !== this.shown.first || this.end !== this.shown.end;
    this.shown = { first: this.first, end: this.end };
    // A scroll that came while this update was pending was ignored, and the held part may have moved:
    // look at the edges again once it has painted.
    if (moved || changed.has("messages")) requestAnimationFrame(this.checkEdges);
    if (this.growAfterPaint) {
      this.growAfterPaint = false;
      requestAnimationFrame(() =>
        setTimeout(() => {
          if (this.first > this.lo && this.end === this.hi) this.first = Math.max(this.lo, this.end - WINDOW);
        }),
      );
    }
  }

  /**
   * Shows the message `key` (a quote's original): moves the window to hold it when it is outside (also far
   * up a long history, asking the chat view for the part that holds it), scrolls it into view and
   * highlights it briefly.
   */
  jumpTo(key: string): void {
    const local = this.items.findIndex((it) => it.key === key);
    if (local < 0) {
      this.findKey = key;
      this.ask("window-find", { key });
      return;
    }
    const index = this.lo + local;
    if (index < this.first || index >= this.end) {
      this.first = Math.max(this.lo, index - JUMP_CONTEXT);
      this.end = Math.min(this.hi, this.first + WINDOW);
      this.loadingOlder = true;
    }
    this.pin = false;
    this.jumpTarget = key;
    this.flash = key;
    this.requestUpdate();
    setTimeout(() => {
      if (this.flash === key) this.flash = undefined;
    }, FLASH_MS);
  }

  private readonly fire = (e: BubbleEvent): void => {
    if (e.type === "jump") return this.jumpTo(e.key);
    const message = this.items.find((it): it is MessageView => it.kind === "message" && it.key === e.key);
    if (!message) return;
    if (e.type === "menu") {
      this.menu = this.menu?.key === e.key && this.menu.mode === e.mode ? undefined : { key: e.key, mode: e.mode, trigger: e.trigger };
      return;
    }
    const detail: MessageAction = e.type === "reply" ? { action: "reply", message } : { action: "react", message, emoji: e.emoji };
    this.dispatchEvent(new CustomEvent<MessageAction>("message-action", { detail, bubbles: true, composed: true }));
  };

  /** The first message at least partly in view, and its distance from the top of the viewport. */
  private visibleAnchor(): { key: string; offset: number } | undefined {
    for (const li of this.renderRoot.querySelectorAll<HTMLElement>("li[data-key]")) {
      const bottom = li.offsetTop + li.offsetHeight;
      if (bottom > this.scrollTop) return { key: li.dataset["key"] ?? "", offset: li.offsetTop - this.scrollTop };
    }
    return undefined;
  }

  /** Keeps the anchor message where it was on screen after messages were added or removed around it. */
  private restoreAnchor(a: { key: string; offset: number }): void {
    for (const li of this.renderRoot.querySelectorAll<HTMLElement>("li[data-key]")) {
      if (li.dataset["key"] !== a.key) continue;
      this.scrollTop = li.offsetTop - a.offset;
      return;
    }
  }

  override render() {
    const items: { key: string; view: unknown }[] = [];
    const all = this.items;
    const lo = this.lo;
    const end = Math.min(this.end, this.hi);
    // The item before the window decides whether the first one starts a new day and a new run.
    const before = all[this.first - lo - 1];
    let prevDay = before ? dayKey(at(before)) : undefined;
    let prev: MessageView | undefined = before?.kind === "message" ? before : undefined;
    const divider = this.dividerKey();
    for (let i = Math.max(this.first, lo); i < end; i++) {
      const item = all[i - lo]!;
      const day = dayKey(at(item));
      if (day !== prevDay) {
        items.push({ key: `day:${item.key}`, view: html`<li class="day">${formatDay(at(item))}</li>` });
        prev = undefined;
        prevDay = day;
      }
      if (item.kind === "system") {
        items.push({ key: `sys:${item.key}`, view: this.renderSystemLine(item, i) });
        prev = undefined;
        continue;
      }
      const m = item;
      if (m.missingBefore > 0) {
        items.push({
          key: `gap:${m.key}`,
          view: html`<li class="system" data-testid="gap">${m.missingBefore === 1 ? msg(str`1 message from ${m.senderName} never arrived here.`) : msg(str`${formatCount(m.missingBefore)} messages from ${m.senderName} never arrived here.`)}</li>`,
        });
      }
      if (m.chainBroken) items.push({ key: `broken:${m.key}`, view: html`<li class="system">${msg(str`The server may have altered or reordered ${m.senderName}'s messages here.`)}</li>` });
      if (m.key === divider) {
        items.push({ key: "unread-divider", view: html`<li class="unread-divider" data-testid="unread-divider">${msg("New messages")}</li>` });
        prev = undefined;
      }
      const runStart = !prev || prev.mine !== m.mine || prev.senderName !== m.senderName || m.sentAt - prev.sentAt > RUN_GAP_MS || m.missingBefore > 0;
      const selected = this.selected === m.key;
      const menuOpen = this.menu?.key === m.key;
      const flash = this.flash === m.key;
      // Only a bubble whose view or place changed renders again (stableItems keeps unchanged objects).
      items.push({ key: m.key, view: guard([m, runStart, i, this.group, selected, menuOpen, flash, formatLocale()], () => bubbleTemplate(m, { runStart, index: i, group: this.group, selected, menuOpen, flash }, this.fire, this.onBubbleAction)) });
      prev = m;
    }
    const earlier = this.first;
    return html`${earlier > 0
        ? html`<p class="earlier">
            <button class="ghost" type="button" @click=${this.showEarlier} data-testid="show-earlier">
              ${msg(str`Show earlier messages (${formatCount(earlier)} more)`)}
            </button>
          </p>`
        : nothing}
      <!-- The live log wraps the list: an <ol> given role="log" is no longer a list, and its <li>s would have none.
           Day and "New messages" rows are plain items read as their text (a list may hold only listitems, no separators). -->
      <div
        role="log"
        aria-live="polite"
        aria-relevant="additions"
        aria-busy=${this.loadingOlder ? "true" : "false"}
        aria-label=${this.group ? msg(str`Messages in ${this.peerName}`) : msg(str`Messages with ${this.peerName}`)}
        data-testid="message-list"
        data-total=${this.total}
        data-first=${this.first}
        data-shown=${end - this.first}
      >
        <ol>
          ${repeat(
            items,
            (it) => it.key,
            (it) => it.view,
          )}
        </ol>
      </div>
      ${this.renderMenu()}`;
  }

  private readonly onBubbleAction = (type: "retry-message" | "discard-message" | "select", key: string): void => {
    if (type === "select") this.selected = key;
    else this.dispatchEvent(new CustomEvent(type, { detail: { key }, bubbles: true, composed: true }));
  };

  /** "Alice added Carol": centred and muted like Signal's; warnings (a refused change, a new safety number) stand out. */
  private renderSystemLine(l: SystemLineView, index: number) {
    return html`<li class="event ${l.warning ? "warning" : ""}" data-testid="system-line" data-key=${`sys:${l.key}`} data-index=${index} ?data-warning=${l.warning === true}>
      ${l.warning ? html`${warningIcon} ` : nothing}${l.text}
      <span class="visually-hidden">, ${formatTime(l.at)}</span>
    </li>`;
  }

  private renderMenu() {
    const open = this.menu;
    const m = open && this.items.find((it): it is MessageView => it.kind === "message" && it.key === open.key);
    if (!open || !m) return nothing;
    return html`<sealed-message-menu .message=${m} .mode=${open.mode} .trigger=${open.trigger} @menu-closed=${() => (this.menu = undefined)}></sealed-message-menu>`;
  }

}

/** When a timeline row happened: a message's send time, a system line's time. */
function at(item: TimelineItem): number {
  return item.kind === "message" ? item.sentAt : item.at;
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-message-list": SealedMessageList;
  }
}
