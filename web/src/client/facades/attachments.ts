import type { ConversationId, MessageRef } from "../../../../protocol/index.js";
import { openAttachment, type OpenOptions } from "../attachments/download.js";
import type { ClientContext } from "../context.js";

/**
 * `client.attachments`: the files of attachment messages (issue 18). Opening one downloads its blob,
 * checks and decrypts it as a stream, and gives the file only once every check passed.
 */
export class AttachmentsFacade {
  constructor(private readonly ctx: ClientContext) {}

  /**
   * The file of the attachment message `ref` in `conversationId`, as a Blob. Rejects with a ClientError:
   * `attachment_corrupt` (changed, truncated or reordered on the server), `attachment_unavailable`,
   * `attachment_cancelled` (the signal fired), `message_deleted`, `unknown_message`; or an ApiError
   * (`network`) when the server cannot be reached.
   */
  open(conversationId: ConversationId, ref: MessageRef, o?: OpenOptions): Promise<Blob> {
    return openAttachment(this.ctx, conversationId, ref, o);
  }
}
