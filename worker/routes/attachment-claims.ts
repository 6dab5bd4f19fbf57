import type { AttachmentId } from "../../protocol/api.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import { BadRequest, Conflict, type HttpError } from "../errors.js";
import type { AttachmentStore } from "../storage/attachment-store.js";

/**
 * Why a message could not carry its attachments (the message log refused them as a whole, atomically):
 * the first attachment that is not a live, complete, unattached blob uploaded by `accountId` to
 * `conversationId`, named in the error. Read after the refusal, so a blob attached by a racing message
 * meanwhile shows as attached.
 */
export async function attachmentRefusal(store: AttachmentStore, ids: readonly AttachmentId[], conversationId: ConversationId, accountId: AccountId): Promise<HttpError> {
  for (const id of ids) {
    const a = await store.find(id);
    if (!a || a.deletedAt !== null || a.conversationId !== conversationId || a.uploaderAccountId !== accountId) {
      return new BadRequest("invalid_attachment", `attachment ${id} is not a blob your account uploaded to this conversation (or it was deleted)`);
    }
    if (a.completedAt === null) return new Conflict("incomplete", `attachment ${id} is not complete: finish its upload first`);
    if (a.messageSeq !== null) return new Conflict("already_attached", `attachment ${id} is already attached to message ${a.messageSeq}`);
  }
  return new Conflict("already_attached", "an attachment was being attached to another message at the same time");
}
