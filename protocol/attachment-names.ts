import { utf8 } from "./bytes.js";
import { fail } from "./errors.js";

/**
 * The two strings of an attachment message that a receiving app shows or hands to the browser: the MIME
 * type and the file name (docs/PROTOCOL.md "Attachment", content kind 7). Both come from the sender, so
 * the decoder accepts only a narrow, canonical form; the normalise helpers turn what a browser's File
 * reports into that form on the sending side.
 */
export const MAX_MIME_TYPE_BYTES = 127;
export const MAX_FILE_NAME_BYTES = 255;
export const DEFAULT_MIME_TYPE = "application/octet-stream";

/**
 * RFC 6838 section 4.2 restricted-name, type "/" subtype, lower case (MIME types are case-insensitive, so
 * one spelling is kept) and without parameters: what the app may set as a Blob's type.
 */
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * Characters a file name may not hold: path separators (a name is never a path), C0 and C1 controls and
 * DEL, the Unicode bidirectional controls (U+202E would show "photo\u202Egpj.exe" as "photoexe.jpg"),
 * and lone surrogates (which UTF-8 cannot carry).
 */
const FORBIDDEN_IN_NAME = /[/\\\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\p{Cs}/u;
const FORBIDDEN_IN_NAME_ALL = new RegExp(FORBIDDEN_IN_NAME.source, "gu");

/** The UTF-8 bytes of a valid MIME type, or `malformed` / `out_of_bounds`. */
export function mimeTypeBytes(mimeType: string): Uint8Array {
  const b = utf8(mimeType);
  if (b.length < 1 || b.length > MAX_MIME_TYPE_BYTES) fail("out_of_bounds", `MIME type must be 1 to ${MAX_MIME_TYPE_BYTES} bytes`);
  if (!MIME_TYPE.test(mimeType)) fail("malformed", "MIME type must be a lower-case type/subtype token without parameters");
  return b;
}

/** The UTF-8 bytes of a valid file name, or `malformed` / `out_of_bounds`. */
export function fileNameBytes(name: string): Uint8Array {
  if (FORBIDDEN_IN_NAME.test(name)) fail("malformed", "file name holds a path separator or a control character");
  if (name === "." || name === "..") fail("malformed", "file name may not be . or ..");
  const b = utf8(name);
  if (b.length < 1 || b.length > MAX_FILE_NAME_BYTES) fail("out_of_bounds", `file name must be 1 to ${MAX_FILE_NAME_BYTES} bytes`);
  return b;
}

/** A browser File's `type` as the message carries it: lower case, parameters dropped, else the default. */
export function normalizeMimeType(input: string): string {
  const base = (input.split(";")[0] ?? "").trim().toLowerCase();
  return base.length <= MAX_MIME_TYPE_BYTES && MIME_TYPE.test(base) ? base : DEFAULT_MIME_TYPE;
}

/**
 * A browser File's `name` as the message carries it: forbidden characters become "_", and a name over
 * 255 bytes is shortened in its stem, keeping a short extension, at a code point boundary.
 */
export function normalizeFileName(input: string): string {
  let name = input.replace(FORBIDDEN_IN_NAME_ALL, "_");
  if (name === "") return "file";
  if (name === "." || name === "..") return "_";
  if (utf8(name).length <= MAX_FILE_NAME_BYTES) return name;
  const dot = name.lastIndexOf(".");
  const ext = dot > 0 && utf8(name.slice(dot)).length <= 16 ? name.slice(dot) : "";
  const budget = MAX_FILE_NAME_BYTES - utf8(ext).length;
  let stem = "";
  for (const ch of dot > 0 && ext ? name.slice(0, dot) : name) {
    if (utf8(stem + ch).length > budget) break;
    stem += ch;
  }
  name = stem + ext;
  return name;
}
