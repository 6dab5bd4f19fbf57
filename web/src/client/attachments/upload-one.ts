/**
 * One upload's steps (docs/decisions.md "Sending attachments"): find or create the server's copy,
 * encrypt the stored file from the start and send the parts the server lacks, complete, then seal the
 * attachment message and delete the upload row in one transaction. A step that finds the row gone
 * (cancelled, or sealed by another tab) stops with UploadGone.
 */
import { type AttachmentId, type ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { queueContent } from "../conversations/messages.js";
import { ClientError } from "../errors.js";
import { isApiError } from "../transport/api.js";
import type { UploadRow } from "../store/upload-row.js";
import { getUpload, getUploadFile, patchUpload } from "../store/uploads.js";
import "./chunk-worker-app.js";
import { fileChunks } from "./file-chunks.js";
import { releaseBuffer } from "./release.js";
import { EncryptStream } from "./streams.js";

/** The upload row is gone: stop quietly. */
export class UploadGone extends Error {
  override readonly name = "UploadGone";
}

/** The server's copy of an upload, as its status (or creation) says. */
interface ServerCopy {
  readonly id: AttachmentId;
  readonly partSize: number;
  readonly parts: number;
  /** Part numbers already stored. */
  readonly received: ReadonlySet<number>;
  readonly complete: boolean;
}

export interface StepHooks {
  readonly signal: AbortSignal;
  /** Ciphertext bytes the server has (`acknowledged`), or has with the part in flight. */
  progress(sentBytes: number, acknowledged?: boolean): void;
}

async function stillThere(ctx: ClientContext, id: string): Promise<void> {
  if (!(await getUpload(ctx.db, id))) throw new UploadGone();
}

/** An id the server no longer knows (deleted, expired, never created there) is 404: the upload starts afresh. */
function unknownThere(e: unknown): boolean {
  return isApiError(e) && e.status === 404;
}

async function serverCopy(ctx: ClientContext, row: UploadRow): Promise<ServerCopy> {
  if (row.attachmentId) {
    try {
      const s = await ctx.api.attachmentUpload(row.attachmentId);
      if (s.size === row.totalBytes) return { id: row.attachmentId, partSize: s.partSize, parts: s.parts, received: new Set(s.received), complete: s.complete };
    } catch (e) {
      if (!unknownThere(e)) throw e;
    }
  }
  const created = await ctx.api.createAttachment(row.conversationId, row.totalBytes);
  if (!(await patchUpload(ctx.db, row.id, { attachmentId: created.id, sentBytes: 0 }))) {
    // Cancelled meanwhile: the cancel could not know this id, so delete it here.
    await ctx.api.deleteAttachment(created.id).catch(() => {});
    throw new UploadGone();
  }
  return { id: created.id, partSize: created.partSize, parts: created.parts, received: new Set(), complete: false };
}

/**
 * Encrypts `file` (the same bytes every time: same key, counter nonces) and PUTs every part the server
 * lacks. Holds at most one part and the stream's window of chunks: parts the server has are encrypted
 * (the digest needs every byte) and dropped. Each encrypted chunk is freed once copied (the file's chunks
 * are freed by the stream, file-chunks.ts), so sending a file leaves no garbage in proportion to its size.
 * A retry or a resume runs this again from the file's first byte: no part is kept for it. Returns the digest.
 */
async function sendParts(ctx: ClientContext, row: UploadRow, file: Blob, copy: ServerCopy, hooks: StepHooks): Promise<Uint8Array> {
  const partLength = (n: number) => Math.min(copy.partSize, row.totalBytes - (n - 1) * copy.partSize);
  const needed = (n: number) => !copy.complete && !copy.received.has(n);
  let acked = 0;
  for (let n = 1; n <= copy.parts; n++) if (!needed(n)) acked += partLength(n);
  hooks.progress(acked, true);

  const enc = new EncryptStream(row.key, ctx.env);
  const reader = fileChunks(file).pipeThrough(enc).getReader();
  const onAbort = () => void reader.cancel(hooks.signal.reason).catch(() => {});
  hooks.signal.addEventListener("abort", onAbort, { once: true });
  let finished = false;
  try {
    let n = 1;
    let length = partLength(1);
    // One part's buffer for the whole file, refilled part after part: a PUT copies its body when sent
    // (XMLHttpRequest and fetch both take the bytes at the call), and each is awaited before the next.
    const part = new Uint8Array(length);
    let buffer = needed(1) ? part : undefined;
    let filled = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hooks.signal.throwIfAborted();
      for (let at = 0; at < value.length; ) {
        if (n > copy.parts) throw new ClientError("attachment_failed", "the file is longer than when it was stored");
        const take = Math.min(length - filled, value.length - at);
        buffer?.set(value.subarray(at, at + take), filled);
        filled += take;
        at += take;
        if (filled < length) continue;
        if (buffer) {
          await stillThere(ctx, row.id);
          const base = acked;
          await ctx.api.putAttachmentPart(copy.id, n, buffer, { signal: hooks.signal, onProgress: (sent) => hooks.progress(base + sent) });
          acked += length;
          hooks.progress(acked, true);
        }
        n++;
        filled = 0;
        if (n <= copy.parts) {
          length = partLength(n);
          buffer = needed(n) ? part.subarray(0, length) : undefined;
        } else buffer = undefined;
      }
      // Every byte of this encrypted chunk is in the part buffer now (or was not needed): it is the stream's
      // output, handed to this reader alone, so free it now instead of leaving it to the collector.
      releaseBuffer(value);
    }
    finished = true;
    const sealed = await enc.sealed;
    if (n !== copy.parts + 1 || sealed.plainSize !== row.size) throw new ClientError("attachment_failed", "the file is not the size it was when stored");
    return sealed.digest;
  } finally {
    hooks.signal.removeEventListener("abort", onAbort);
    // Stopped early (a refusal, the network): release the file and the encryptor.
    if (!finished) void reader.cancel().catch(() => {});
  }
}

/** Runs the upload `row` to its sealed message. Throws UploadGone, an ApiError, or a ClientError. */
export async function uploadAndSeal(ctx: ClientContext, row: UploadRow, hooks: StepHooks): Promise<void> {
  const file = await getUploadFile(ctx.db, row.id);
  if (!file) throw new UploadGone();
  let copy = await serverCopy(ctx, row);
  let digest: Uint8Array;
  try {
    digest = await sendParts(ctx, row, file, copy, hooks);
    if (!copy.complete) await ctx.api.completeAttachment(copy.id);
  } catch (e) {
    // Deleted or expired while parts were going up: start again under a new id, once.
    if (!unknownThere(e)) throw e;
    await stillThere(ctx, row.id);
    copy = await serverCopy(ctx, { ...row, attachmentId: undefined });
    digest = await sendParts(ctx, row, file, copy, hooks);
    await ctx.api.completeAttachment(copy.id);
  }
  hooks.signal.throwIfAborted();
  await sealUpload(ctx, row, copy.id, digest);
}

/** The attachment message, sealed and queued in the transaction that deletes the upload (exactly once). */
async function sealUpload(ctx: ClientContext, row: UploadRow, id: AttachmentId, digest: Uint8Array): Promise<void> {
  const common = { kind: "attachment" as const, id, key: row.key, size: row.size, digest, mimeType: row.mimeType, name: row.name, caption: row.caption };
  const content =
    row.type === "image"
      ? { ...common, type: "image" as const, width: row.width, height: row.height, preview: row.preview }
      : row.type === "voice"
        ? { ...common, type: "voice" as const, durationMs: row.durationMs, waveform: row.waveform }
        : { ...common, type: "file" as const };
  const db = ctx.db;
  await queueContent(ctx, row.conversationId as ConversationId, content, {
    along: {
      tables: [db.uploads, db.uploadFiles],
      async write() {
        if (!(await db.uploads.get(row.id))) throw new UploadGone();
        await db.uploads.delete(row.id);
        await db.uploadFiles.delete(row.id);
      },
    },
  });
}
