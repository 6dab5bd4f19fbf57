import { msg, str } from "@lit/localize";
import type { ExportFile, ExportedConversation, ExportedMessage } from "./export-model.js";

/**
 * The export as one readable, self-contained HTML page (no script, no outside resource): every chat, its
 * messages with sender, time, replies, reactions, edits and deletions, and the files when the .zip
 * holds them (relative links). Every text from a message is escaped; message text gets dir="auto" so
 * right-to-left writing shows as it was typed.
 */
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** A path inside the zip as an href: each segment percent-encoded (names may hold anything). */
function href(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

const STYLE = `
body{font:15px/1.45 system-ui,sans-serif;margin:0;background:#f3f4f8;color:#1b1d27}
main{max-width:46rem;margin:0 auto;padding:1rem}
.warning{background:#fff6e0;color:#7a4b00;padding:.75rem 1rem;border-radius:10px}
section{background:#fff;border-radius:14px;padding:1rem;margin:1rem 0}
h1{font-size:1.4rem}h2{font-size:1.15rem;margin:0}
.members{color:#5f6678;margin:.25rem 0 1rem}
ol{list-style:none;padding:0;margin:0}
li{margin:.6rem 0}
.meta{font-size:.8rem;color:#5f6678}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.mine .text{background:#e9ebfb}
.text{display:inline-block;background:#eceef4;border-radius:12px;padding:.4rem .7rem;max-width:100%}
.quote{border-left:3px solid #4a55c8;padding-left:.5rem;color:#5f6678;font-size:.85rem;margin-bottom:.2rem}
.deleted,.unsupported{font-style:italic;color:#5f6678}
.reactions{font-size:.85rem}
.event{text-align:center;color:#5f6678;font-size:.85rem}
img{max-width:100%;height:auto;border-radius:8px;display:block}
@media (prefers-color-scheme:dark){body{background:#0f1117;color:#e8eaf2}section{background:#171a22}.text{background:#242936}.mine .text{background:#252a45}.meta,.members,.quote,.event,.deleted,.unsupported{color:#9aa1b5}.warning{background:#3a2e12;color:#f5cf7a}}
`;

function when(iso: string, locale?: string): string {
  return new Date(iso).toLocaleString(locale, { dateStyle: "medium", timeStyle: "short" });
}

function attachmentHtml(m: ExportedMessage, locale?: string): string {
  const a = m.attachment;
  if (!a) return "";
  const size = a.size.toLocaleString(locale);
  const label = `${escapeHtml(a.name)} (${a.mimeType ? escapeHtml(a.mimeType) + ", " : ""}${msg(str`${size} bytes`, { id: "export.bytes" })})`;
  if (a.file && a.type === "image") return `<a href="${href(a.file)}"><img src="${href(a.file)}" alt="${escapeHtml(a.name)}"></a>`;
  if (a.file && a.type === "voice") return `<audio controls src="${href(a.file)}"></audio> <a href="${href(a.file)}">${label}</a>`;
  if (a.file) return `📎 <a href="${href(a.file)}">${label}</a>`;
  return `📎 ${label}${a.missing ? ` <span class="meta">(${msg(str`not included: ${escapeHtml(a.missing)}`, { id: "export.not-included" })})</span>` : ""}`;
}

function messageHtml(m: ExportedMessage, locale?: string): string {
  const quote = m.replyTo ? `<div class="quote">${m.replyTo.sender ? `${escapeHtml(m.replyTo.sender)}: ` : ""}<span dir="auto">${escapeHtml(m.replyTo.text)}</span></div>` : "";
  const body =
    m.kind === "attachment"
      ? `${attachmentHtml(m, locale)}${m.text ? `<div class="text" dir="auto">${escapeHtml(m.text)}</div>` : ""}`
      : `<div class="text ${m.kind === "text" ? "" : m.kind}" dir="auto">${escapeHtml(m.text)}</div>`;
  const reactions = m.reactions.length ? `<div class="reactions">${m.reactions.map((r) => `${escapeHtml(r.emoji)} ${r.by.map(escapeHtml).join(", ")}`).join(" · ")}</div>` : "";
  const flags = [m.edited ? msg("edited", { id: "export.edited" }) : "", m.status === "failed" ? msg("not sent", { id: "export.not-sent" }) : m.status === "pending" ? msg("waiting to send", { id: "export.waiting" }) : ""].filter(Boolean).join(", ");
  return `<li class="${m.mine ? "mine" : ""}"><div class="meta">${escapeHtml(m.sender)} · <time datetime="${m.sentAt}">${escapeHtml(when(m.sentAt, locale))}</time>${flags ? ` · ${flags}` : ""}</div>${quote}${body}${reactions}</li>`;
}

function conversationHtml(c: ExportedConversation, locale?: string): string {
  // Messages and system lines together, by time (the export keeps them in two lists).
  const items = [...c.messages.map((m) => ({ at: m.sentAt, html: messageHtml(m, locale) })), ...c.events.map((e) => ({ at: e.at, html: `<li class="event">${escapeHtml(e.text)}</li>` }))];
  items.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  const members = c.members.map(escapeHtml).join(", ");
  const count = c.messages.length.toLocaleString(locale);
  const heading =
    c.kind === "group"
      ? c.messages.length === 1
        ? msg(str`Group: ${members} · ${count} message`, { id: "export.group-one" })
        : msg(str`Group: ${members} · ${count} messages`, { id: "export.group-many" })
      : c.messages.length === 1
        ? msg(str`Chat: ${members} · ${count} message`, { id: "export.chat-one" })
        : msg(str`Chat: ${members} · ${count} messages`, { id: "export.chat-many" });
  return `<section><h2>${escapeHtml(c.title)}</h2><p class="members">${heading}</p><ol>${items.map((i) => i.html).join("")}</ol></section>`;
}

/** The page in the language of the app that made it (msg(): English where no language is set). */
export function exportHtml(file: ExportFile, locale?: string): string {
  const account = escapeHtml(file.account);
  const exported = escapeHtml(when(file.exportedAt, locale));
  const lang = escapeHtml(locale?.split("-")[0] || "en");
  return `<!doctype html>
<html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'">
<title>${msg(str`Sealed export of ${account}`, { id: "export.title" })}</title><style>${STYLE}</style></head>
<body><main><h1>${msg(str`Sealed: chats of ${account}`, { id: "export.heading" })}</h1>
<p class="warning">${msg(str`This file is not encrypted. Anyone who gets it can read these messages. Exported ${exported}.`, { id: "export.warning" })}</p>
${file.conversations.map((c) => conversationHtml(c, locale)).join("\n")}
</main></body></html>
`;
}
