import type { ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "../store/db.js";
import type { UploadError, UploadState } from "../store/upload-row.js";
import { listUploads } from "../store/uploads.js";

/**
 * A file on its way out, as the chat shows it below all messages until its message is sealed (issue 18;
 * docs/decisions.md "Sending attachments"). The file's key and bytes stay in the store.
 */
export interface UploadView {
  /** The upload id `client.attachments.cancel` and `retry` take. */
  readonly id: string;
  readonly conversationId: ConversationId;
  readonly type: "file" | "image" | "voice";
  readonly name: string;
  readonly mimeType: string;
  /** Plaintext bytes. */
  readonly size: number;
  /** "" when there is none. */
  readonly caption: string;
  /** Ciphertext bytes the server has, with the part in flight; progress is sentBytes / totalBytes. */
  readonly sentBytes: number;
  readonly totalBytes: number;
  readonly state: UploadState;
  /** Why it failed (state "failed"): the server's code and a sentence to show. */
  readonly error?: UploadError;
  /** Images: pixels after orientation, and the inline preview (a small JPEG; may be empty). */
  readonly width?: number;
  readonly height?: number;
  readonly preview?: Uint8Array;
  /** Voice notes. */
  readonly durationMs?: number;
}

/** A conversation's uploads, oldest first (a read model for liveQuery, like views/views.ts). */
export async function uploadViews(db: SealedDb, conversationId: ConversationId): Promise<UploadView[]> {
  return (await listUploads(db, conversationId)).map((u) => {
    const base = {
      id: u.id,
      conversationId: u.conversationId,
      type: u.type,
      name: u.name,
      mimeType: u.mimeType,
      size: u.size,
      caption: u.caption,
      sentBytes: Math.min(u.sentBytes, u.totalBytes),
      totalBytes: u.totalBytes,
      state: u.state,
      ...(u.error ? { error: u.error } : {}),
    };
    if (u.type === "image") return { ...base, width: u.width, height: u.height, preview: u.preview };
    if (u.type === "voice") return { ...base, durationMs: u.durationMs };
    return base;
  });
}
