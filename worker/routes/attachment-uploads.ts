import { Hono } from "hono";
import type { z } from "zod";
import {
  ATTACHMENT_ID_BYTES,
  ATTACHMENT_PART_BYTES,
  createAttachmentRequest,
  type AttachmentId,
  type attachmentUploadResponse,
  type completeAttachmentResponse,
  type createAttachmentResponse,
  type putAttachmentPartResponse,
} from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { sweepUnattached } from "../attachments/expiry.js";
import { attachmentLimits } from "../attachments/limits.js";
import { requireSession } from "../auth/require-session.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, LengthRequired, NotFound, QuotaExceeded, TooLarge } from "../errors.js";
import { readJson } from "../http/json-body.js";
import { partNumberParam } from "../http/path-params.js";
import type { AttachmentRecord } from "../storage/attachment-store.js";
import { AttachmentDeleted, ownAttachment } from "./attachment-access.js";
import { memberConversation } from "./conversation-access.js";

/** Expired uploads of the creating account swept on each creation (the cron sweeps everyone's). */
const LAZY_SWEEP_LIMIT = 20;

function partCount(a: Pick<AttachmentRecord, "size" | "partSize">): number {
  return Math.ceil(a.size / a.partSize);
}

/** Every part is partSize bytes but the last, which holds the rest. */
function partLength(a: AttachmentRecord, n: number): number {
  return n < partCount(a) ? a.partSize : a.size - (partCount(a) - 1) * a.partSize;
}

/**
 * Starts an upload of `size` ciphertext bytes to a conversation the caller is a member of: a fresh id, an
 * R2 multipart upload, and the attachment stored as incomplete if it fits the account's quota.
 */
async function createUpload(c: Ctx) {
  const conversation = await memberConversation(c);
  const { size } = await readJson(c, createAttachmentRequest);
  const limits = attachmentLimits(c.env);
  if (size > limits.maxBytes) throw new TooLarge(`an attachment may be at most ${limits.maxBytes} bytes of ciphertext (a file of ${limits.maxPlainBytes} bytes)`);
  const stores = c.var.stores;
  const accountId = c.var.session.accountId;
  const now = Date.now();
  // Uploads this account abandoned no longer count against its quota.
  await sweepUnattached(stores, now, LAZY_SWEEP_LIMIT, accountId);
  const id = toBase64url(crypto.getRandomValues(new Uint8Array(ATTACHMENT_ID_BYTES))) as AttachmentId;
  const uploadId = await stores.blobs.createUpload(id);
  const created = await stores.attachments.create({ id, conversationId: conversation.id, uploaderAccountId: accountId, size, partSize: ATTACHMENT_PART_BYTES, uploadId, now, quota: limits.quotaBytes });
  if (created === "over_quota") {
    await stores.blobs.abortUpload(id, uploadId);
    throw new QuotaExceeded(`the account's attachments would exceed its quota of ${limits.quotaBytes} bytes: delete some first`);
  }
  const parts = partCount({ size, partSize: ATTACHMENT_PART_BYTES });
  return c.json({ id, partSize: ATTACHMENT_PART_BYTES, parts } satisfies z.output<typeof createAttachmentResponse>, 201);
}

/** The attachment as an upload that still takes parts, or the reason it does not. */
async function openUpload(c: Ctx): Promise<AttachmentRecord & { readonly uploadId: string }> {
  const attachment = await ownAttachment(c);
  if (attachment.uploadId === null) throw new Conflict("upload_complete", "the upload is complete: its parts can no longer change");
  return { ...attachment, uploadId: attachment.uploadId };
}

/**
 * One part, streamed from the request into R2 without buffering. Its Content-Length must be the part's
 * length, known before a byte is read; a body that then turns out shorter or longer stores nothing.
 * Sending a part again replaces it, so a client that lost an answer can just resend.
 */
async function putPart(c: Ctx) {
  const attachment = await openUpload(c);
  const n = partNumberParam(c);
  const parts = partCount(attachment);
  if (n > parts) throw new NotFound(`the upload has parts 1 to ${parts}`);
  const expected = partLength(attachment, n);
  const declared = c.req.header("content-length");
  if (declared === undefined) throw new LengthRequired("send the part with a Content-Length");
  if (declared !== String(expected)) throw new BadRequest("invalid_length", `part ${n} must be exactly ${expected} bytes, not ${JSON.stringify(declared.slice(0, 20))}`);
  const body = c.req.raw.body;
  if (body === null) throw new BadRequest("invalid_length", `part ${n} must be exactly ${expected} bytes, not empty`);
  const stores = c.var.stores;
  const result = await stores.blobs.uploadPart(attachment.id, attachment.uploadId, n, body, expected);
  if (result.kind === "length_mismatch") throw new BadRequest("invalid_length", `part ${n} was not exactly ${expected} bytes`);
  if (!(await stores.attachments.putPart(attachment.id, n, result.etag))) {
    // Completed or deleted while the part was on its way.
    const now = await stores.attachments.find(attachment.id);
    if (!now || now.deletedAt !== null) throw new AttachmentDeleted();
    throw new Conflict("upload_complete", "the upload was completed while this part was sent");
  }
  return c.json({ n } satisfies z.output<typeof putAttachmentPartResponse>);
}

/** Where an upload stands, so a client that lost its connection or its tab sends only the missing parts. */
async function uploadStatus(c: Ctx) {
  const attachment = await ownAttachment(c);
  const parts = partCount(attachment);
  const complete = attachment.completedAt !== null;
  const received = complete ? Array.from({ length: parts }, (_, i) => i + 1) : (await c.var.stores.attachments.parts(attachment.id)).map((p) => p.part);
  return c.json({ size: attachment.size, partSize: attachment.partSize, parts, received, complete } satisfies z.output<typeof attachmentUploadResponse>);
}

/** Assembles the parts into the blob once every one is in; completing a complete upload again is a no-op. */
async function completeUpload(c: Ctx) {
  const attachment = await ownAttachment(c);
  const done = { id: attachment.id, size: attachment.size } satisfies z.output<typeof completeAttachmentResponse>;
  if (attachment.uploadId === null) return c.json(done);
  const stores = c.var.stores;
  const stored = await stores.attachments.parts(attachment.id);
  const have = new Set(stored.map((p) => p.part));
  const missing = Array.from({ length: partCount(attachment) }, (_, i) => i + 1).filter((n) => !have.has(n));
  if (missing.length > 0) throw new Conflict("incomplete", `parts ${missing.slice(0, 20).join(", ")}${missing.length > 20 ? ", ..." : ""} of ${partCount(attachment)} are missing`);
  try {
    await stores.blobs.completeUpload(attachment.id, attachment.uploadId, stored);
  } catch (e) {
    // Two sends of one part racing can leave an etag R2 no longer holds: the client sends the parts again.
    console.warn(`completing attachment ${attachment.id} failed`, e);
    await stores.attachments.forgetParts(attachment.id);
    throw new Conflict("incomplete", "the stored parts could not be assembled: send every part again", { cause: e });
  }
  if (!(await stores.attachments.complete(attachment.id, Date.now()))) {
    // Deleted while it was being assembled: the object R2 just made must go too.
    await stores.blobs.delete(attachment.id);
    throw new AttachmentDeleted();
  }
  return c.json(done);
}

/** Attachment uploads (docs/API.md "Attachments"). */
export const attachmentUploadRoutes = new Hono<AppEnv>()
  .post("/conversations/:id/attachments", requireSession, createUpload)
  .put("/attachments/:id/parts/:n", requireSession, putPart)
  .get("/attachments/:id/upload", requireSession, uploadStatus)
  .post("/attachments/:id/complete", requireSession, completeUpload);
