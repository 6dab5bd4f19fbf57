// The content codecs (protocol/content.ts, content-kinds.ts): every known kind round-trips, any other kind
// number in a well-formed frame decodes as "unknown", and hostile bytes only ever raise a ProtocolError.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BODY_FRAME_BYTES,
  ClientMessageId,
  ContentKind,
  DeviceId,
  MAX_BODY_PAYLOAD_BYTES,
  MAX_EMOJI_BYTES,
  MAX_TEXT_BYTES,
  ProtocolError,
  Writer,
  decodeBody,
  encodeBody,
  encodeBodyFrame,
  pad,
  toHex,
  utf8,
  type KnownContent,
  type MessageRef,
  type ProtocolErrorCode,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";

const RUNS = 2_000;
const KNOWN = new Set<number>(Object.values(ContentKind));

const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n });
const sentAt = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const text = fc.string({ unit: "binary", minLength: 1, maxLength: 300 }).filter((t) => utf8(t).length >= 1 && utf8(t).length <= MAX_TEXT_BYTES);
const ref: fc.Arbitrary<MessageRef> = fc.record({ deviceId: bytes(16).map(DeviceId.fromBytes), clientMessageId: bytes(16).map(ClientMessageId.fromBytes) });
/** Emoji of every shape: single, skin tone, ZWJ sequences, flags, tag flags, keycaps. */
const EMOJI = ["👍", "👍🏽", "❤️", "😂", "🙂", "👨‍👩‍👧‍👦", "🧑🏻‍❤️‍💋‍🧑🏼", "🇫🇷", "🏴󠁧󠁢󠁳󠁣󠁴󠁿", "1️⃣", "#️⃣", "🫠"];

const known: fc.Arbitrary<KnownContent> = fc.oneof(
  fc.record({ kind: fc.constant("text" as const), sentAt, text }),
  fc.record({ kind: fc.constant("reply" as const), sentAt, to: ref, text }),
  fc.record({ kind: fc.constant("reaction" as const), sentAt, to: ref, emoji: fc.option(fc.constantFrom(...EMOJI), { nil: null }) }),
  fc.record({ kind: fc.constant("edit" as const), sentAt, to: ref, text }),
  fc.record({ kind: fc.constant("delete" as const), sentAt, to: ref }),
  fc.record({ kind: fc.constant("receipt" as const), sentAt, mark: fc.constantFrom("delivered" as const, "read" as const), position: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), at: ref }),
);

/** Only a value or a ProtocolError; anything else is a crash. */
function neverCrashes(b: Uint8Array): void {
  try {
    decodeBody(b);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
  }
}

describe("content round-trips", () => {
  it("every known kind decodes to what was encoded", () =>
    fc.assert(
      fc.property(known, (c) => {
        expect(decodeBody(encodeBody(c))).toEqual(c);
      }),
      { numRuns: RUNS },
    ));

  it("text is byte-identical to the body before kinds: version 1, kind 1, sentAt, vbytes text", () =>
    fc.assert(
      fc.property(sentAt, text, (at, t) => {
        expect(toHex(encodeBody({ kind: "text", sentAt: at, text: t }))).toBe(toHex(new Writer().u8(1).u8(1).u64(at).vbytes(utf8(t)).finish()));
      }),
      { numRuns: RUNS },
    ));

  it("any other kind number in a well-formed frame is 'unknown', with its send time", () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 255 }).filter((k) => !KNOWN.has(k)), sentAt, fc.uint8Array({ maxLength: 2_000 }), (k, at, payload) => {
        expect(decodeBody(encodeBodyFrame(k, at, payload))).toEqual({ kind: "unknown", kindNumber: k, sentAt: at });
      }),
      { numRuns: RUNS },
    ));

  it("the largest payload a frame may hold still pads into the largest bucket", () => {
    const body = encodeBodyFrame(250, 1, new Uint8Array(MAX_BODY_PAYLOAD_BYTES));
    expect(body.length).toBe(BODY_FRAME_BYTES + MAX_BODY_PAYLOAD_BYTES);
    expect(pad(body).length).toBe(65536);
    expect(decodeBody(body)).toEqual({ kind: "unknown", kindNumber: 250, sentAt: 1 });
    expect(() => encodeBodyFrame(250, 1, new Uint8Array(MAX_BODY_PAYLOAD_BYTES + 1))).toThrow(ProtocolError);
  });
});

describe("hostile bodies raise only ProtocolError", () => {
  it("random bytes", () => fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), neverCrashes), { numRuns: 10_000 }));

  it("a well-formed frame of a known kind around random payload bytes", () =>
    fc.assert(
      fc.property(fc.constantFrom(...KNOWN), fc.uint8Array({ maxLength: 120 }), (k, payload) => neverCrashes(encodeBodyFrame(k, 1, payload))),
      { numRuns: 10_000 },
    ));

  it("valid encodings with bytes changed, cut or appended", () =>
    fc.assert(
      fc.property(known, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }), fc.nat(), fc.uint8Array({ maxLength: 8 }), (c, edits, cut, tail) => {
        const valid = encodeBody(c);
        const b = valid.slice(0, Math.max(valid.length - (cut % 8), 0));
        for (const [i, v] of edits) b[i % b.length] = v;
        neverCrashes(new Uint8Array([...b, ...tail]));
      }),
      { numRuns: 10_000 },
    ));
});

describe("refusals", () => {
  const r = new Uint8Array(32).fill(5);
  const frame = (kind: number, payload: Uint8Array) => encodeBodyFrame(kind, 1, payload);
  const reaction = (action: number, emoji: string) => new Writer().fixed(r, 32).u8(action).str(emoji).finish();
  const cases: [string, Uint8Array, ProtocolErrorCode][] = [
    ["another body version", new Writer().u8(2).u8(1).u64(1).str("hi").finish(), "unsupported_version"],
    ["kind 0 (reserved)", frame(0, utf8("x")), "malformed"],
    ["empty text", frame(1, new Uint8Array(0)), "out_of_bounds"],
    ["text past its bound", frame(1, new Uint8Array(MAX_TEXT_BYTES + 1).fill(0x61)), "out_of_bounds"],
    ["text that is not UTF-8", frame(1, Uint8Array.of(0xff)), "malformed"],
    ["an unknown kind with bytes after its payload", new Uint8Array([...frame(99, utf8("x")), 0]), "malformed"],
    ["a payload length past the frame", new Writer().u8(1).u8(99).u64(1).u32(10).finish(), "malformed"],
    ["a reply with a byte after its text", frame(2, new Writer().fixed(r, 32).str("hi").u8(0).finish()), "malformed"],
    ["a reply with a short target", frame(2, new Writer().fixed(r.subarray(0, 31), 31).finish()), "malformed"],
    ["an edit with empty text", frame(4, new Writer().fixed(r, 32).str("").finish()), "out_of_bounds"],
    ["a delete with a trailing byte", frame(5, new Writer().fixed(r, 32).u8(1).finish()), "malformed"],
    ["a reaction over the byte bound", frame(3, reaction(1, "👍".repeat(MAX_EMOJI_BYTES / 4 + 1))), "out_of_bounds"],
    ["a reaction of two emoji", frame(3, reaction(1, "👍👎")), "out_of_bounds"],
    ["a reaction of a letter", frame(3, reaction(1, "a")), "malformed"],
    ["a reaction with an empty emoji", frame(3, reaction(1, "")), "out_of_bounds"],
    ["a removal that names an emoji", frame(3, reaction(2, "👍")), "out_of_bounds"],
    ["a reaction action that does not exist", frame(3, reaction(3, "👍")), "malformed"],
    ["a receipt mark that does not exist", frame(6, new Writer().u8(3).u64(1).fixed(r, 32).finish()), "malformed"],
    ["a receipt at position 0", frame(6, new Writer().u8(2).u64(0).fixed(r, 32).finish()), "out_of_bounds"],
  ];
  it.each(cases)("%s", async (_name, body, code) => {
    expect(await codeOf(() => decodeBody(body))).toBe(code);
  });

  it("the encoder refuses what the decoder would", async () => {
    const to = { deviceId: DeviceId.fromBytes(r.subarray(0, 16)), clientMessageId: ClientMessageId.fromBytes(r.subarray(16)) };
    expect(await codeOf(() => encodeBody({ kind: "reaction", sentAt: 1, to, emoji: "👍👎" }))).toBe("out_of_bounds");
    expect(await codeOf(() => encodeBody({ kind: "reaction", sentAt: 1, to, emoji: "ok" }))).toBe("out_of_bounds");
    expect(await codeOf(() => encodeBody({ kind: "reply", sentAt: 1, to, text: "" }))).toBe("out_of_bounds");
    expect(await codeOf(() => encodeBody({ kind: "receipt", sentAt: 1, mark: "read", position: 0, at: to }))).toBe("out_of_bounds");
  });
});
