import type { ConversationId, MessageRef } from "../../../../protocol/index.js";
import { openAttachment, type OpenOptions } from "../attachments/download.js";
import type { OutgoingFile } from "../attachments/outgoing.js";
import { cancelUpload, queueUpload, retryUpload } from "../attachments/queue-upload.js";
import type { ClientContext } from "../context.js";

/** What the facade needs of the sync engine: run the uploads now, stop this tab's run of one. */
export interface UploadKicker {
  runUploads(): void;
  abortUpload(uploadId: string): void;
}

/**
 * `client.attachments`: the files of attachment messages (issue 18). Opening one downloads its blob,
 * checks and decrypts it as a stream, and gives the file only once every check passed. Sending one stores
 * it as an upload item (the chat shows it below the messages: `client.views.uploads(id)`), which the sync
 * engine uploads in the background and seals as a message once the server has every byte.
 */
export class AttachmentsFacade {
  constructor(
    private readonly ctx: ClientContext,
    private readonly uploads?: UploadKicker,
  ) {}

  /**
   * The file of the attachment message `ref` in `conversationId`, as a Blob. Rejects with a ClientError:
   * `attachment_corrupt` (changed, truncated or reordered on the server), `attachment_unavailable`,
   * `attachment_cancelled` (the signal fired), `message_deleted`, `unknown_message`; or an ApiError
   * (`network`) when the server cannot be reached.
   */
  open(conversationId: ConversationId, ref: MessageRef, o?: OpenOptions): Promise<Blob> {
    return openAttachment(this.ctx, conversationId, ref, o);
  }

  /**
   * Sends one file as its own message. Resolves with the upload id once the file is prepared (photo
   * metadata stripped, preview made) and stored; uploading runs in the background, offline too (it waits
   * for the network). Rejects with a ClientError: `attachment_empty`, `attachment_too_large` (over 100 MiB),
   * `attachment_malformed` (a JPEG, PNG or WebP whose structure is broken), `message_too_long` (caption),
   * `unknown_conversation`.
   */
  async send(conversationId: ConversationId, f: OutgoingFile): Promise<string> {
    const id = await queueUpload(this.ctx, conversationId, f);
    this.uploads?.runUploads();
    return id;
  }

  /** Stops an upload and forgets it here; the server's copy is deleted (best effort). */
  async cancel(uploadId: string): Promise<void> {
    this.uploads?.abortUpload(uploadId);
    await cancelUpload(this.ctx, uploadId);
  }

  /** A failed upload runs again from where the server's copy stands. */
  async retry(uploadId: string): Promise<void> {
    await retryUpload(this.ctx, uploadId);
    this.uploads?.runUploads();
  }
}
