import { describe, expect, test } from "vitest";
import { REQUIRED_PASSPHRASE_BITS, estimatePassphraseBits, generatePassphrase } from "../../../web/src/client/recovery/passphrase-strength.js";
import { WORDLIST } from "../../../web/src/client/recovery/wordlist.js";
import { testCrypto } from "../../support/crypto-env.js";

describe("word list", () => {
  test("holds 4096 distinct lower-case words", () => {
    expect(WORDLIST).toHaveLength(4096);
    expect(new Set(WORDLIST).size).toBe(4096);
    expect(WORDLIST.every((w) => /^[a-z]{4}$/.test(w))).toBe(true);
  });
});

describe("passphrase strength", () => {
  test("a generated passphrase is six list words worth 72 bits, enough", () => {
    const p = generatePassphrase(testCrypto);
    expect(p.split(" ")).toHaveLength(6);
    expect(estimatePassphraseBits(p)).toBe(72);
    expect(estimatePassphraseBits(p)).toBeGreaterThanOrEqual(REQUIRED_PASSPHRASE_BITS);
  });

  test.each([
    ["", false],
    ["password123", false],
    ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", false],
    ["abcabcabcabcabcabcabcabcabcabcabcabc", false],
    ["abcdefghijklmnopqrstuvwxyz", false],
    ["correct horse battery staple", false],
    ["bado bado bado bado bado bado", false],
    ["Tr0ub4dor&3", false],
    ["q7#Vz!m2@Lp9$Wx4^Rk8", true],
    ["P@ssw0rdP@ssw0rdP@ssw0rd!!", false],
    ["my dog likes long walks daily", false],
    ["zebra quantum pickle harbor velvet nomad thimble orchid", true],
  ])("%j is strong enough: %s", (text, strong) => {
    expect(estimatePassphraseBits(text) >= REQUIRED_PASSPHRASE_BITS).toBe(strong);
  });
});

describe("a generated passphrase whose random draw repeats a word", () => {
  // The estimate counts a repeated word once, so six words with one twice came out at 60 bits and the
  // app refused its own suggestion ("Too weak: about 60 of 70 bits"; about 1 draw in 270; seen in CI).
  test("still has six different words and is strong enough", () => {
    let calls = 0;
    // Every draw names word 7 until the second call: the first draw repeats a word five times.
    const env = { ...testCrypto, randomBytes: (n: number) => { calls++; const b = new Uint8Array(n); for (let i = 1; i < n; i += 2) b[i] = calls === 1 ? 7 : (i >> 1) + 1; return b; } };
    const p = generatePassphrase(env);
    const words = p.split(" ");
    expect(words).toHaveLength(6);
    expect(new Set(words).size).toBe(6);
    expect(estimatePassphraseBits(p)).toBeGreaterThanOrEqual(REQUIRED_PASSPHRASE_BITS);
  });
});
