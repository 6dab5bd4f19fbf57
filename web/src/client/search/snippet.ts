/**
 * The part of a message a search result shows, with the matched words marked: the whole text when
 * short, otherwise a window around the first match with "…" where it was cut. Ranges are UTF-16
 * offsets into `text`, end exclusive, in order.
 */
export interface Snippet {
  readonly text: string;
  readonly ranges: readonly { readonly start: number; readonly end: number }[];
}

/** Characters of a snippet at most (before the ellipses). */
export const SNIPPET_LENGTH = 160;
/** Characters kept before the first match when the text is cut. */
const LEAD = 40;

export function makeSnippet(text: string, ranges: readonly { start: number; end: number }[]): Snippet {
  const flat = text.replace(/\s+/gu, " ");
  // Whitespace runs became one space: offsets move, so the ranges are mapped through the same change.
  const map = offsetMap(text);
  const mapped = ranges.map((r) => ({ start: map(r.start), end: map(r.end) }));
  if (flat.length <= SNIPPET_LENGTH) return { text: flat, ranges: mapped };
  const first = mapped[0]?.start ?? 0;
  let start = Math.max(0, first - LEAD);
  // Never cut a surrogate pair in two.
  if (start > 0 && isLowSurrogate(flat.charCodeAt(start))) start--;
  let end = Math.min(flat.length, start + SNIPPET_LENGTH);
  if (end < flat.length && isLowSurrogate(flat.charCodeAt(end))) end++;
  const lead = start > 0 ? "…" : "";
  const shift = lead.length - start;
  return {
    text: `${lead}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`,
    ranges: mapped.filter((r) => r.start >= start && r.end <= end).map((r) => ({ start: r.start + shift, end: r.end + shift })),
  };
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Maps an offset in `text` to the offset in `text` with each whitespace run made one space. */
function offsetMap(text: string): (i: number) => number {
  const to: number[] = [];
  let j = 0;
  let inSpace = false;
  for (let i = 0; i < text.length; i++) {
    to.push(j);
    const space = /\s/u.test(text[i]!);
    if (!(space && inSpace)) j++;
    inSpace = space;
  }
  to.push(j);
  return (i) => to[Math.min(i, text.length)]!;
}
