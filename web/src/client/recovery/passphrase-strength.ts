import type { CryptoEnv } from "../../../../protocol/index.js";
import { WORDLIST, WORD_BITS, isListWord } from "./wordlist.js";

/** DESIGN "Recovery": the operator holds the blob and can guess offline at Argon2id speed. */
export const REQUIRED_PASSPHRASE_BITS = 70;
export const GENERATED_WORDS = 6;

/**
 * Six different words drawn uniformly from the bundled list (exactly 2^12 words, so a 16-bit draw modulo
 * its length is uniform). A word drawn again is drawn anew: the estimate below counts a repeated word once,
 * and a suggestion the app then calls too weak is no suggestion (six different words: about 71.99 bits).
 */
export function generatePassphrase(env: CryptoEnv, words = GENERATED_WORDS): string {
  const out = new Set<string>();
  while (out.size < words) {
    const bytes = env.randomBytes((words - out.size) * 2);
    for (let i = 0; i + 1 < bytes.length && out.size < words; i += 2) out.add(WORDLIST[((bytes[i]! << 8) | bytes[i + 1]!) % WORDLIST.length]!);
    bytes.fill(0);
  }
  return [...out].join(" ");
}

/**
 * A conservative estimate of a passphrase's entropy in bits. Words of the generated list count 12 bits
 * each (the estimate is exact for a generated passphrase). Free text counts its character classes ×
 * length, after discounting repetition (runs, a repeated unit, ascending sequences), with every run of
 * four or more letters (look-alike digits undone) counted as one dictionary word; text made of letter
 * words counts at most ~11 bits a word, as a dictionary attacker would guess whole words.
 */
export function estimatePassphraseBits(text: string): number {
  const normalized = text.normalize("NFKC").trim();
  if (!normalized) return 0;
  const tokens = normalized.toLowerCase().split(/[\s\-_.]+/).filter(Boolean);
  if (tokens.length >= 2 && tokens.every(isListWord)) {
    // Repeating a word adds nothing.
    return new Set(tokens).size * WORD_BITS;
  }
  const charBits = dictionaryAwareBits(normalized);
  if (tokens.length >= 2 && tokens.every((t) => /^\p{L}+$/u.test(t))) return Math.min(charBits, new Set(tokens).size * 11);
  return charBits;
}

const LEET: Record<string, string> = { "0": "o", "1": "l", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", $: "s", "!": "i" };

/**
 * Character classes × length, except that a run of four or more letters (after undoing look-alike
 * substitutions such as 0→o, 4→a) counts as one dictionary word of ~12 bits, not as random letters.
 */
function dictionaryAwareBits(s: string): number {
  const pool = Math.log2(poolSize(s));
  const plain = [...s].map((c) => LEET[c] ?? c).join("");
  let bits = 0;
  let rest = "";
  for (const part of plain.split(/(\p{L}{4,})/u)) {
    if (/^\p{L}{4,}$/u.test(part)) bits += 12;
    else rest += part;
  }
  return bits + effectiveLength(rest) * pool;
}

function poolSize(s: string): number {
  let pool = 0;
  if (/[a-z]/.test(s)) pool += 26;
  if (/[A-Z]/.test(s)) pool += 26;
  if (/[0-9]/.test(s)) pool += 10;
  if (/[^a-zA-Z0-9]/.test(s)) pool += 33;
  return Math.max(pool, 2);
}

/** Length after discounting what adds little: a whole-string repeat, runs and steps of +1/-1 (abc, 321). */
function effectiveLength(s: string): number {
  const chars = [...s];
  // "abcabcabc" is worth "abc" plus a little.
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.length % unit === 0 && s === chars.slice(0, unit).join("").repeat(chars.length / unit)) return effectiveLength(chars.slice(0, unit).join("")) + 1;
  }
  let n = 0;
  for (let i = 0; i < chars.length; i++) {
    const prev = i > 0 ? chars[i - 1]!.codePointAt(0)! : -10;
    const d = chars[i]!.codePointAt(0)! - prev;
    n += d === 0 || d === 1 || d === -1 ? 0.25 : 1;
  }
  return n;
}
