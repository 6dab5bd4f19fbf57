/**
 * The search tokeniser (docs/decisions.md "Search index"): pure, the same in the page and in Node.
 * Words come from `Intl.Segmenter` word granularity, which splits Chinese and Japanese by dictionary as
 * well as spaced scripts; each word is folded (NFKD, combining marks stripped, lower-cased) so "Café",
 * "CAFE" and "cafe" are one term. The segmenter's locale is fixed ("und"-like "en"): the index must give
 * the same terms on every device whatever the user's language, or a query would miss what another locale
 * split differently.
 */

/** Longest term kept, in UTF-16 units: longer words are cut (a pasted hash or URL is not worth more). */
export const MAX_TERM_LENGTH = 32;
/** Most distinct terms indexed per message: bounds the index of a 16 KiB message. */
export const MAX_TERMS_PER_MESSAGE = 256;
/** Most words a query is read as. */
export const MAX_QUERY_WORDS = 8;

const segmenter = new Intl.Segmenter("en", { granularity: "word" });
const COMBINING = /\p{M}+/gu;
/** A segment counts as a word when it holds a letter or digit (emoji and punctuation do not). */
const WORDLIKE = /[\p{L}\p{N}]/u;

/** One word of a text: its folded term and where it stands in the original (UTF-16 offsets, end exclusive). */
export interface Token {
  readonly term: string;
  readonly start: number;
  readonly end: number;
}

/** Folds one word: compatibility decomposition, diacritics stripped, lower case, bounded length. */
export function foldTerm(word: string): string {
  return word.normalize("NFKD").replace(COMBINING, "").toLowerCase().normalize("NFC").slice(0, MAX_TERM_LENGTH);
}

/** The words of `text` in order, with their positions; `limit` bounds how many are returned. */
export function tokens(text: string, limit = Number.POSITIVE_INFINITY): Token[] {
  const out: Token[] = [];
  for (const s of segmenter.segment(text)) {
    if (out.length >= limit) break;
    // isWordLike is false for emoji and punctuation; the regex also drops "word-like" runs of symbols.
    if (s.isWordLike === false || !WORDLIKE.test(s.segment)) continue;
    const term = foldTerm(s.segment);
    if (term !== "") out.push({ term, start: s.index, end: s.index + s.segment.length });
  }
  return out;
}

/** The distinct terms of a message's searchable text, at most MAX_TERMS_PER_MESSAGE (the first ones). */
export function indexTerms(text: string): string[] {
  const seen = new Set<string>();
  for (const t of tokens(text)) {
    if (seen.size >= MAX_TERMS_PER_MESSAGE) break;
    seen.add(t.term);
  }
  return [...seen];
}

/**
 * A query as words: all but the last must match a whole term; the last matches as a prefix while it is
 * being typed (`prefix` false once the query ends in a space or punctuation). Empty when nothing searchable.
 */
export interface ParsedQuery {
  readonly exact: readonly string[];
  readonly last: string;
  readonly prefix: boolean;
}

export function parseQuery(text: string): ParsedQuery | undefined {
  const words = tokens(text.slice(0, 1_000), MAX_QUERY_WORDS);
  const last = words.at(-1);
  if (!last) return undefined;
  const exact = [...new Set(words.slice(0, -1).map((w) => w.term))];
  return { exact, last: last.term, prefix: last.end === text.trimEnd().length && !/\s$/u.test(text) };
}

/** Whether the terms of a text satisfy a query (every exact word present, the last as word or prefix). */
export function matches(q: ParsedQuery, terms: readonly string[]): boolean {
  const set = new Set(terms);
  if (!q.exact.every((w) => set.has(w))) return false;
  return q.prefix ? terms.some((t) => t.startsWith(q.last)) : set.has(q.last);
}

/** Where the query's words stand in `text`: the ranges to highlight, in order, not overlapping. */
export function matchRanges(q: ParsedQuery, text: string): { start: number; end: number }[] {
  const exact = new Set(q.exact);
  return tokens(text)
    .filter((t) => exact.has(t.term) || (q.prefix ? t.term.startsWith(q.last) : t.term === q.last))
    .map((t) => ({ start: t.start, end: t.end }));
}
