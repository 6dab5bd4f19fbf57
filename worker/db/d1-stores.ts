// worker/db holds every line of SQL the worker has: the per-table modules, and one D1 implementation per
// storage interface of worker/storage (and the R2 one of the blob store). This file picks D1 (and R2 for
// blobs) for all of them; a later engine (a Durable Object per conversation or per account) replaces
// entries here, not routes.
import type { Stores } from "../storage/stores.js";
import { d1AccountStore } from "./d1-account-store.js";
import { d1AttachmentStore } from "./d1-attachment-store.js";
import { d1ConversationStore } from "./d1-conversation-store.js";
import { d1Directory } from "./d1-directory.js";
import { d1LinkStore } from "./d1-link-store.js";
import { d1MessageLog } from "./d1-message-log.js";
import { d1PushStore } from "./d1-push-store.js";
import { d1RateLimitStore } from "./d1-rate-limit-store.js";
import { d1ReadStateStore } from "./d1-read-state-store.js";
import { d1RecoveryStore } from "./d1-recovery-store.js";
import { d1SessionStore } from "./d1-session-store.js";
import { r2BlobStore } from "./r2-blob-store.js";

/** Every store over one D1 database, and attachment bytes in one R2 bucket. */
export function d1Stores(db: D1Database, files: R2Bucket): Stores {
  return {
    directory: d1Directory(db),
    accounts: d1AccountStore(db),
    sessions: d1SessionStore(db),
    recovery: d1RecoveryStore(db),
    conversations: d1ConversationStore(db),
    messages: d1MessageLog(db),
    links: d1LinkStore(db),
    rateLimits: d1RateLimitStore(db),
    attachments: d1AttachmentStore(db),
    blobs: r2BlobStore(files),
    readState: d1ReadStateStore(db),
    push: d1PushStore(db),
  };
}

/** The stores of a worker's bindings (wrangler.toml binds the database as DB and the bucket as FILES). */
export function storesOf(bindings: { readonly DB: D1Database; readonly FILES: R2Bucket }): Stores {
  return d1Stores(bindings.DB, bindings.FILES);
}
