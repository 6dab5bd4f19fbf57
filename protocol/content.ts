import { fromUtf8, utf8Into, utf8Length } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { ContentKind, KIND_DECODERS, MAX_TEXT_BYTES, encodeKnownPayload, textBytes, type KnownContent } from "./content-kinds.js";
import { fail } from "./errors.js";
import { MAX_PADDED_BYTES, padInto, paddedSize } from "./padding.js";

export * from "./content-kinds.js";

/**
 * The message body inside an envelope's encryption: a versioned content record, docs/PROTOCOL.md
 * "Message content". Every kind shares one frame,
 *
 *   u8 version = 1 || u8 kind || u64 sentAt || vbytes payload
 *
 * so a client that does not know a kind still reads its send time and skips its payload: a well-formed
 * body of an unknown kind is a message from a newer app ({ kind: "unknown" }), not an attack. A known kind
 * whose payload does not parse is refused. Kind 1 (text) is byte-identical to the body of version 1
 * before kinds existed: its payload is the UTF-8 text itself.
 */
export const BODY_VERSION = 1;
/** Frame bytes before the payload: version, kind, sentAt, payload length. */
export const BODY_FRAME_BYTES = 14;
/** The largest payload that still pads (body + the 0x80 marker fits the largest bucket). */
export const MAX_BODY_PAYLOAD_BYTES = MAX_PADDED_BYTES - 1 - BODY_FRAME_BYTES;

/** A body of a kind this version of the app cannot show: its number and send time only. */
export interface UnknownContent {
  readonly kind: "unknown";
  readonly kindNumber: number;
  readonly sentAt: number;
}

export type Content = KnownContent | UnknownContent;
/** What an envelope carries once opened. */
export type MessageBody = Content;

/**
 * The frame around any payload. Exported for tests and tools that must build a kind this version does
 * not know (a newer app's message); the app itself sends only KnownContent through encodeBody.
 */
export function encodeBodyFrame(kindNumber: number, sentAt: number, payload: Uint8Array): Uint8Array {
  if (payload.length > MAX_BODY_PAYLOAD_BYTES) fail("out_of_bounds", `message payload must be at most ${MAX_BODY_PAYLOAD_BYTES} bytes`);
  return new Writer().u8(BODY_VERSION).u8(kindNumber).u64(sentAt).vbytes(payload).finish();
}

export function encodeBody(body: KnownContent): Uint8Array {
  // Text, by far the most frequent, skips the payload copy.
  if (body.kind === "text" && !body.mentions?.length) return encodeBodyFrame(ContentKind.text, body.sentAt, textBytes(body.text));
  const { kindNumber, payload } = encodeKnownPayload(body);
  return encodeBodyFrame(kindNumber, body.sentAt, payload);
}

/**
 * pad(encodeBody(body)), byte for byte. A text without mentions (most sends) is framed and UTF-8 encoded
 * straight into the padded bucket: one allocation instead of four (issue 23, per-send cost). `alloc` gives
 * the zeroed array of the bucket's size to write into (by default a new one).
 */
export function encodePaddedBody(body: KnownContent, alloc: (size: number) => Uint8Array = (size) => new Uint8Array(size)): Uint8Array {
  if (body.kind !== "text" || body.mentions?.length) return padInto(encodeBody(body), alloc);
  const n = utf8Length(body.text);
  if (n < 1 || n > MAX_TEXT_BYTES) fail("out_of_bounds", `message text must be 1 to ${MAX_TEXT_BYTES} bytes`);
  const size = paddedSize(BODY_FRAME_BYTES + n);
  const out = new Writer(alloc(size)).u8(BODY_VERSION).u8(ContentKind.text).u64(body.sentAt).u32(n).skip(n).u8(0x80).skip(size - BODY_FRAME_BYTES - n - 1).finish();
  if (n === body.text.length) {
    // Every UTF-16 unit is below 0x80 exactly when the UTF-8 length equals the string's length: ASCII,
    // whose UTF-8 is its character codes. Written here, as TextEncoder would; its encodeInto cost more
    // than the copy itself for a short text (issue 23, per-send cost).
    for (let i = 0; i < n; i++) out[BODY_FRAME_BYTES + i] = body.text.charCodeAt(i);
  } else if (utf8Into(body.text, out.subarray(BODY_FRAME_BYTES, BODY_FRAME_BYTES + n)) !== n) throw new Error("UTF-8 length mismatch");
  return out;
}

/**
 * Decodes a body: unsupported_version for another version byte; malformed for a broken frame, kind 0
 * (reserved) or a known kind whose payload does not parse; out_of_bounds for a length past its bound.
 */
export function decodeBody(bytes: Uint8Array): Content {
  const r = new Reader(bytes, "message body");
  const version = r.u8("version");
  if (version !== BODY_VERSION) fail("unsupported_version", `message body version ${version}`);
  const kindNumber = r.u8("kind");
  const sentAt = r.u64("sentAt");
  if (kindNumber === ContentKind.text) {
    // The receive path of every text message: as short as the decoder before kinds existed.
    const text = fromUtf8(r.vbytesView(1, MAX_TEXT_BYTES, "text"));
    r.end();
    return { kind: "text", text, sentAt };
  }
  if (kindNumber === 0) fail("malformed", "message body kind 0 is reserved");
  const payload = r.vbytes(0, MAX_BODY_PAYLOAD_BYTES, "payload");
  r.end();
  const decode = KIND_DECODERS.get(kindNumber);
  return decode ? decode(payload, sentAt) : { kind: "unknown", kindNumber, sentAt };
}
