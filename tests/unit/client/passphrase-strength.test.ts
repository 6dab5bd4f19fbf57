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
