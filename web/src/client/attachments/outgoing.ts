/// <reference types="vite/client" />
import { MAX_ATTACHMENT_PLAINTEXT_BYTES } from "../../../../protocol/index.js";

/** What the UI hands `client.attachments.send` for one file (issue 18; one file per message). */
export interface OutgoingFile {
  readonly file: Blob;
  /** As the browser's File reports it; normalised (protocol/attachment-names.ts) before it is stored. */
  readonly name: string;
  /** Default: file.type, else "application/octet-stream". */
  readonly mimeType?: string;
  /** The composer's text, sent with the first staged file. */
  readonly caption?: string;
  /** A recorded voice note: its length and its waveform (one amplitude byte per bar, at most 128). */
  readonly voice?: { readonly durationMs: number; readonly waveform: Uint8Array };
}

/**
 * The client's limit on a file to send, in plaintext bytes: the server's default ATTACHMENT_MAX_BYTES,
 * unless the build sets VITE_ATTACHMENT_MAX_BYTES (for a server configured higher; the large-file
 * benchmark, bench/src/benchmarks/attachment-transfer.ts), at most the format's 4 GiB.
 */
export const MAX_SEND_BYTES = sendLimit(import.meta.env?.VITE_ATTACHMENT_MAX_BYTES);

function sendLimit(configured: unknown): number {
  if (configured === undefined || configured === "") return 100 * 1024 * 1024;
  const n = Number(configured);
  if (!Number.isSafeInteger(n) || n <= 0 || n > MAX_ATTACHMENT_PLAINTEXT_BYTES) throw new RangeError(`VITE_ATTACHMENT_MAX_BYTES must be 1 to ${MAX_ATTACHMENT_PLAINTEXT_BYTES}, not ${String(configured)}`);
  return n;
}
