// The attachment store over D1: attachments and attachment_parts (attachments.ts).
import type { AttachmentStore } from "../storage/attachment-store.js";
import { completeAttachment, expireAttachment, findAttachment, forgetParts, insertAttachment, listParts, markAttachmentDeleted, putPart, removeAttachment, unattachedBefore } from "./attachments.js";

export function d1AttachmentStore(db: D1Database): AttachmentStore {
  return {
    create: (a) => insertAttachment(db, a),
    find: (id) => findAttachment(db, id),
    parts: (id) => listParts(db, id),
    putPart: (id, part, etag) => putPart(db, id, part, etag),
    complete: (id, now) => completeAttachment(db, id, now),
    forgetParts: (id) => forgetParts(db, id),
    markDeleted: (id, now) => markAttachmentDeleted(db, id, now),
    expire: (id, now) => expireAttachment(db, id, now),
    unattachedBefore: (before, limit, accountId) => unattachedBefore(db, before, limit, accountId),
    remove: (id) => removeAttachment(db, id),
  };
}
