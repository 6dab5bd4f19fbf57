import type { Ctx } from "../env.js";
import { Forbidden, HttpError } from "../errors.js";
import { attachmentIdParam } from "../http/path-params.js";
import type { AttachmentRecord } from "../storage/attachment-store.js";

/** 404 `deleted`: the attachment existed and its uploader deleted it (said only to callers who may see it). */
export class AttachmentDeleted extends HttpError {
  override readonly name = "AttachmentDeleted";
  readonly status = 404;
  constructor(message = "the attachment was deleted by its uploader", options?: ErrorOptions) {
    super("deleted", message, options);
  }
}

class NoSuchAttachment extends HttpError {
  override readonly name = "NoSuchAttachment";
  readonly status = 404;
  constructor() {
    super("not_found", "no such attachment");
  }
}

/**
 * The attachment named by the path, if the caller's account may know of it: a current member of its
 * conversation (who may download it), or its uploader (who may manage it even after leaving). To anyone
 * else it does not exist: 404 not_found, the same as an unknown id, so an id learnt elsewhere reveals
 * nothing. A deleted one is 404 `deleted` to those who may know of it.
 */
export async function knownAttachment(c: Ctx, tombstone: "refuse" | "accept" = "refuse"): Promise<{ readonly attachment: AttachmentRecord; readonly member: boolean }> {
  const attachment = await c.var.stores.attachments.find(attachmentIdParam(c));
  if (!attachment) throw new NoSuchAttachment();
  const accountId = c.var.session.accountId;
  const conversation = await c.var.stores.conversations.find(attachment.conversationId);
  const member = conversation?.members.includes(accountId) ?? false;
  if (!member && attachment.uploaderAccountId !== accountId) throw new NoSuchAttachment();
  if (attachment.deletedAt !== null && tombstone === "refuse") throw new AttachmentDeleted();
  return { attachment, member };
}

/** The attachment, for its download: current members of its conversation only (404 to anyone else). */
export async function downloadableAttachment(c: Ctx): Promise<AttachmentRecord> {
  const { attachment, member } = await knownAttachment(c);
  if (!member) throw new NoSuchAttachment();
  return attachment;
}

/**
 * The attachment, for managing its upload or deleting it: its uploader's account only (403 to other
 * members). A deleted one is 404 `deleted`, unless `tombstone` is "accept" (deleting it again).
 */
export async function ownAttachment(c: Ctx, tombstone: "refuse" | "accept" = "refuse"): Promise<AttachmentRecord> {
  const { attachment } = await knownAttachment(c, tombstone);
  if (attachment.uploaderAccountId !== c.var.session.accountId) throw new Forbidden("forbidden", "only the account that uploaded an attachment may change or delete it");
  return attachment;
}
