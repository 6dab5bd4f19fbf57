import { describe, expect, test } from "vitest";
import { MAX_TERMS_PER_MESSAGE, MAX_TERM_LENGTH, indexTerms, matchRanges, matches, parseQuery, tokens } from "../../../web/src/client/search/tokenize.js";
import { makeSnippet } from "../../../web/src/client/search/snippet.js";

// The search tokeniser (web/src/client/search/tokenize.ts): words by Intl.Segmenter, folded for case
// and diacritics, bounded, the same in Node as in Chromium (PLATFORM.md).

const terms = (s: string) => tokens(s).map((t) => t.term);

describe("tokens", () => {
  test.each([
    ["English words, lower-cased, punctuation dropped", "Hello, World! It's 2026.", ["hello", "world", "it's", "2026"]],
    ["accents folded", "Café crème brûlée à Noël", ["cafe", "creme", "brulee", "a", "noel"]],
    ["German and Scandinavian letters keep their base", "Straße ÅLAND Øre", ["straße", "aland", "øre"]],
    ["Japanese split into words", "東京に行きます", ["東京", "に", "行き", "ます"]],
    ["Chinese split into words", "我喜欢北京", ["我", "喜欢", "北京"]],
    ["emoji are not words", "party 🎉🎉 tonight 👍🏽", ["party", "tonight"]],
    ["full-width letters fold to ASCII", "ＡＢＣ１２３", ["abc123"]],
  ])("%s", (_, text, expected) => {
    expect(terms(text)).toEqual(expected);
  });

  test("positions point into the original text", () => {
    const text = "Un café, s'il vous plaît";
    for (const t of tokens(text)) expect(text.slice(t.start, t.end).normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase()).toBe(t.term);
  });

  test("a very long word is cut to the term bound, and a long text to the term count bound", () => {
    expect(terms("x".repeat(10_000))).toEqual(["x".repeat(MAX_TERM_LENGTH)]);
    const long = Array.from({ length: 5_000 }, (_, i) => `w${i}`).join(" ");
    const indexed = indexTerms(long);
    expect(indexed).toHaveLength(MAX_TERMS_PER_MESSAGE);
    expect(indexed[0]).toBe("w0");
  });

  test("indexTerms keeps each term once", () => {
    expect(indexTerms("the cat and THE dog and the Cat")).toEqual(["the", "cat", "and", "dog"]);
  });
});

describe("queries", () => {
  test("the last word is a prefix while typed, whole once followed by a space", () => {
    expect(parseQuery("lunch tom")).toEqual({ exact: ["lunch"], last: "tom", prefix: true });
    expect(parseQuery("lunch tom ")).toEqual({ exact: ["lunch"], last: "tom", prefix: false });
    expect(parseQuery("  !! 🎉 ")).toBeUndefined();
  });

  test("a query matches folded terms: accents typed or not, prefix of the last word", () => {
    const text = indexTerms("Meet at the Café Tomorrow");
    expect(matches(parseQuery("cafe")!, text)).toBe(true);
    expect(matches(parseQuery("CAFÉ tom")!, text)).toBe(true);
    expect(matches(parseQuery("caf tomorrow")!, text)).toBe(false);
    expect(matches(parseQuery("tea")!, text)).toBe(false);
    expect(matches(parseQuery("東京")!, indexTerms("東京に行きます"))).toBe(true);
  });

  test("match ranges mark the words in the original text", () => {
    const text = "Le café du coin, CAFE noir";
    const ranges = matchRanges(parseQuery("cafe")!, text);
    expect(ranges.map((r) => text.slice(r.start, r.end))).toEqual(["café", "CAFE"]);
  });
});

describe("snippets", () => {
  test("a short text is shown whole with its ranges", () => {
    const text = "see  you\nat noon";
    const at = text.indexOf("at");
    const s = makeSnippet(text, [{ start: at, end: at + 2 }]);
    expect(s.text).toBe("see you at noon");
    expect(s.text.slice(s.ranges[0]!.start, s.ranges[0]!.end)).toBe("at");
  });

  test("a long text is cut around the first match, marked with ellipses", () => {
    const text = `${"lorem ipsum ".repeat(40)}needle ${"dolor sit ".repeat(40)}`;
    const at = text.indexOf("needle");
    const s = makeSnippet(text, [{ start: at, end: at + 6 }]);
    expect(s.text.startsWith("…")).toBe(true);
    expect(s.text.endsWith("…")).toBe(true);
    expect(s.text.length).toBeLessThanOrEqual(162);
    expect(s.text.slice(s.ranges[0]!.start, s.ranges[0]!.end)).toBe("needle");
  });
});
