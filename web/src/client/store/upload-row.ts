import { z } from "zod";
import { conversationIdSchema } from "../../../../protocol/api.js";
import { ATTACHMENT_KEY_BYTES, MAX_ATTACHMENT_PLAINTEXT_BYTES, MAX_CAPTION_BYTES, MAX_FILE_NAME_BYTES, MAX_MIME_TYPE_BYTES, fromBase64url } from "../../../../protocol/index.js";
import { byAttachmentType, sized, storedAttachmentId } from "./attachment-schemas.js";

/**
 * A file on its way out (issue 18, docs/decisions.md "Sending attachments"): the local "upload" item,
 * from the moment it is staged and sent until its attachment message is sealed (then the row goes, in the
 * same transaction). It keeps the file's key, so a resumed upload encrypts to the same bytes, and where
 * the server's copy stands. The file itself is in `uploadFiles` (UploadFileRow), so the frequent progress
 * writes here never rewrite a Blob of up to 100 MiB.
 */
const timestamp = z.number().int().nonnegative();
const byteCount = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** 16 random bytes, base64url (22 characters), chosen by this device. */
export type UploadId = string;
export const uploadIdSchema = z.string().refine((s) => {
  try {
    return /^[A-Za-z0-9_-]{22}$/.test(s) && fromBase64url(s).length === 16;
  } catch {
    return false;
  }
}, "must be an upload id");

export const uploadState = z.enum(["queued", "uploading", "waiting", "failed"]);
/**
 * queued: ready to run; uploading: a runner has it; waiting: the network or the server is unreachable
 * (retried with backoff); failed: the server refused it (error says why; "retry" queues it again).
 */
export type UploadState = z.infer<typeof uploadState>;

export const uploadError = z.object({ code: z.string().min(1).max(64), message: z.string().max(1000) });
export type UploadError = z.infer<typeof uploadError>;

const common = {
  id: uploadIdSchema,
  conversationId: conversationIdSchema,
  createdAt: timestamp,
  name: z.string().min(1).max(MAX_FILE_NAME_BYTES),
  mimeType: z.string().min(1).max(MAX_MIME_TYPE_BYTES),
  caption: z.string().max(MAX_CAPTION_BYTES),
  /** Plaintext bytes of the (stripped) file. */
  size: z.number().int().min(1).max(MAX_ATTACHMENT_PLAINTEXT_BYTES),
  key: sized(ATTACHMENT_KEY_BYTES),
  /** The server's id once the upload was created there. */
  attachmentId: storedAttachmentId.optional(),
  /** Ciphertext bytes the server acknowledged, plus the current part's progress. */
  sentBytes: byteCount,
  /** encryptedSize(size). */
  totalBytes: byteCount,
  state: uploadState,
  error: uploadError.optional(),
};
export const uploadRow = byAttachmentType(common);
export type UploadRow = z.infer<typeof uploadRow>;

/** The file of an upload, kept apart from its row (see above). */
export const uploadFileRow = z.object({ id: uploadIdSchema, file: z.custom<Blob>((v) => typeof Blob !== "undefined" && v instanceof Blob, "must be a Blob") });
export type UploadFileRow = z.infer<typeof uploadFileRow>;
