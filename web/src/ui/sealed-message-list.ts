import { LitElement, css, html, nothing, type PropertyValues } from "lit";
import { customElement, property } from "lit/decorators.js";
import type { MessageView } from "../client/views.js";
import { shared } from "../styles/shared.js";
import { dayKey, formatDay, formatTime } from "./format.js";
import { checkIcon, clockIcon, warningIcon } from "./icons.js";

/** Consecutive messages of one sender closer than this share one name label. */
const RUN_GAP_MS = 5 * 60_000;

/**
 * The history as a live log (screen readers announce arrivals politely). Keeps the view pinned to the
 * newest message while the reader is at the bottom, and always after they send.
 */
@customElement("sealed-message-list")
export class SealedMessageList extends LitElement {
  static override styles = [
    shared,
    css`
      :host {
        display: block;
        flex: 1;
        min-height: 0;
        overflow-y: auto;
        overscroll-behavior: contain;
      }
      ol {
        list-style: none;
        margin: 0;
        padding: 1rem 1rem 0.5rem;
        display: flex;
        flex-direction: column;
        gap: 0.2rem;
        max-width: 52rem;
        margin-inline: auto;
      }
      li.msg {
        display: flex;
        flex-direction: column;
        align-items: flex-start;
        max-width: min(80%, 36rem);
      }
      li.mine {
        align-self: flex-end;
        align-items: flex-end;
      }
      li.run-start {
        margin-top: 0.6rem;
      }
      .sender {
        font-size: 0.78rem;
        font-weight: 600;
        color: var(--muted);
        margin: 0 0.75rem 0.15rem;
      }
      .bubble {
        padding: 0.5rem 0.85rem;
        border-radius: 18px;
        background: var(--bubble-theirs);
        color: var(--bubble-theirs-text);
        white-space: pre-wrap;
        overflow-wrap: anywhere;
      }
      .mine .bubble {
        background: var(--bubble-mine);
        color: var(--bubble-mine-text);
      }
      .theirs.run-start .bubble {
        border-top-left-radius: 6px;
      }
      .mine.run-start .bubble {
        border-top-right-radius: 6px;
      }
      .meta {
        display: inline-flex;
        align-items: center;
        gap: 0.25rem;
        font-size: 0.72rem;
        color: var(--muted);
        margin: 0.15rem 0.6rem 0.1rem;
      }
      .meta.failed {
        color: var(--danger);
        font-weight: 600;
      }
      .meta button {
        min-height: 0;
        padding: 0.1rem 0.5rem;
        font-size: 0.72rem;
      }
      .failed-bubble {
        opacity: 0.75;
      }
      li.day {
        align-self: center;
        margin: 0.9rem 0 0.3rem;
        font-size: 0.78rem;
        font-weight: 600;
        color: var(--muted);
        background: var(--surface);
        border: 1px solid var(--border);
        border-radius: 999px;
        padding: 0.15rem 0.75rem;
      }
      li.system {
        align-self: center;
        text-align: center;
        margin: 0.5rem 0;
        font-size: 0.82rem;
        color: var(--warn-text);
        background: var(--warn-bg);
        border-radius: 10px;
        padding: 0.35rem 0.75rem;
        max-width: 90%;
      }
    `,
  ];

  @property({ attribute: false }) messages: MessageView[] = [];
  @property() peerName = "";
  private stick = true;
  private lastCount = 0;

  protected override willUpdate(): void {
    // Measured before the DOM changes: was the reader at the bottom?
    this.stick = this.lastCount === 0 || this.scrollHeight - this.scrollTop - this.clientHeight < 80;
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (!changed.has("messages")) return;
    const newest = this.messages.at(-1);
    const grew = this.messages.length > this.lastCount;
    this.lastCount = this.messages.length;
    if (this.stick || (grew && newest?.mine)) this.scrollTop = this.scrollHeight;
  }

  override render() {
    const items: unknown[] = [];
    let prev: MessageView | undefined;
    for (const m of this.messages) {
      if (!prev || dayKey(prev.sentAt) !== dayKey(m.sentAt)) {
        items.push(html`<li class="day" role="separator" aria-label=${formatDay(m.sentAt)}>${formatDay(m.sentAt)}</li>`);
        prev = undefined;
      }
      if (m.missingBefore > 0) {
        items.push(
          html`<li class="system" data-testid="gap">${m.missingBefore === 1 ? "1 message" : `${m.missingBefore} messages`} from ${m.senderName} never arrived here.</li>`,
        );
      }
      if (m.chainBroken) items.push(html`<li class="system">The server may have altered or reordered ${m.senderName}'s messages here.</li>`);
      const runStart = !prev || prev.mine !== m.mine || m.sentAt - prev.sentAt > RUN_GAP_MS || m.missingBefore > 0;
      items.push(this.renderMessage(m, runStart));
      prev = m;
    }
    return html`<ol role="log" aria-live="polite" aria-relevant="additions" aria-label="Messages with ${this.peerName}" data-testid="message-list">
      ${items}
    </ol>`;
  }

  private act(type: "retry-message" | "discard-message", key: string): void {
    this.dispatchEvent(new CustomEvent(type, { detail: { key }, bubbles: true, composed: true }));
  }

  private renderStatus(m: MessageView) {
    if (!m.mine) return nothing;
    switch (m.status) {
      case "pending":
        return html`${clockIcon}<span data-testid="message-pending">Sending…</span>`;
      case "sent":
        return html`${checkIcon}<span class="visually-hidden">Sent</span>`;
      case "failed":
        return html`${warningIcon}<span data-testid="message-failed">Not sent</span>
          <button class="secondary" type="button" @click=${() => this.act("retry-message", m.key)} data-testid="retry-message">Retry</button>
          <button class="ghost" type="button" @click=${() => this.act("discard-message", m.key)} aria-label="Delete unsent message">Delete</button>`;
    }
  }

  private renderMessage(m: MessageView, runStart: boolean) {
    const who = m.mine ? "You" : m.senderName;
    return html`<li class="msg ${m.mine ? "mine" : "theirs"} ${runStart ? "run-start" : ""}" data-testid="message" data-mine=${m.mine ? "true" : "false"} data-status=${m.status}>
      ${runStart ? html`<span class="sender" aria-hidden="true">${who}</span>` : nothing}
      <div class="bubble ${m.status === "failed" ? "failed-bubble" : ""}"><span class="visually-hidden">${who}: </span><span data-testid="message-text">${m.text}</span></div>
      <span class="meta ${m.status === "failed" ? "failed" : ""}" title=${m.failure ?? nothing}>
        <time datetime=${new Date(m.sentAt).toISOString()}>${formatTime(m.sentAt)}</time>
        ${this.renderStatus(m)}
      </span>
    </li>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    "sealed-message-list": SealedMessageList;
  }
}
