import { ATTACHMENT_DIGEST_BYTES, ATTACHMENT_KEY_BYTES, checkPlainSize } from "./attachment-format.js";
import { MAX_FILE_NAME_BYTES, MAX_MIME_TYPE_BYTES, fileNameBytes, mimeTypeBytes } from "./attachment-names.js";
import { fromUtf8, utf8 } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { ATTACHMENT_ID_BYTES, AttachmentId } from "./ids.js";

export * from "./attachment-names.js";

/**
 * Content kind 7, attachment (docs/PROTOCOL.md "Attachment", "Attachment message"): everything a member
 * needs to fetch, check, decrypt and show one file, inside the end-to-end encrypted envelope. The
 * payload codec; content-kinds.ts registers it in KIND_DECODERS and imports this file, so this file
 * must never import content-kinds.ts (or content.ts): the kind number lives here for that reason.
 */
export const ATTACHMENT_KIND = 7;
export const AttachmentType = { file: 1, image: 2, voice: 3 } as const;
export type AttachmentTypeName = keyof typeof AttachmentType;

export const MAX_CAPTION_BYTES = 16_384;
/** Image sides in pixels: larger than any camera or stitched panorama; a renderer sizes its box from them. */
export const MAX_IMAGE_SIDE = 1 << 20;
/** The inline preview of an image: a small JPEG or WebP thumbnail. */
export const MAX_PREVIEW_BYTES = 16_384;
/** One hour, in milliseconds. */
export const MAX_VOICE_DURATION_MS = 3_600_000;
/** One amplitude byte per bar of the voice note's waveform. */
export const MAX_WAVEFORM_BYTES = 128;

interface AttachmentFields {
  readonly kind: "attachment";
  readonly sentAt: number;
  /** The blob's id on the server (docs/API.md, attachments). */
  readonly id: AttachmentId;
  /** K, the file's own key (attachment-format.ts). */
  readonly key: Uint8Array;
  /** Plaintext bytes. */
  readonly size: number;
  /** The blob's ciphertext digest, checked when the download ends. */
  readonly digest: Uint8Array;
  readonly mimeType: string;
  readonly name: string;
  /** "" when there is none. */
  readonly caption: string;
}

export type AttachmentContent = AttachmentFields &
  (
    | { readonly type: "file" }
    | { readonly type: "image"; readonly width: number; readonly height: number; readonly preview: Uint8Array }
    | { readonly type: "voice"; readonly durationMs: number; readonly waveform: Uint8Array }
  );

function captionBytes(caption: string): Uint8Array {
  const b = utf8(caption);
  if (b.length > MAX_CAPTION_BYTES) fail("out_of_bounds", `caption must be at most ${MAX_CAPTION_BYTES} bytes`);
  return b;
}

function checkInt(n: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(n) || n < min || n > max) fail("out_of_bounds", `${what} must be ${min} to ${max}`);
  return n;
}

function checkBytes(b: Uint8Array, max: number, what: string): Uint8Array {
  if (b.length > max) fail("out_of_bounds", `${what} must be at most ${max} bytes`);
  return b;
}

const JPEG_START = [0xff, 0xd8, 0xff];
const startsWith = (b: Uint8Array, prefix: readonly number[], at = 0) => prefix.every((x, i) => b[at + i] === x);

/**
 * An image preview is empty or a JPEG or WebP file by its signature, so no sender can have a receiver
 * treat other bytes (SVG, HTML) as the preview. The renderer decodes it as an image in any case.
 */
export function previewMimeType(preview: Uint8Array): "image/jpeg" | "image/webp" | undefined {
  if (preview.length >= 3 && startsWith(preview, JPEG_START)) return "image/jpeg";
  if (preview.length >= 12 && startsWith(preview, [0x52, 0x49, 0x46, 0x46]) && startsWith(preview, [0x57, 0x45, 0x42, 0x50], 8)) return "image/webp";
  return undefined;
}

function checkPreview(preview: Uint8Array): Uint8Array {
  checkBytes(preview, MAX_PREVIEW_BYTES, "image preview");
  if (preview.length > 0 && previewMimeType(preview) === undefined) fail("malformed", "image preview must be JPEG or WebP");
  return preview;
}

/** An image's MIME type is image/*, a voice note's audio/*: the renderer picks its player from the type tag. */
function checkTypeMatchesMime(type: AttachmentTypeName, mimeType: string): void {
  if (type === "image" && !mimeType.startsWith("image/")) fail("malformed", "an image attachment must have an image/* MIME type");
  if (type === "voice" && !mimeType.startsWith("audio/")) fail("malformed", "a voice note must have an audio/* MIME type");
}

/** The kind 7 payload (without the content frame: encodeBodyFrame(ATTACHMENT_KIND, sentAt, payload)). */
export function encodeAttachmentPayload(c: AttachmentContent): Uint8Array {
  if (c.key.length !== ATTACHMENT_KEY_BYTES) fail("malformed", `attachment key must be ${ATTACHMENT_KEY_BYTES} bytes`);
  if (c.digest.length !== ATTACHMENT_DIGEST_BYTES) fail("malformed", `attachment digest must be ${ATTACHMENT_DIGEST_BYTES} bytes`);
  checkPlainSize(c.size);
  checkTypeMatchesMime(c.type, c.mimeType);
  const w = new Writer()
    .fixed(AttachmentId.toBytes(c.id), ATTACHMENT_ID_BYTES)
    .fixed(c.key, ATTACHMENT_KEY_BYTES)
    .u64(c.size)
    .fixed(c.digest, ATTACHMENT_DIGEST_BYTES)
    .u8(AttachmentType[c.type])
    .vbytes(mimeTypeBytes(c.mimeType))
    .vbytes(fileNameBytes(c.name))
    .vbytes(captionBytes(c.caption));
  switch (c.type) {
    case "file":
      break;
    case "image":
      w.u32(checkInt(c.width, 1, MAX_IMAGE_SIDE, "image width")).u32(checkInt(c.height, 1, MAX_IMAGE_SIDE, "image height")).vbytes(checkPreview(c.preview));
      break;
    case "voice":
      w.u32(checkInt(c.durationMs, 1, MAX_VOICE_DURATION_MS, "voice note duration")).vbytes(checkBytes(c.waveform, MAX_WAVEFORM_BYTES, "waveform"));
      break;
  }
  return w.finish();
}

/**
 * Decodes a kind 7 payload exactly: every field bounded (`out_of_bounds`), the strings and the preview
 * checked as the encoder checks them, an unknown type tag or bytes left over `malformed`.
 */
export function decodeAttachmentPayload(payload: Uint8Array, sentAt: number): AttachmentContent {
  const r = new Reader(payload, "attachment payload");
  const id = AttachmentId.fromBytes(r.fixed(ATTACHMENT_ID_BYTES, "attachment id"));
  const key = r.fixed(ATTACHMENT_KEY_BYTES, "key");
  const size = r.u64("size");
  checkPlainSize(size);
  const digest = r.fixed(ATTACHMENT_DIGEST_BYTES, "digest");
  const tag = r.u8("type");
  const mimeType = fromUtf8(r.vbytes(1, MAX_MIME_TYPE_BYTES, "MIME type"));
  mimeTypeBytes(mimeType);
  const name = fromUtf8(r.vbytes(1, MAX_FILE_NAME_BYTES, "file name"));
  fileNameBytes(name);
  const caption = fromUtf8(r.vbytes(0, MAX_CAPTION_BYTES, "caption"));
  const fields: AttachmentFields = { kind: "attachment", sentAt, id, key, size, digest, mimeType, name, caption };
  let c: AttachmentContent;
  if (tag === AttachmentType.file) c = { ...fields, type: "file" };
  else if (tag === AttachmentType.image) {
    const width = checkInt(r.u32("width"), 1, MAX_IMAGE_SIDE, "image width");
    const height = checkInt(r.u32("height"), 1, MAX_IMAGE_SIDE, "image height");
    c = { ...fields, type: "image", width, height, preview: checkPreview(r.vbytes(0, MAX_PREVIEW_BYTES, "preview")) };
  } else if (tag === AttachmentType.voice) {
    const durationMs = checkInt(r.u32("duration"), 1, MAX_VOICE_DURATION_MS, "voice note duration");
    c = { ...fields, type: "voice", durationMs, waveform: r.vbytes(0, MAX_WAVEFORM_BYTES, "waveform") };
  } else return fail("malformed", `attachment type ${tag}`);
  checkTypeMatchesMime(c.type, mimeType);
  r.end();
  return c;
}
