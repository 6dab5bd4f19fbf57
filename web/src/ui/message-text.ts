import { html, type TemplateResult } from "lit";
import { linkParts } from "./link-parts.js";

/**
 * A message's text for the bubble: the text itself (one text node, never parsed as HTML), with its
 * http and https links as anchors that open in a new tab without telling the page who sent the reader
 * (`noopener noreferrer`, and no referrer header).
 */
export function messageText(text: string): string | (string | TemplateResult)[] {
  const parts = linkParts(text);
  if (!parts.some((p) => p.kind === "link")) return text;
  return parts.map((p) =>
    p.kind === "text"
      ? p.text
      : html`<a href=${p.href} target="_blank" rel="noopener noreferrer" referrerpolicy="no-referrer" data-testid="message-link">${p.text}</a>`,
  );
}
