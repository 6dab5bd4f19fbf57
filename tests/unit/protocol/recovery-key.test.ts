import { describe, expect, it } from "vitest";
import { deriveRecoveryKeys, formatRecoveryKey, generateRecoveryKey, parseRecoveryKey, safetyNumber, AccountId } from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

describe("recovery key", () => {
  it("formats as 8 groups of 4 and parses back, tolerant of case, spaces and look-alikes", async () => {
    const rk = generateRecoveryKey(env);
    const text = await formatRecoveryKey(env, rk);
    expect(text).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    expect(await parseRecoveryKey(env, text)).toEqual(rk);
    expect(await parseRecoveryKey(env, text.toLowerCase().replace(/-/g, " ").replace(/0/g, "o").replace(/1/g, "l"))).toEqual(rk);
  });

  it("catches a typo with the checksum", async () => {
    const text = await formatRecoveryKey(env, generateRecoveryKey(env));
    const typo = (text[0] === "A" ? "B" : "A") + text.slice(1);
    expect(await codeOf(() => parseRecoveryKey(env, typo))).toBe("bad_checksum");
    expect(await codeOf(() => parseRecoveryKey(env, text.slice(0, -1)))).toBe("malformed");
    expect(await codeOf(() => parseRecoveryKey(env, text.slice(0, -1) + "U"))).toBe("malformed");
  });

  it("derives the same recovery keys every time, and different ones per key", async () => {
    const rk = generateRecoveryKey(env);
    const a = await deriveRecoveryKeys(env, rk);
    const b = await deriveRecoveryKeys(env, rk);
    const c = await deriveRecoveryKeys(env, generateRecoveryKey(env));
    expect(a.signing.publicKey).toEqual(b.signing.publicKey);
    expect(a.box.publicKey).toEqual(b.box.publicKey);
    expect(a.signing.publicKey).not.toEqual(c.signing.publicKey);
    expect(a.signing.privateKey.extractable).toBe(false);
    expect(a.box.publicKey).not.toEqual(a.signing.publicKey);
  });
});

describe("safety number", () => {
  it("is 60 digits, the same from both sides, and differs per pair", async () => {
    const x = AccountId.fromBytes(new Uint8Array(32).fill(1));
    const y = AccountId.fromBytes(new Uint8Array(32).fill(2));
    const z = AccountId.fromBytes(new Uint8Array(32).fill(3));
    const xy = await safetyNumber(env, x, y);
    expect(xy).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(await safetyNumber(env, y, x)).toBe(xy);
    expect(await safetyNumber(env, x, z)).not.toBe(xy);
  });
});
