/**
 * Finds the web links in a message's text so the list can make them clickable (issue 17). Only http and
 * https URLs become links; every other scheme (javascript:, data:, file:, blob:…) stays text, as does a
 * URL with a user name or password in it ("https://bank.example@evil.example" reads as the bank but
 * goes to evil.example). Nothing is fetched: no preview, no lookup. Pure, so it is tested in Node.
 */

export type TextPart = { readonly kind: "text"; readonly text: string } | { readonly kind: "link"; readonly text: string; readonly href: string };

/**
 * A candidate: the scheme at the start of the text or after a character that cannot be part of a word or
 * of another URL (not after ":" or "/": "blob:https://…" and "view-source:https://…" stay text), then
 * everything up to whitespace or a character that never appears unescaped in a URL. Linear: no nested
 * quantifiers.
 */
const CANDIDATE = /(^|[^\p{L}\p{N}_:/])(https?:\/\/[^\s<>"`{}|\\^]+)/giu;

/** Punctuation and closing quotes that end a sentence rather than the URL ("see https://a.example/x."). */
const TRAILING = /[.,;:!?'*~»«”“’‘›‹]+$/u;

/** Trims what is more likely the sentence's than the URL's; keeps ")" when the URL opened one (Wikipedia). */
function trimEnd(url: string): string {
  for (;;) {
    const before = url;
    url = url.replace(TRAILING, "");
    for (const [open, close] of [
      ["(", ")"],
      ["[", "]"],
    ] as const) {
      if (url.endsWith(close) && count(url, close) > count(url, open)) url = url.slice(0, -1);
    }
    if (url === before) return url;
  }
}

function count(s: string, c: string): number {
  return s.split(c).length - 1;
}

/** The address a candidate may link to, or undefined when it must stay text. */
function safeHref(candidate: string): string | undefined {
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.hostname === "" || url.username !== "" || url.password !== "") return undefined;
  return url.href;
}

/** `text` cut into plain text and links, in order; joined, the parts' texts are `text` exactly. */
export function linkParts(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let done = 0;
  for (const m of text.matchAll(CANDIDATE)) {
    const start = (m.index ?? 0) + (m[1]?.length ?? 0);
    const shown = trimEnd(m[2] ?? "");
    const href = safeHref(shown);
    if (!href) continue;
    if (start > done) parts.push({ kind: "text", text: text.slice(done, start) });
    parts.push({ kind: "link", text: shown, href });
    done = start + shown.length;
  }
  if (done < text.length) parts.push({ kind: "text", text: text.slice(done) });
  return parts;
}
