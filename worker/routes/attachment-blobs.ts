import { Hono } from "hono";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { Conflict, RangeNotSatisfiable } from "../errors.js";
import { parseByteRange } from "../http/byte-range.js";
import { AttachmentDeleted, downloadableAttachment, ownAttachment } from "./attachment-access.js";

/**
 * The ciphertext of a complete attachment, streamed from R2, to current members of its conversation.
 * A single `Range` gets 206 with that slice, so an interrupted download resumes where it stopped.
 * Cache-Control stays `no-store` (api-headers.ts), as for every API answer: a deleted blob must not
 * linger in a cache, and the client keeps what it decrypted itself.
 */
async function download(c: Ctx) {
  const attachment = await downloadableAttachment(c);
  if (attachment.completedAt === null) throw new Conflict("incomplete", "the attachment's upload is not complete yet");
  const size = attachment.size;
  const range = parseByteRange(c.req.header("range"), size);
  if (range.kind === "unsatisfiable") throw new RangeNotSatisfiable(`the range is outside the attachment's ${size} bytes`, size);
  const slice = range.kind === "range" ? range : undefined;
  const body = await c.var.stores.blobs.get(attachment.id, slice);
  // Deleted between the lookup and the read.
  if (!body) throw new AttachmentDeleted();
  const headers: Record<string, string> = { "Content-Type": "application/octet-stream", "Accept-Ranges": "bytes", "Content-Length": String(slice ? slice.length : size) };
  if (!slice) return c.body(body, 200, headers);
  return c.body(body, 206, { ...headers, "Content-Range": `bytes ${slice.offset}-${slice.offset + slice.length - 1}/${size}` });
}

/**
 * Deletes an attachment for everyone, as its uploader's account: the row becomes a tombstone first (so
 * nobody downloads or attaches it from then on), then the R2 object or unfinished upload goes. Deleting
 * it again is a no-op 204, which also retries an R2 deletion that failed.
 */
async function remove(c: Ctx) {
  const stores = c.var.stores;
  const attachment = await ownAttachment(c, "accept");
  await stores.attachments.markDeleted(attachment.id, Date.now());
  if (attachment.uploadId !== null) await stores.blobs.abortUpload(attachment.id, attachment.uploadId);
  if (attachment.completedAt !== null) await stores.blobs.delete(attachment.id);
  return c.body(null, 204);
}

/** Attachment downloads and deletion (docs/API.md "Attachments"). */
export const attachmentBlobRoutes = new Hono<AppEnv>().get("/attachments/:id", requireSession, download).delete("/attachments/:id", requireSession, remove);
