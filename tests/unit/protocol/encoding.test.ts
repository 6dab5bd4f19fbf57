import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { PAD_BUCKETS, Reader, Writer, base64urlByteLength, fromBase64url, pad, toBase64url, unpad } from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";

describe("base64url", () => {
  it("round-trips every length and matches RFC 4648 examples", () => {
    for (let n = 0; n < 40; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff);
      expect(fromBase64url(toBase64url(b))).toEqual(b);
    }
    expect(toBase64url(new TextEncoder().encode("foobar"))).toBe("Zm9vYmFy");
    expect(toBase64url(Uint8Array.of(0xfb, 0xff))).toBe("-_8");
  });

  it("refuses padding, standard-alphabet characters, impossible lengths and non-canonical tails", async () => {
    for (const bad of ["Zg==", "a+b/", "abcde", "Zh", " Zm9v", "Zm9v\u00e9", "Zm9\u{1F600}"]) {
      expect(await codeOf(() => fromBase64url(bad))).toBe("malformed");
      expect(await codeOf(() => base64urlByteLength(bad))).toBe("malformed");
    }
  });

  it("base64urlByteLength says what fromBase64url would, for any string, without decoding", () => {
    const alphabet = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/= \u00e9"];
    const outcome = (f: () => number) => {
      try {
        return f();
      } catch (e) {
        return (e as { code?: string }).code ?? "threw";
      }
    };
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...alphabet), { maxLength: 24 }), (chars) => {
        const text = chars.join("");
        expect(outcome(() => base64urlByteLength(text))).toEqual(outcome(() => fromBase64url(text).length));
      }),
      { numRuns: 2000 },
    );
  });
});

describe("codec", () => {
  it("reads back what it wrote and refuses trailing bytes", async () => {
    const bytes = new Writer().u8(1).u16(513).u32(70000).u64(2 ** 40 + 5).fixed(new Uint8Array(3).fill(9), 3).str("hé").finish();
    const r = new Reader(bytes, "test");
    expect([r.u8("a"), r.u16("b"), r.u32("c"), r.u64("d")]).toEqual([1, 513, 70000, 2 ** 40 + 5]);
    expect(r.fixed(3, "e")).toEqual(new Uint8Array(3).fill(9));
    expect(r.str(10, "f")).toBe("hé");
    r.end();
    const r2 = new Reader(new Uint8Array([...bytes, 0]), "test");
    r2.u8("a");
    expect(await codeOf(() => r2.end())).toBe("malformed");
  });

  it("bounds variable fields and 64-bit integers on decode", async () => {
    const big = new Writer().vbytes(new Uint8Array(100)).finish();
    expect(await codeOf(() => new Reader(big, "t").vbytes(0, 99, "x"))).toBe("out_of_bounds");
    expect(await codeOf(() => new Reader(new Uint8Array(8).fill(0xff), "t").u64("x"))).toBe("out_of_bounds");
    expect(await codeOf(() => new Reader(Uint8Array.of(0, 0, 0, 5, 1), "t").vbytes(0, 10, "x"))).toBe("malformed");
    expect(await codeOf(() => new Reader(Uint8Array.of(0, 0, 0, 2, 0xc3, 0x28), "t").str(10, "x"))).toBe("malformed");
  });
});

describe("padding", () => {
  it("pads to the smallest bucket and unpads exactly", () => {
    for (const n of [0, 1, 254, 255, 256, 1000, 65535]) {
      const data = new Uint8Array(n).fill(0x80);
      const padded = pad(data);
      expect(PAD_BUCKETS).toContain(padded.length);
      expect(padded.length).toBe(PAD_BUCKETS.find((b) => b > n));
      expect(unpad(padded)).toEqual(data);
    }
  });

  it("refuses bad padding and non-bucket lengths", async () => {
    expect(await codeOf(() => unpad(new Uint8Array(256)))).toBe("malformed");
    expect(await codeOf(() => unpad(new Uint8Array(300).fill(0x80)))).toBe("malformed");
    expect(await codeOf(() => pad(new Uint8Array(65536)))).toBe("out_of_bounds");
  });
});
