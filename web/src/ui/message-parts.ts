import { msg, str } from "@lit/localize";
import { html, nothing, svg } from "lit";
import type { MessageView, ReactionView, ReplyQuote, TimelineItem } from "../client/index.js";

/**
 * The parts of a bubble beyond its text (issue 17): the quote of the message a reply answers, the
 * reaction chips under it, and the hover toolbar with its "More actions" button. Templates only; the
 * list (sealed-message-list.ts) handles what they fire.
 */

const replyIcon = svg`<svg viewBox="0 0 24 24" width="1.05em" height="1.05em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><path d="M9 14 4 9l5-5"/><path d="M4 9h10.5a5.5 5.5 0 0 1 0 11H11"/></svg>`;
const smileIcon = svg`<svg viewBox="0 0 24 24" width="1.05em" height="1.05em" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="9"/><path d="M8.5 14.5a4.5 4.5 0 0 0 7 0"/><path d="M9 9.5h.01M15 9.5h.01"/></svg>`;
const moreIcon = svg`<svg viewBox="0 0 24 24" width="1.05em" height="1.05em" aria-hidden="true" fill="currentColor"><circle cx="5.5" cy="12" r="1.8"/><circle cx="12" cy="12" r="1.8"/><circle cx="18.5" cy="12" r="1.8"/></svg>`;

export type BubbleEvent = { type: "jump"; key: string } | { type: "menu"; key: string; mode: "react" | "more"; trigger: HTMLElement } | { type: "reply"; key: string } | { type: "react"; key: string; emoji: string | null };

/** The quote at the top of a reply: a button that jumps to the original, or a note when there is none to jump to. */
export function quoteTemplate(q: ReplyQuote, fire: (e: BubbleEvent) => void) {
  if (q.state === "unavailable") return html`<div class="quote unavailable" data-testid="reply-quote" data-state="unavailable">${msg("Original message not available")}</div>`;
  const who = q.mine ? msg("You") : q.senderName;
  const text = q.state === "deleted" ? msg("This message was deleted") : q.text;
  return html`<button
    type="button"
    class="quote ${q.state}"
    data-testid="reply-quote"
    data-state=${q.state}
    @click=${(e: Event) => {
      e.stopPropagation();
      fire({ type: "jump", key: q.key });
    }}
  ><span class="visually-hidden">${msg("Reply to")} </span><span class="quote-who" dir="auto">${who}</span><span class="visually-hidden">: </span><span class="quote-text" dir="auto">${text}</span
  ><span class="visually-hidden">${msg(". Show the original message")}</span></button>`;
}

/** "👍 2" chips; activating one's own removes it, another adds that emoji (replacing one's own). */
export function reactionsTemplate(m: MessageView, fire: (e: BubbleEvent) => void) {
  if (m.reactions.length === 0) return nothing;
  return html`<div class="reactions" role="group" aria-label=${msg("Reactions")} data-testid="reactions">
    ${m.reactions.map((r: ReactionView) => {
      const who = r.names.join(", ");
      const label = `${r.emoji} ${r.count}: ${who}. ${r.mine ? msg("Remove your reaction") : msg(str`React ${r.emoji}`)}`;
      return html`<button
        type="button"
        class="chip ${r.mine ? "mine" : ""}"
        title=${who}
        aria-label=${label}
        aria-pressed=${r.mine ? "true" : "false"}
        data-testid="reaction-chip"
        data-emoji=${r.emoji}
        data-count=${r.count}
        data-names=${who}
        @click=${() => fire({ type: "react", key: m.key, emoji: r.mine ? null : r.emoji })}
      >
        <span aria-hidden="true">${r.emoji}</span><span aria-hidden="true" class="count">${r.count}</span>
      </button>`;
    })}
  </div>`;
}

/** React, Reply and More actions beside the bubble: shown on hover, on focus, and for the tapped bubble. */
export function toolbarTemplate(m: MessageView, open: boolean, fire: (e: BubbleEvent) => void) {
  if (m.deleted || m.status === "failed") return nothing;
  const trigger = (mode: "react" | "more") => (e: Event) => {
    e.stopPropagation();
    if (e.currentTarget instanceof HTMLElement) fire({ type: "menu", key: m.key, mode, trigger: e.currentTarget });
  };
  return html`<div class="actions" data-testid="message-actions">
    <button type="button" class="tool" aria-label=${msg("React")} title=${msg("React")} aria-haspopup="menu" data-testid="react-button" @click=${trigger("react")}>${smileIcon}</button>
    <button type="button" class="tool" aria-label=${msg("Reply")} title=${msg("Reply")} data-testid="reply-button" @click=${(e: Event) => (e.stopPropagation(), fire({ type: "reply", key: m.key }))}>
      ${replyIcon}
    </button>
    <button type="button" class="tool" aria-label=${msg("More actions")} title=${msg("More actions")} aria-haspopup="menu" aria-expanded=${open ? "true" : "false"} data-testid="more-actions" @click=${trigger("more")}>
      ${moreIcon}
    </button>
  </div>`;
}

/**
 * The same object for a message whose view did not change, so the list's `guard` skips its bubble: when
 * one reaction arrives, one bubble renders again, not the whole window.
 */
export function stableItems(items: readonly TimelineItem[], previous: Map<string, TimelineItem>): TimelineItem[] {
  const out = items.map((it) => {
    const old = previous.get(it.key);
    return old && (old === it || sameItem(old, it)) ? old : it;
  });
  previous.clear();
  for (const it of out) previous.set(it.key, it);
  return out;
}

function sameItem(a: TimelineItem, b: TimelineItem): boolean {
  if (a.kind !== "message" || b.kind !== "message") return a === b || JSON.stringify(a) === JSON.stringify(b);
  for (const k of Object.keys(b) as (keyof MessageView)[]) {
    if (k === "reactions" || k === "replyTo" || k === "ref" || k === "mentions") continue;
    if (a[k] !== b[k]) return false;
  }
  return Object.keys(a).length === Object.keys(b).length && JSON.stringify([a.reactions, a.replyTo, a.mentions]) === JSON.stringify([b.reactions, b.replyTo, b.mentions]);
}
