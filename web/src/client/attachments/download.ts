import { encryptedSize, type ConversationId, type MessageRef } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { ClientError } from "../errors.js";
import { getMessage } from "../store/db.js";
import type { AttachmentFields } from "../store/attachment-row.js";
import { isApiError } from "../transport/api.js";
import { attachmentError, isAbort } from "./attachment-error.js";
import "./chunk-worker-app.js";
import { releaseBuffer } from "./release.js";
import { DecryptStream } from "./streams.js";

/** Bytes of the blob received so far, of `total` (the blob's size, which the message's file size fixes). */
export interface DownloadProgress {
  readonly done: number;
  readonly total: number;
}

export interface OpenOptions {
  readonly onProgress?: (p: DownloadProgress) => void;
  /** Cancels the download: open() rejects with ClientError `attachment_cancelled`. */
  readonly signal?: AbortSignal;
}

/**
 * Decrypted bytes are gathered into Blobs of this size as they come, and the arrays dropped: the browser
 * keeps Blob data outside the JS heap (and on disk when large), so a 1 GB file does not need 1 GB of heap.
 */
const BLOB_PART_BYTES = 4 * 1024 * 1024;

/**
 * Fetches, checks and decrypts the file of an attachment message held on this device. Resolves only once
 * the whole blob passed every check (the commitment, each chunk, then the digest and size at the end):
 * a blob changed, truncated, reordered or extended on the server rejects with `attachment_corrupt` and
 * nothing of it is handed out. A blob the server no longer serves (deleted, expired, or this account not
 * a member) is `attachment_unavailable`.
 */
export async function openAttachment(ctx: ClientContext, conversationId: ConversationId, ref: MessageRef, o: OpenOptions = {}): Promise<Blob> {
  const a = await attachmentOf(ctx, conversationId, ref);
  const total = encryptedSize(a.size);
  let response: Response;
  try {
    response = await ctx.api.attachment(a.id, o.signal);
  } catch (e) {
    if (isApiError(e) && (e.status === 404 || e.status === 403 || e.status === 410)) throw new ClientError("attachment_unavailable", `the file is not on the server (${e.code})`, { cause: e });
    if (isAbort(e)) throw attachmentError(e, "download");
    throw e;
  }
  const body = response.body;
  if (!body) throw new ClientError("attachment_failed", "the server sent no file");
  // The blob's length follows from the file size in the signed message: another length is refused before reading.
  const length = response.headers.get("content-length");
  if (length !== null && Number(length) !== total) {
    await body.cancel().catch(() => {});
    throw new ClientError("attachment_corrupt", `the server's file is ${length} bytes, its message says ${total}`);
  }
  const sink = new BlobSink();
  let done = 0;
  const progress = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      done += chunk.length;
      o.onProgress?.({ done, total });
      controller.enqueue(chunk);
    },
  });
  try {
    await body
      .pipeThrough(progress)
      .pipeThrough(new DecryptStream({ key: a.key, plainSize: a.size, digest: a.digest }, ctx.env))
      .pipeTo(sink.writable, o.signal ? { signal: o.signal } : {});
  } catch (e) {
    throw attachmentError(o.signal?.aborted ? o.signal.reason : e, "download");
  }
  return sink.blob(blobType(a));
}

async function attachmentOf(ctx: ClientContext, conversationId: ConversationId, ref: MessageRef): Promise<AttachmentFields> {
  const row = await getMessage(ctx.db, conversationId, ref.clientMessageId);
  if (!row || row.senderDeviceId !== ref.deviceId) throw new ClientError("unknown_message", "no such message on this device");
  if (row.deletedAt !== undefined) throw new ClientError("message_deleted", "this message was deleted");
  if (!row.attachment) throw new ClientError("unknown_message", "this message has no file");
  return row.attachment;
}

/**
 * The type the opened Blob gets. Raster images and audio keep theirs (an <img> or <audio> shows them);
 * anything else, SVG and HTML included, becomes application/octet-stream: a blob: URL has this app's
 * origin, so a file rendered from one must never be a document that runs script here.
 */
export function blobType(a: Pick<AttachmentFields, "mimeType">): string {
  if (/^image\/(jpeg|png|gif|webp|avif|bmp)$/.test(a.mimeType)) return a.mimeType;
  if (a.mimeType.startsWith("audio/")) return a.mimeType;
  return "application/octet-stream";
}

/** Collects a stream's bytes as Blob parts of BLOB_PART_BYTES. */
class BlobSink {
  private readonly parts: Blob[] = [];
  // Blob takes no view of shared memory; the chunks a DecryptStream yields are WebCrypto outputs, so never copied.
  private pending: Uint8Array<ArrayBuffer>[] = [];
  private pendingBytes = 0;
  readonly writable = new WritableStream<Uint8Array>({
    write: (chunk) => {
      this.pending.push(chunk.buffer instanceof ArrayBuffer ? new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength) : new Uint8Array(chunk));
      this.pendingBytes += chunk.length;
      if (this.pendingBytes >= BLOB_PART_BYTES) this.spill();
    },
  });

  private spill(): void {
    if (this.pending.length === 0) return;
    this.parts.push(new Blob(this.pending));
    // The Blob copied them: free the chunks now (this sink owns them; they are the stream's output).
    for (const c of this.pending) releaseBuffer(c);
    this.pending = [];
    this.pendingBytes = 0;
  }

  blob(type: string): Blob {
    this.spill();
    return new Blob(this.parts, { type });
  }
}
