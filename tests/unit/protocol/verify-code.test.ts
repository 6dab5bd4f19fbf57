import { describe, expect, it } from "vitest";
import {
  AccountId,
  MAX_VERIFY_CODE_CHARS,
  VERIFY_CODE_PREFIX,
  Writer,
  checkVerifyCode,
  encodeVerifyCode,
  fromBase64url,
  makeVerifyCode,
  parseVerifyCode,
  safetyNumber,
  toBase64url,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

const A = AccountId.fromBytes(new Uint8Array(32).fill(1));
const B = AccountId.fromBytes(new Uint8Array(32).fill(2));
const C = AccountId.fromBytes(new Uint8Array(32).fill(3));

/** docs/PROTOCOL.md "Verification code": the code account A shows to account B. */
const VECTOR =
  "sealed-verify:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIHA7sKj-jhCoudNujvpMfUZVJS-L2IMhEFpixb3cdmpGxBfDhQPBTvY7poPQiEMDPFK-gdX5dPjXt6XKo";

function digitsOf(half: Uint8Array): string {
  let out = "";
  for (let i = 0; i < 30; i += 5) out += (Number(BigInt("0x" + Buffer.from(half.subarray(i, i + 5)).toString("hex")) % 100000n)).toString().padStart(5, "0");
  return out;
}

describe("verification code", () => {
  it("encodes A's code for B byte-exactly, and round-trips", async () => {
    const code = await makeVerifyCode(env, A, B);
    const text = encodeVerifyCode(code);
    expect(text).toBe(VECTOR);
    expect(text.length).toBeLessThanOrEqual(MAX_VERIFY_CODE_CHARS);
    const body = fromBase64url(text.slice(VERIFY_CODE_PREFIX.length));
    expect(body.length).toBe(125);
    expect(body[0]).toBe(1);
    const back = parseVerifyCode(`  ${text}\n`);
    expect(back.owner).toBe(A);
    expect(back.peer).toBe(B);
    expect(back.ownerHalf).toEqual(code.ownerHalf);
  });

  it("carries the halves the displayed safety number is read from", async () => {
    const code = parseVerifyCode(VECTOR);
    const digits = (await safetyNumber(env, A, B)).replaceAll(" ", "");
    // A < B, so A's half comes first in the digits.
    expect(digits).toBe(digitsOf(code.ownerHalf) + digitsOf(code.peerHalf));
  });

  it("refuses other prefixes, versions, sizes and trailing bytes", async () => {
    const body = fromBase64url(VECTOR.slice(VERIFY_CODE_PREFIX.length));
    expect(await codeOf(() => parseVerifyCode("sealed-link:" + toBase64url(body)))).toBe("malformed");
    const v2 = body.slice();
    v2[0] = 2;
    expect(await codeOf(() => parseVerifyCode(VERIFY_CODE_PREFIX + toBase64url(v2)))).toBe("unsupported_version");
    expect(await codeOf(() => parseVerifyCode(VERIFY_CODE_PREFIX + toBase64url(body.subarray(0, 124))))).toBe("malformed");
    const longer = new Writer().fixed(body, 125).u8(0).finish();
    expect(await codeOf(() => parseVerifyCode(VERIFY_CODE_PREFIX + toBase64url(longer)))).toBe("malformed");
    expect(await codeOf(() => parseVerifyCode(VERIFY_CODE_PREFIX + "A".repeat(10_000)))).toBe("malformed");
  });

  it("matches only the contact's own code shown to me, with the right halves", async () => {
    const fromA = parseVerifyCode(encodeVerifyCode(await makeVerifyCode(env, A, B)));
    expect(await checkVerifyCode(env, fromA, B, A)).toBe("match");
    // B expected contact C but scanned A's code for B: a server in the middle, or the wrong person.
    expect(await checkVerifyCode(env, fromA, B, C)).toBe("mismatch");
    expect(await checkVerifyCode(env, fromA, A, B)).toBe("own");
    expect(await checkVerifyCode(env, fromA, C, A)).toBe("other");
    const tampered = { ...fromA, peerHalf: fromA.peerHalf.map((x, i) => (i === 0 ? x ^ 1 : x)) };
    expect(await checkVerifyCode(env, tampered, B, A)).toBe("mismatch");
  });
});
