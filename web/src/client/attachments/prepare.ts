/**
 * Getting a file ready to send (issue 18; docs/decisions.md "Sending attachments"): the limits, the
 * name and type as the message carries them, photo metadata stripped, and for an image its size and an
 * inline preview. Runs before anything is stored, so a refused file leaves no trace.
 */
import { MAX_CAPTION_BYTES, MAX_PREVIEW_BYTES, MAX_WAVEFORM_BYTES, normalizeFileName, normalizeMimeType, utf8 } from "../../../../protocol/index.js";
import { ClientError } from "../errors.js";
import { MAX_SEND_BYTES, type OutgoingFile } from "./outgoing.js";
import { isStrippable, jpegOrientation, stripMetadata } from "./strip-metadata.js";

/** What the upload row stores of a prepared file. */
export type PreparedKind =
  | { readonly type: "file" }
  | { readonly type: "image"; readonly width: number; readonly height: number; readonly preview: Uint8Array }
  | { readonly type: "voice"; readonly durationMs: number; readonly waveform: Uint8Array };

export type PreparedFile = PreparedKind & {
  readonly file: Blob;
  readonly name: string;
  readonly mimeType: string;
  readonly caption: string;
};

/** Longest side of the inline preview, in pixels. */
export const PREVIEW_SIDE = 160;

function checkSize(size: number): void {
  if (size === 0) throw new ClientError("attachment_empty", "the file is empty");
  if (size > MAX_SEND_BYTES) throw new ClientError("attachment_too_large", `files can be at most ${MAX_SEND_BYTES / (1024 * 1024)} MiB`);
}

/** Checks and prepares one file. Rejects with attachment_empty, attachment_too_large, attachment_malformed or message_too_long. */
export async function prepareOutgoing(f: OutgoingFile): Promise<PreparedFile> {
  checkSize(f.file.size);
  const caption = f.caption ?? "";
  if (utf8(caption).length > MAX_CAPTION_BYTES) throw new ClientError("message_too_long", `a caption must be at most ${MAX_CAPTION_BYTES} bytes of UTF-8`);
  const name = normalizeFileName(f.name);
  let mimeType = normalizeMimeType(f.mimeType ?? (f.file.type || "application/octet-stream"));
  if (f.voice) {
    const durationMs = Math.max(1, Math.round(f.voice.durationMs));
    if (!mimeType.startsWith("audio/")) mimeType = "audio/webm";
    return { type: "voice", file: f.file, name, mimeType, caption, durationMs, waveform: f.voice.waveform.slice(0, MAX_WAVEFORM_BYTES) };
  }
  if (!isStrippable(mimeType)) return { type: "file", file: f.file, name, mimeType, caption };
  const original = new Uint8Array(await f.file.arrayBuffer());
  const orientation = mimeType === "image/jpeg" ? jpegOrientation(original) : 1;
  const stripped = stripMetadata(mimeType, original);
  let file: Blob = new Blob([stripped as Uint8Array<ArrayBuffer>], { type: mimeType });
  // Decoded from the original, whose EXIF orientation createImageBitmap applies (the stripped copy has none).
  const image = await imageDetails(f.file, orientation);
  if (!image) {
    checkSize(file.size);
    return { type: "file", file, name, mimeType, caption };
  }
  if (image.reencoded) {
    file = image.reencoded;
    mimeType = image.reencoded.type || "image/jpeg";
  }
  checkSize(file.size);
  return { type: "image", file, name, mimeType, caption, width: image.width, height: image.height, preview: image.preview };
}

interface ImageDetails {
  readonly width: number;
  readonly height: number;
  readonly preview: Uint8Array;
  /** The photo drawn upright again, when its EXIF orientation turned it (a canvas writes no metadata). */
  readonly reencoded?: Blob;
}

/**
 * Size, preview and upright pixels by the browser's own decoder (createImageBitmap applies the EXIF
 * orientation). Undefined where there is no decoder or canvas (Node), or it cannot decode the file: the
 * image is then sent as a plain file, stripped all the same.
 */
async function imageDetails(file: Blob, orientation: number): Promise<ImageDetails | undefined> {
  if (typeof createImageBitmap !== "function" || typeof OffscreenCanvas !== "function") return undefined;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  } catch {
    return undefined;
  }
  try {
    const { width, height } = bitmap;
    if (width < 1 || height < 1) return undefined;
    const preview = await thumbnail(bitmap);
    let reencoded: Blob | undefined;
    if (orientation !== 1) {
      const canvas = new OffscreenCanvas(width, height);
      canvas.getContext("2d")?.drawImage(bitmap, 0, 0);
      reencoded = await canvas.convertToBlob({ type: "image/jpeg", quality: 0.92 });
    }
    return { width, height, preview, ...(reencoded ? { reencoded } : {}) };
  } finally {
    bitmap.close();
  }
}

/** A JPEG of at most MAX_PREVIEW_BYTES, longest side PREVIEW_SIDE (smaller and coarser until it fits), or empty. */
async function thumbnail(bitmap: ImageBitmap): Promise<Uint8Array> {
  for (const [side, quality] of [
    [PREVIEW_SIDE, 0.7],
    [PREVIEW_SIDE, 0.5],
    [120, 0.5],
    [80, 0.4],
  ] as const) {
    const scale = Math.min(1, side / Math.max(bitmap.width, bitmap.height));
    const w = Math.max(1, Math.round(bitmap.width * scale));
    const h = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(w, h);
    const g = canvas.getContext("2d");
    if (!g) return new Uint8Array(0);
    g.drawImage(bitmap, 0, 0, w, h);
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg", quality })).arrayBuffer());
    if (bytes.length <= MAX_PREVIEW_BYTES) return bytes;
  }
  return new Uint8Array(0);
}
