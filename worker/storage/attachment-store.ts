// The attachment store owns what the server knows of each attachment apart from its bytes (which the
// blob store holds): its conversation, uploader, ciphertext size, the multipart upload and the parts
// received so far, whether it is complete, the message it is attached to, and its tombstone once deleted.
// Today D1 tables (worker/db/d1-attachment-store.ts).
import type { AttachmentId } from "../../protocol/api.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";

export interface AttachmentRecord {
  readonly id: AttachmentId;
  readonly conversationId: ConversationId;
  readonly uploaderAccountId: AccountId;
  /** Ciphertext bytes, as declared when the upload was created. */
  readonly size: number;
  readonly partSize: number;
  /** The blob store's multipart upload while parts are coming in; null once complete (or deleted). */
  readonly uploadId: string | null;
  readonly createdAt: number;
  readonly completedAt: number | null;
  /** The seq of the message it was attached to, in its conversation; null while unattached. */
  readonly messageSeq: number | null;
  /** Set when the uploader deleted it: the row stays as a tombstone so later readers learn it is gone. */
  readonly deletedAt: number | null;
}

export interface NewAttachment {
  readonly id: AttachmentId;
  readonly conversationId: ConversationId;
  readonly uploaderAccountId: AccountId;
  readonly size: number;
  readonly partSize: number;
  readonly uploadId: string;
  readonly now: number;
  /** Store it only if the uploader's live attachments plus this one stay within these many bytes. */
  readonly quota: number;
}

export interface StoredPart {
  readonly part: number;
  readonly etag: string;
}

export interface AttachmentStore {
  /**
   * Stores a new, incomplete attachment unless the uploader's live (not deleted) attachments plus `size`
   * would exceed `quota`, checked and stored in one step so concurrent creations cannot overshoot.
   */
  create(a: NewAttachment): Promise<"created" | "over_quota">;
  find(id: AttachmentId): Promise<AttachmentRecord | undefined>;
  /** The parts received for an upload still open, in part order. */
  parts(id: AttachmentId): Promise<StoredPart[]>;
  /** Records (or replaces) a part's etag; false when the upload is no longer open (completed or deleted). */
  putPart(id: AttachmentId, part: number, etag: string): Promise<boolean>;
  /** Marks an open upload complete and forgets its parts; false when it was not open. */
  complete(id: AttachmentId, now: number): Promise<boolean>;
  /** Forgets the parts of an upload (the blob store refused to assemble them): they must be sent again. */
  forgetParts(id: AttachmentId): Promise<void>;
  /**
   * Turns a live attachment into a tombstone, before its bytes are deleted from the blob store; the row
   * stays so later readers learn it was deleted. False when it already was one.
   */
  markDeleted(id: AttachmentId, now: number): Promise<boolean>;
  /**
   * Tombstones an attachment only while it is live and unattached, in one step, so no message can attach
   * it once its bytes start to go. False when it was attached or deleted meanwhile (keep it then).
   */
  expire(id: AttachmentId, now: number): Promise<boolean>;
  /**
   * Up to `limit` live attachments never attached to a message and created before `before`, oldest
   * first; only `accountId`'s when given.
   */
  unattachedBefore(before: number, limit: number, accountId?: AccountId): Promise<AttachmentRecord[]>;
  /** Deletes an expired attachment's tombstone for good, once its bytes are gone (nobody holds its id). */
  remove(id: AttachmentId): Promise<void>;
}
