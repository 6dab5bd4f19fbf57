/**
 * The passphrase word list: 4096 distinct pronounceable four-letter words, consonant-vowel-consonant-
 * vowel over 16 consonants and 4 vowels, built deterministically (no public-domain list such as the
 * EFF's was available to embed offline). 4096 = 2^12, so each word drawn uniformly is exactly 12 bits and
 * six words are 72 bits, above the ~70 bits the passphrase must reach (DESIGN "Recovery").
 */
const CONSONANTS = "bdfgjklmnprstvxz";
const VOWELS = "aiou";

export const WORDLIST: readonly string[] = (() => {
  const words: string[] = [];
  for (const a of CONSONANTS) for (const b of VOWELS) for (const c of CONSONANTS) for (const d of VOWELS) words.push(a + b + c + d);
  return words;
})();

export const WORD_BITS = Math.log2(WORDLIST.length);
const WORDS = new Set(WORDLIST);

export function isListWord(word: string): boolean {
  return WORDS.has(word);
}
