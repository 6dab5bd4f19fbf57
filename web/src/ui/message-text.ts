import { msg } from "@lit/localize";
import { html, type TemplateResult } from "lit";
import type { MentionView } from "../client/index.js";
import { linkParts } from "./link-parts.js";
import { mentionParts } from "./mention-parts.js";

/**
 * A message's text for the bubble: the text itself (text nodes, never parsed as HTML), with its
 * http and https links as anchors that open in a new tab without telling the page who sent the reader
 * (`noopener noreferrer`, and no referrer header), and its @mentions highlighted (a mention of this
 * account more so: `data-me`).
 */
export function messageText(text: string, mentions?: readonly MentionView[]): string | (string | TemplateResult)[] {
  if (!mentions || mentions.length === 0) return linked(text);
  return mentionParts(text, mentions).flatMap((p) =>
    p.kind === "text"
      ? linked(p.text)
      : [html`<span class="mention ${p.mention.me ? "me" : ""}" data-testid="mention" data-me=${p.mention.me ? "true" : "false"} title=${p.mention.me ? msg("Mentions you") : ""}>${p.text}</span>`],
  );
}

function linked(text: string): string | (string | TemplateResult)[] {
  const parts = linkParts(text);
  if (!parts.some((p) => p.kind === "link")) return text;
  return parts.map((p) =>
    p.kind === "text"
      ? p.text
      : html`<a href=${p.href} target="_blank" rel="noopener noreferrer" referrerpolicy="no-referrer" data-testid="message-link">${p.text}</a>`,
  );
}
