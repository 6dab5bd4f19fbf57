import type { MentionView } from "../client/index.js";

/**
 * A message's text cut at its @mentions (docs/PROTOCOL.md "Mentions"): plain runs and mention runs, in
 * order. A mention shows "@" and the name this device uses for the account, not the sender's spelling;
 * when this device has no name for it, the sender's text of the range. Pure, so it is tested in Node.
 */
export type MentionPart = { readonly kind: "text"; readonly text: string } | { readonly kind: "mention"; readonly text: string; readonly mention: MentionView };

/** The name fold.ts gives an account this device has no contact for. */
const NO_NAME = "unknown";

export function mentionParts(text: string, mentions: readonly MentionView[] | undefined): MentionPart[] {
  if (!mentions || mentions.length === 0) return [{ kind: "text", text }];
  const parts: MentionPart[] = [];
  let done = 0;
  for (const m of mentions) {
    // Ranges were checked on decode (sorted, inside the text); skip anything else rather than trust it.
    if (m.start < done || m.start + m.length > text.length) continue;
    if (m.start > done) parts.push({ kind: "text", text: text.slice(done, m.start) });
    const own = text.slice(m.start, m.start + m.length);
    parts.push({ kind: "mention", text: m.name && m.name !== NO_NAME ? `@${m.name}` : own, mention: m });
    done = m.start + m.length;
  }
  if (done < text.length) parts.push({ kind: "text", text: text.slice(done) });
  return parts;
}
