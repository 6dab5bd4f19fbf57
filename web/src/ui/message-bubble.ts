import { msg } from "@lit/localize";
import { html, nothing } from "lit";
import type { MessageView } from "../client/index.js";
import { formatTime } from "./format.js";
import { clockIcon, warningIcon } from "./icons.js";
import "./sealed-receipt-ticks.js";
import "./sealed-attachment.js";
import { quoteTemplate, reactionsTemplate, toolbarTemplate, type BubbleEvent } from "./message-parts.js";
import { messageText } from "./message-text.js";

/** What the list asks of a bubble's own buttons: retry or discard a failed message, or mark it tapped. */
export type BubbleAction = (type: "retry-message" | "discard-message" | "select", key: string) => void;

/** Where a bubble sits in the list and how it is shown now. */
export interface BubblePlace {
  readonly runStart: boolean;
  readonly index: number;
  readonly group: boolean;
  readonly selected: boolean;
  readonly menuOpen: boolean;
  readonly flash: boolean;
}

/** One message of the timeline (sealed-message-list.ts renders it under a `guard`). */
export function bubbleTemplate(m: MessageView, o: BubblePlace, fire: (e: BubbleEvent) => void, act: BubbleAction) {
  const who = m.mine ? msg("You") : m.senderName;
  const classes = `msg ${m.mine ? "mine" : "theirs"} ${o.runStart ? "run-start" : ""} ${o.selected || o.menuOpen ? "selected" : ""} ${o.flash ? "flash" : ""}`;
  return html`<li class=${classes} data-testid="message" data-key=${m.key} data-index=${o.index} data-mine=${m.mine ? "true" : "false"} data-status=${m.status} ?data-edited=${m.edited} ?data-deleted=${m.deleted}>
    ${o.runStart && o.group ? html`<span class="sender" aria-hidden="true">${who}</span>` : nothing}
    <div class="line">
      <!-- No white space inside the bubble: it keeps the text's own line breaks (pre-wrap). -->
      <div class="bubble ${m.status === "failed" ? "failed-bubble" : ""}" @click=${() => act("select", m.key)}><span class="visually-hidden">${who}: </span>${m.replyTo ? quoteTemplate(m.replyTo, fire) : nothing}${content(m)}</div>
      ${toolbarTemplate(m, o.menuOpen, fire)}
    </div>
    ${reactionsTemplate(m, fire)}
    <span class="meta ${m.status === "failed" ? "failed" : ""}" title=${m.failure ?? nothing}>
      ${m.edited ? html`<span class="edited" data-testid="message-edited">${msg("edited")}</span>` : nothing}
      <time datetime=${new Date(m.sentAt).toISOString()}>${formatTime(m.sentAt)}</time>
      ${status(m, o.group, act)}
    </span>
  </li>`;
}

function content(m: MessageView) {
  if (m.content === "text") return html`<span data-testid="message-text" dir="auto">${messageText(m.text, m.mentions)}</span>`;
  if (m.content === "deleted") return html`<span class="tombstone" data-testid="message-deleted">${m.text}</span>`;
  if (m.content === "attachment" && m.attachment) {
    return html`<sealed-attachment .view=${m.attachment} .messageRef=${m.ref} data-testid="attachment"></sealed-attachment>${m.text
      ? html`<span class="caption" data-testid="message-text" dir="auto">${messageText(m.text)}</span>`
      : nothing}`;
  }
  return html`<span class="unsupported" data-testid="message-unsupported">${m.text}</span>`;
}

function status(m: MessageView, group: boolean, act: BubbleAction) {
  if (!m.mine) return nothing;
  switch (m.status) {
    case "pending":
      return html`${clockIcon}<span data-testid="message-pending">${msg("Sending…")}</span>`;
    case "sent":
      return html`<sealed-receipt-ticks .delivery=${m.delivery} ?group=${group}></sealed-receipt-ticks>`;
    case "failed":
      return html`${warningIcon}<span data-testid="message-failed">${msg("Not sent")}</span>
        <button class="secondary" type="button" @click=${() => act("retry-message", m.key)} data-testid="retry-message">${msg("Retry")}</button>
        <button class="ghost" type="button" @click=${() => act("discard-message", m.key)} aria-label=${msg("Delete unsent message")}>${msg("Delete")}</button>`;
  }
}
