// Mentions (protocol/mentions.ts, content kind 8; docs/PROTOCOL.md "Mentions"): the known-answer bodies,
// the bounds a decoder enforces, and what a client of the version before kind 8 makes of such a body.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  AccountId,
  ClientMessageId,
  ContentKind,
  DeviceId,
  MAX_MENTIONS,
  Reader,
  Writer,
  decodeBody,
  encodeBody,
  fromHex,
  toHex,
  utf8,
  type KnownContent,
  type Mention,
  type MessageRef,
} from "../../../protocol/index.js";
import vectors from "../../vectors/mentions.json" with { type: "json" };
import { codeOf } from "./expect-code.js";

type VectorContent = (typeof vectors.kinds)[number]["content"];

/** A vector's content as the codec's types (ids parsed into their brands). */
function content(c: VectorContent): KnownContent {
  const mentions = c.mentions.map((m) => ({ accountId: AccountId.parse(m.accountId), start: m.start, length: m.length }));
  if (c.kind === "text") return { kind: "text", sentAt: c.sentAt, text: c.text, mentions };
  const to = (c as { to: { deviceId: string; clientMessageId: string } }).to;
  return { kind: c.kind as "reply" | "edit", sentAt: c.sentAt, to: { deviceId: DeviceId.parse(to.deviceId), clientMessageId: ClientMessageId.parse(to.clientMessageId) }, text: c.text, mentions };
}

const bob = AccountId.fromBytes(new Uint8Array(32).fill(0x42));
const ref: MessageRef = { deviceId: DeviceId.fromBytes(new Uint8Array(16).fill(1)), clientMessageId: ClientMessageId.fromBytes(new Uint8Array(16).fill(2)) };

describe("known-answer bodies (tests/vectors/mentions.json)", () => {
  it.each(vectors.kinds)("$name encodes to its body and decodes to its content", (v) => {
    const c = content(v.content);
    expect(toHex(encodeBody(c))).toBe(v.body);
    expect(decodeBody(fromHex(v.body))).toEqual(c);
  });

  it("offsets count UTF-16 code units: the emoji before a mention counts 2", () => {
    const v = vectors.kinds[0]!.content;
    const [alice] = v.mentions;
    expect(v.text.slice(alice!.start, alice!.start + alice!.length)).toBe("@alice");
    expect(v.text.indexOf("🍝")).toBe(6);
    expect(alice!.start).toBe(14);
  });

  it.each(vectors.refused)("refuses $name ($code)", async (v) => {
    expect(await codeOf(() => decodeBody(fromHex(v.body)))).toBe(v.code);
  });
});

describe("what the sender may write", () => {
  const text = "hi @bob";
  const at = (start: number, length: number): Mention => ({ accountId: bob, start, length });
  const cases: [string, readonly Mention[], string][] = [
    ["too many", Array.from({ length: MAX_MENTIONS + 1 }, (_, i) => at(i % 7, 1)), "out_of_bounds"],
    ["past the end", [at(3, 5)], "out_of_bounds"],
    ["a negative start", [at(-1, 2)], "out_of_bounds"],
    ["overlapping", [at(0, 4), at(3, 4)], "malformed"],
    ["out of order", [at(3, 4), at(0, 2)], "malformed"],
  ];
  it.each(cases)("refuses a list %s, as the receiver would", async (_name, mentions, code) => {
    expect(await codeOf(() => encodeBody({ kind: "text", sentAt: 1, text, mentions }))).toBe(code);
  });

  it("an empty list is no mentions: the plain kind's bytes", () => {
    expect(toHex(encodeBody({ kind: "text", sentAt: 1, text, mentions: [] }))).toBe(toHex(encodeBody({ kind: "text", sentAt: 1, text })));
    expect(decodeBody(encodeBody({ kind: "reply", sentAt: 1, to: ref, text, mentions: [] }))).toEqual({ kind: "reply", sentAt: 1, to: ref, text });
  });

  it("adjacent mentions and one that ends the text are accepted", () => {
    const c: KnownContent = { kind: "edit", sentAt: 1, to: ref, text: "@a@b", mentions: [at(0, 2), at(2, 2)] };
    expect(decodeBody(encodeBody(c))).toEqual(c);
  });
});

describe("round trips", () => {
  /** A text made of plain pieces and "@name" pieces (some with emoji), with a mention over each "@name". */
  const mentioned = fc
    .array(fc.tuple(fc.string({ unit: "grapheme", maxLength: 8 }), fc.option(fc.constantFrom("@bob", "@ålice", "@🙂x"), { nil: undefined })), { minLength: 1, maxLength: MAX_MENTIONS })
    .filter((parts) => parts.some(([, m]) => m !== undefined))
    .map((parts) => {
      let text = "";
      const mentions: Mention[] = [];
      for (const [plain, m] of parts) {
        text += plain;
        if (m) {
          mentions.push({ accountId: bob, start: text.length, length: m.length });
          text += m;
        }
      }
      return { text, mentions };
    });

  it("a text, reply or edit with mentions decodes to what was encoded", () =>
    fc.assert(
      fc.property(mentioned, fc.constantFrom("text" as const, "reply" as const, "edit" as const), ({ text, mentions }, kind) => {
        const c: KnownContent = kind === "text" ? { kind, sentAt: 7, text, mentions } : { kind, sentAt: 7, to: ref, text, mentions };
        expect(decodeBody(encodeBody(c))).toEqual(c);
      }),
      { numRuns: 500 },
    ));
});

describe("a client of the version before kind 8", () => {
  it("reads a body with mentions as a well-formed frame of a kind it does not know (shown as 'needs a newer version', never refused)", () => {
    for (const v of vectors.kinds) {
      // The frame every version reads (content.ts): version, kind, sentAt, vbytes payload, nothing after.
      const r = new Reader(fromHex(v.body), "body");
      expect([r.u8("version"), r.u8("kind"), r.u64("sentAt")]).toEqual([1, ContentKind.mentioned, v.content.sentAt]);
      r.vbytes(0, 65521, "payload");
      expect(() => r.end()).not.toThrow();
    }
  });

  it("reads a message that mentions nobody exactly as before: the plain kind's bytes", () => {
    const plain = new Writer().u8(1).u8(ContentKind.text).u64(5).vbytes(utf8("hi @bob")).finish();
    expect(toHex(encodeBody({ kind: "text", sentAt: 5, text: "hi @bob" }))).toBe(toHex(plain));
  });
});
