/**
 * Photo metadata removed byte by byte before a photo is encrypted (issue 18; docs/decisions.md "Sending
 * attachments"): what a camera or phone writes beside the pixels (GPS position, time, device, owner,
 * edit history, embedded thumbnails of other crops) never leaves the device. Pure functions over bytes:
 * the image data itself is copied unchanged, so nothing is re-encoded or loses quality.
 *
 * Each walker checks every length against the bytes it has. A file whose structure is broken (a segment
 * or chunk running past the end, a missing signature or end marker) is refused as `attachment_malformed`
 * rather than sent unchanged: its metadata could not be found with certainty, and the app promises it is
 * removed.
 */
import { ClientError } from "../errors.js";

export type StrippableType = "image/jpeg" | "image/png" | "image/webp";

export function isStrippable(mimeType: string): mimeType is StrippableType {
  return mimeType === "image/jpeg" || mimeType === "image/png" || mimeType === "image/webp";
}

/** `bytes` without metadata. Throws ClientError `attachment_malformed` for a broken file. */
export function stripMetadata(type: StrippableType, bytes: Uint8Array): Uint8Array {
  switch (type) {
    case "image/jpeg":
      return stripJpeg(bytes);
    case "image/png":
      return stripPng(bytes);
    case "image/webp":
      return stripWebp(bytes);
  }
}

function malformed(what: string): never {
  throw new ClientError("attachment_malformed", `this image is damaged (${what}), so its metadata cannot be removed`);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const ascii = (b: Uint8Array, at: number, text: string) => at + text.length <= b.length && [...text].every((c, i) => b[at + i] === c.charCodeAt(0));

// JPEG (ITU T.81 annex B): SOI, then marker segments (FF xx, 2-byte big-endian length including itself),
// standalone markers without a length (RSTn, TEM), entropy-coded data after each SOS up to the next
// marker that is not a stuffed FF00 or an RSTn, and EOI.

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
const isRst = (m: number) => m >= 0xd0 && m <= 0xd7;

/**
 * Which segments stay: everything that describes the image (tables, frame, scans, restart interval), plus
 * APP0 (JFIF), APP2 only as an ICC colour profile and APP14 (Adobe's colour transform), which decoders
 * need to show the colours right. Every other APPn (APP1 Exif and XMP, APP2 MPF with its embedded
 * images, APP13 Photoshop IPTC, makers' own) and COM go.
 */
function keepJpegSegment(marker: number, b: Uint8Array, dataAt: number): boolean {
  if (marker === 0xfe) return false;
  if (marker < 0xe0 || marker > 0xef) return true;
  if (marker === 0xe0 || marker === 0xee) return true;
  return marker === 0xe2 && ascii(b, dataAt, "ICC_PROFILE\0");
}

/** After an SOS header: the offset of the marker that ends its entropy-coded data. */
function endOfScan(b: Uint8Array, from: number): number {
  for (let i = from; i + 1 < b.length; i++) {
    if (b[i] !== 0xff) continue;
    const next = b[i + 1]!;
    if (next === 0x00 || next === 0xff || isRst(next)) continue;
    return i;
  }
  return malformed("a scan without an end");
}

function stripJpeg(b: Uint8Array): Uint8Array {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== SOI) malformed("no JPEG start marker");
  const out: Uint8Array[] = [b.subarray(0, 2)];
  let i = 2;
  for (;;) {
    if (i >= b.length || b[i] !== 0xff) malformed("a marker was expected");
    while (i < b.length && b[i] === 0xff) i++; // fill bytes
    if (i >= b.length) malformed("the file ends inside a marker");
    const marker = b[i]!;
    const markerAt = i - 1;
    i++;
    if (marker === EOI) {
      out.push(Uint8Array.of(0xff, EOI)); // anything after EOI is dropped
      return concat(out);
    }
    if (isRst(marker) || marker === 0x01) {
      out.push(b.subarray(markerAt, i));
      continue;
    }
    if (marker === 0x00 || marker === SOI) malformed("an unexpected marker");
    if (i + 2 > b.length) malformed("the file ends inside a segment length");
    const length = (b[i]! << 8) | b[i + 1]!;
    if (length < 2 || i + length > b.length) malformed("a segment runs past the end");
    if (keepJpegSegment(marker, b, i + 2)) out.push(Uint8Array.of(0xff, marker), b.subarray(i, i + length));
    i += length;
    if (marker === SOS) {
      const end = endOfScan(b, i);
      out.push(b.subarray(i, end));
      i = end;
    }
  }
}

/**
 * The EXIF orientation (1-8) of a JPEG, 1 when it has none or it cannot be read: the tag 0x0112 of IFD0
 * in the APP1 "Exif" segment (TIFF 6.0 section 2, either byte order). Never throws.
 */
export function jpegOrientation(b: Uint8Array): number {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== SOI) return 1;
  let i = 2;
  while (i + 4 <= b.length && b[i] === 0xff) {
    const marker = b[i + 1]!;
    if (marker === SOS || marker === EOI) return 1;
    const length = (b[i + 2]! << 8) | b[i + 3]!;
    if (length < 2 || i + 2 + length > b.length) return 1;
    if (marker === 0xe1 && ascii(b, i + 4, "Exif\0\0")) return tiffOrientation(b.subarray(i + 10, i + 2 + length));
    i += 2 + length;
  }
  return 1;
}

function tiffOrientation(t: Uint8Array): number {
  if (t.length < 8) return 1;
  const little = t[0] === 0x49 && t[1] === 0x49;
  if (!little && !(t[0] === 0x4d && t[1] === 0x4d)) return 1;
  const u16 = (at: number) => (at + 2 > t.length ? -1 : little ? t[at]! | (t[at + 1]! << 8) : (t[at]! << 8) | t[at + 1]!);
  const u32 = (at: number) => (at + 4 > t.length ? -1 : little ? (u16(at) + u16(at + 2) * 65536) : u16(at) * 65536 + u16(at + 2));
  if (u16(2) !== 42) return 1;
  const ifd = u32(4);
  const entries = u16(ifd);
  if (ifd < 8 || entries < 0) return 1;
  for (let e = 0; e < entries; e++) {
    const at = ifd + 2 + e * 12;
    if (at + 12 > t.length) return 1;
    if (u16(at) !== 0x0112) continue;
    // SHORT (type 3), count 1, the value in the first two bytes of the value field.
    const value = u16(at + 2) === 3 && u32(at + 4) === 1 ? u16(at + 8) : -1;
    return value >= 1 && value <= 8 ? value : 1;
  }
  return 1;
}

// PNG (ISO/IEC 15948 section 5): the signature, then chunks of length (4, big-endian), type (4), data and
// CRC (4), up to IEND. The text chunks, eXIf and tIME go; everything after IEND is dropped.

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const PNG_DROPPED = new Set(["eXIf", "tEXt", "zTXt", "iTXt", "tIME"]);

function stripPng(b: Uint8Array): Uint8Array {
  if (b.length < 8 || !PNG_SIGNATURE.every((x, k) => b[k] === x)) malformed("no PNG signature");
  const out: Uint8Array[] = [b.subarray(0, 8)];
  let i = 8;
  for (;;) {
    if (i + 12 > b.length) malformed("the file ends before IEND");
    const length = ((b[i]! << 24) >>> 0) + (b[i + 1]! << 16) + (b[i + 2]! << 8) + b[i + 3]!;
    const end = i + 12 + length;
    if (end > b.length) malformed("a chunk runs past the end");
    const type = String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    if (!PNG_DROPPED.has(type)) out.push(b.subarray(i, end));
    i = end;
    if (type === "IEND") return concat(out);
  }
}

// WebP (RFC 9649): "RIFF", size (4, little-endian), "WEBP", then chunks of FourCC, size (4, LE), data and
// a pad byte to an even length. The EXIF and "XMP " chunks go, and VP8X's flags stop announcing them.

const VP8X_EXIF = 0x08;
const VP8X_XMP = 0x04;

function stripWebp(b: Uint8Array): Uint8Array {
  if (b.length < 12 || !ascii(b, 0, "RIFF") || !ascii(b, 8, "WEBP")) malformed("no WebP header");
  const le32 = (at: number) => b[at]! + (b[at + 1]! << 8) + (b[at + 2]! << 16) + b[at + 3]! * 16_777_216;
  const riffEnd = 8 + le32(4);
  if (riffEnd > b.length || riffEnd < 12) malformed("the RIFF size runs past the end");
  const chunks: Uint8Array[] = [];
  let i = 12;
  while (i < riffEnd) {
    if (i + 8 > riffEnd) malformed("a chunk header runs past the end");
    const size = le32(i + 4);
    const end = i + 8 + size + (size % 2);
    if (end > riffEnd) malformed("a chunk runs past the end");
    const fourcc = String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
    if (fourcc === "VP8X" && size >= 1) {
      const copy = b.slice(i, end);
      copy[8] = copy[8]! & ~(VP8X_EXIF | VP8X_XMP);
      chunks.push(copy);
    } else if (fourcc !== "EXIF" && fourcc !== "XMP ") chunks.push(b.subarray(i, end));
    i = end;
  }
  const body = concat(chunks);
  const header = new Uint8Array(12);
  header.set(b.subarray(0, 12));
  const riffSize = 4 + body.length;
  header.set([riffSize & 0xff, (riffSize >>> 8) & 0xff, (riffSize >>> 16) & 0xff, (riffSize >>> 24) & 0xff], 4);
  return concat([header, body]);
}
