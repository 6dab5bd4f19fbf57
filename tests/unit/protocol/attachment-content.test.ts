// Content kind 7, attachment (protocol/attachment-content.ts, docs/PROTOCOL.md "Attachment message"): the
// payload round-trips for every type, every field is bounded and checked on decode, and a message body of
// kind 7 decodes to the attachment (KIND_DECODERS holds it since the client shows attachments).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ATTACHMENT_KIND,
  AttachmentId,
  MAX_BODY_PAYLOAD_BYTES,
  MAX_CAPTION_BYTES,
  MAX_IMAGE_SIDE,
  MAX_PREVIEW_BYTES,
  MAX_VOICE_DURATION_MS,
  MAX_WAVEFORM_BYTES,
  ProtocolError,
  Writer,
  decodeAttachmentPayload,
  decodeBody,
  encodeAttachmentPayload,
  encodeBody,
  encodeBodyFrame,
  fileNameBytes,
  fromHex,
  mimeTypeBytes,
  normalizeFileName,
  normalizeMimeType,
  previewMimeType,
  toHex,
  utf8,
  type AttachmentContent,
} from "../../../protocol/index.js";
import vectors from "../../vectors/attachment.json" with { type: "json" };
import { codeOf } from "./expect-code.js";

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });
const JPEG = Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 0x4a, 0x46, 0x49, 0x46);
const WEBP = Uint8Array.of(0x52, 0x49, 0x46, 0x46, 0x24, 0, 0, 0, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20);
const withPrefix = (prefix: Uint8Array) => bytes(0, 200).map((tail) => Uint8Array.from([...prefix, ...tail]));
const token = fc.stringMatching(/^[a-z0-9][a-z0-9!#$&^_.+-]{0,20}$/);
const name = fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }).map(normalizeFileName);

const fields = fc.record({
  kind: fc.constant("attachment" as const),
  sentAt: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
  id: bytes(16, 16).map(AttachmentId.fromBytes),
  key: bytes(32, 32),
  size: fc.integer({ min: 0, max: 2 ** 32 }),
  digest: bytes(32, 32),
  name,
  caption: fc.string({ unit: "grapheme", maxLength: 60 }),
});
const attachment: fc.Arbitrary<AttachmentContent> = fc.oneof(
  fc.record({ f: fields, sub: token }).map(({ f, sub }) => ({ ...f, type: "file" as const, mimeType: `application/${sub}` })),
  fc
    .record({ f: fields, sub: token, width: fc.integer({ min: 1, max: MAX_IMAGE_SIDE }), height: fc.integer({ min: 1, max: MAX_IMAGE_SIDE }), preview: fc.oneof(fc.constant(new Uint8Array(0)), withPrefix(JPEG), withPrefix(WEBP)) })
    .map(({ f, sub, ...rest }) => ({ ...f, type: "image" as const, mimeType: `image/${sub}`, ...rest })),
  fc
    .record({ f: fields, sub: token, durationMs: fc.integer({ min: 1, max: MAX_VOICE_DURATION_MS }), waveform: bytes(0, MAX_WAVEFORM_BYTES) })
    .map(({ f, sub, ...rest }) => ({ ...f, type: "voice" as const, mimeType: `audio/${sub}`, ...rest })),
);

/** A payload written field by field with no checks, to hand the decoder what no honest encoder makes. */
function rawPayload(o: Partial<{ tag: number; size: number; mime: string; name: string; caption: Uint8Array; tail: (w: Writer) => Writer }> = {}): Uint8Array {
  const w = new Writer()
    .fixed(new Uint8Array(16).fill(1), 16)
    .fixed(new Uint8Array(32).fill(2), 32)
    .u64(o.size ?? 1000)
    .fixed(new Uint8Array(32).fill(3), 32)
    .u8(o.tag ?? 2)
    .vbytes(utf8(o.mime ?? "image/jpeg"))
    .vbytes(utf8(o.name ?? "photo.jpg"))
    .vbytes(o.caption ?? new Uint8Array(0));
  return (o.tail ?? ((x: Writer) => x.u32(640).u32(480).vbytes(JPEG)))(w).finish();
}

describe("attachment message payload", () => {
  it("round-trips every type with any valid fields", () => {
    fc.assert(
      fc.property(attachment, (a) => {
        const decoded = decodeAttachmentPayload(encodeAttachmentPayload(a), a.sentAt);
        expect(decoded).toEqual(a);
      }),
      { numRuns: 500 },
    );
  });

  it("matches the known-answer payload (tests/vectors/attachment.json content)", () => {
    const v = vectors.content;
    const a = decodeAttachmentPayload(fromHex(v.payload), v.sent_at);
    expect(a).toMatchObject({ type: "image", mimeType: v.mime_type, name: v.name, caption: v.caption, width: v.width, height: v.height, size: v.size, id: v.id });
    expect(toHex(encodeAttachmentPayload(a))).toBe(v.payload);
    expect(toHex(encodeBodyFrame(ATTACHMENT_KIND, v.sent_at, fromHex(v.payload)))).toBe(v.body);
  });

  it("is a known kind: a body of kind 7 decodes to the attachment, and one that does not parse is refused", () => {
    const body = encodeBodyFrame(ATTACHMENT_KIND, 5, rawPayload());
    expect(ATTACHMENT_KIND).toBe(7);
    expect(decodeBody(body)).toEqual(decodeAttachmentPayload(rawPayload(), 5));
    expect(decodeBody(body)).toMatchObject({ kind: "attachment", sentAt: 5 });
    expect(toHex(encodeBody(decodeAttachmentPayload(rawPayload(), 5)))).toBe(toHex(body));
    expect(() => decodeBody(encodeBodyFrame(ATTACHMENT_KIND, 5, new Uint8Array(0)))).toThrow(ProtocolError);
  });

  it("fits the largest payload (every field at its bound) in a message body", () => {
    const largest = encodeAttachmentPayload({
      kind: "attachment",
      sentAt: 0,
      id: AttachmentId.fromBytes(new Uint8Array(16)),
      key: new Uint8Array(32),
      size: 2 ** 32,
      digest: new Uint8Array(32),
      type: "image",
      mimeType: `image/${"x".repeat(121)}`,
      name: "n".repeat(255),
      caption: "c".repeat(MAX_CAPTION_BYTES),
      width: MAX_IMAGE_SIDE,
      height: MAX_IMAGE_SIDE,
      preview: Uint8Array.from({ length: MAX_PREVIEW_BYTES }, (_, i) => JPEG[i] ?? 0),
    });
    expect(largest.length).toBeLessThanOrEqual(MAX_BODY_PAYLOAD_BYTES);
  });

  const refused: [string, Uint8Array, string][] = [
    ["type tag 0", rawPayload({ tag: 0 }), "malformed"],
    ["type tag 4", rawPayload({ tag: 4, tail: (w) => w }), "malformed"],
    ["type tag 255", rawPayload({ tag: 255 }), "malformed"],
    ["a size over 4 GiB", rawPayload({ size: 2 ** 32 + 1 }), "out_of_bounds"],
    ["an empty MIME type", rawPayload({ mime: "" }), "out_of_bounds"],
    ["a MIME type of 128 bytes", rawPayload({ mime: `image/${"a".repeat(122)}` }), "out_of_bounds"],
    ["an upper-case MIME type", rawPayload({ mime: "image/JPEG" }), "malformed"],
    ["a MIME type with parameters", rawPayload({ mime: "image/jpeg;q=1" }), "malformed"],
    ["a MIME type without a subtype", rawPayload({ mime: "image" }), "malformed"],
    ["a MIME type with two slashes", rawPayload({ mime: "image/jpeg/x" }), "malformed"],
    ["a non-ASCII MIME type", rawPayload({ mime: "image/jpég" }), "malformed"],
    ["an image with a non-image MIME type", rawPayload({ mime: "text/html" }), "malformed"],
    ["a voice note with a non-audio MIME type", rawPayload({ tag: 3, mime: "video/webm", tail: (w) => w.u32(1000).vbytes(new Uint8Array(0)) }), "malformed"],
    ["an empty file name", rawPayload({ name: "" }), "out_of_bounds"],
    ["a file name of 256 bytes", rawPayload({ name: "a".repeat(256) }), "out_of_bounds"],
    ["a file name with /", rawPayload({ name: "../etc/passwd" }), "malformed"],
    ["a file name with \\", rawPayload({ name: "..\\boot.ini" }), "malformed"],
    ["a file name with a NUL", rawPayload({ name: "a\u0000.jpg" }), "malformed"],
    ["a file name with a C1 control", rawPayload({ name: "a\u0085.jpg" }), "malformed"],
    ["a file name with a right-to-left override", rawPayload({ name: "photo\u202Egpj.exe" }), "malformed"],
    ["the file name ..", rawPayload({ name: ".." }), "malformed"],
    ["a caption of 16385 bytes", rawPayload({ caption: new Uint8Array(MAX_CAPTION_BYTES + 1).fill(0x61) }), "out_of_bounds"],
    ["a caption that is not UTF-8", rawPayload({ caption: Uint8Array.of(0xc3) }), "malformed"],
    ["image width 0", rawPayload({ tail: (w) => w.u32(0).u32(480).vbytes(JPEG) }), "out_of_bounds"],
    ["image height over the bound", rawPayload({ tail: (w) => w.u32(640).u32(MAX_IMAGE_SIDE + 1).vbytes(JPEG) }), "out_of_bounds"],
    ["a preview of 16385 bytes", rawPayload({ tail: (w) => w.u32(640).u32(480).vbytes(new Uint8Array(MAX_PREVIEW_BYTES + 1)) }), "out_of_bounds"],
    ["a preview that is neither JPEG nor WebP", rawPayload({ tail: (w) => w.u32(640).u32(480).vbytes(utf8("<svg onload=alert(1)>")) }), "malformed"],
    ["voice duration 0", rawPayload({ tag: 3, mime: "audio/webm", tail: (w) => w.u32(0).vbytes(new Uint8Array(0)) }), "out_of_bounds"],
    ["voice duration over an hour", rawPayload({ tag: 3, mime: "audio/webm", tail: (w) => w.u32(MAX_VOICE_DURATION_MS + 1).vbytes(new Uint8Array(0)) }), "out_of_bounds"],
    ["a waveform of 129 bytes", rawPayload({ tag: 3, mime: "audio/webm", tail: (w) => w.u32(1000).vbytes(new Uint8Array(MAX_WAVEFORM_BYTES + 1)) }), "out_of_bounds"],
    ["a file with image fields after it", rawPayload({ tag: 1, mime: "application/pdf" }), "malformed"],
    ["an image without its fields", rawPayload({ tail: (w) => w }), "malformed"],
    ["one trailing byte", rawPayload({ tail: (w) => w.u32(640).u32(480).vbytes(JPEG).u8(0) }), "malformed"],
  ];

  it.each(refused)("refuses %s", async (_name, payload, code) => {
    expect(await codeOf(() => decodeAttachmentPayload(payload, 1))).toBe(code);
  });

  it("the refusal table's base payload is itself accepted (so each row fails for its one change)", () => {
    expect(decodeAttachmentPayload(rawPayload(), 1)).toMatchObject({ type: "image", width: 640, height: 480, name: "photo.jpg" });
    expect(decodeAttachmentPayload(rawPayload({ tag: 3, mime: "audio/webm", tail: (w) => w.u32(1000).vbytes(new Uint8Array(0)) }), 1)).toMatchObject({ type: "voice", durationMs: 1000 });
    expect(decodeAttachmentPayload(rawPayload({ tag: 1, mime: "application/pdf", tail: (w) => w }), 1)).toMatchObject({ type: "file" });
  });

  it("only ever returns a value or a ProtocolError on arbitrary bytes", () => {
    fc.assert(
      fc.property(bytes(0, 400), (b) => {
        try {
          decodeAttachmentPayload(b, 0);
        } catch (e) {
          expect(e).toBeInstanceOf(ProtocolError);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it("the encoder refuses what the decoder would refuse", async () => {
    const base = decodeAttachmentPayload(rawPayload(), 1);
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, name: "a/b" }))).toBe("malformed");
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, mimeType: "application/pdf" }))).toBe("malformed");
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, key: new Uint8Array(16) }))).toBe("malformed");
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, size: -1 }))).toBe("out_of_bounds");
    if (base.type !== "image") throw new Error("base is an image");
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, width: 1.5 }))).toBe("out_of_bounds");
    expect(await codeOf(() => encodeAttachmentPayload({ ...base, preview: Uint8Array.of(1, 2, 3) }))).toBe("malformed");
  });
});

describe("names and types from the browser", () => {
  it("normalises any File.type to a type the message accepts", () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (t) => {
        mimeTypeBytes(normalizeMimeType(t));
      }));
    expect(normalizeMimeType("Image/PNG; charset=binary")).toBe("image/png");
    expect(normalizeMimeType("")).toBe("application/octet-stream");
  });

  it("normalises any File.name to a name the message accepts, keeping a short extension", () => {
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 400 }), (n) => {
        fileNameBytes(normalizeFileName(n));
      }));
    expect(normalizeFileName("photo\u202Egpj.exe")).toBe("photo_gpj.exe");
    expect(normalizeFileName("a/b\\c")).toBe("a_b_c");
    expect(normalizeFileName("")).toBe("file");
    const long = normalizeFileName(`${"é".repeat(300)}.jpeg`);
    expect(utf8(long).length).toBeLessThanOrEqual(255);
    expect(long.endsWith(".jpeg")).toBe(true);
  });

  it("recognises JPEG and WebP previews by their signature only", () => {
    expect(previewMimeType(JPEG)).toBe("image/jpeg");
    expect(previewMimeType(WEBP)).toBe("image/webp");
    expect(previewMimeType(utf8("GIF89a"))).toBeUndefined();
    expect(previewMimeType(new Uint8Array(0))).toBeUndefined();
  });
});
