import type { SearchResult } from "../client/index.js";

/** A snippet cut into plain and marked parts, for <mark> (ranges in order and not overlapping, search/snippet.ts). */
export function snippetParts(s: SearchResult["snippet"]): { text: string; mark: boolean }[] {
  const out: { text: string; mark: boolean }[] = [];
  let at = 0;
  for (const r of s.ranges) {
    if (r.start < at || r.end > s.text.length || r.end <= r.start) continue;
    if (r.start > at) out.push({ text: s.text.slice(at, r.start), mark: false });
    out.push({ text: s.text.slice(r.start, r.end), mark: true });
    at = r.end;
  }
  if (at < s.text.length) out.push({ text: s.text.slice(at), mark: false });
  return out;
}
