// worker/db holds every line of SQL the worker has: the per-table modules, one D1 implementation per
// storage interface of worker/storage (and the R2 one of the blob store), and the ConversationLog Durable
// Object (conversation-log/) with its stores (object-stores.ts). This file picks the engine of each store;
// routes never know which (issue 22, docs/SCALE.md).
import type { Stores } from "../storage/stores.js";
import { d1AccountStore } from "./d1-account-store.js";
import { d1AttachmentStore } from "./d1-attachment-store.js";
import { d1ConversationStore } from "./d1-conversation-store.js";
import { d1Directory } from "./d1-directory.js";
import { d1LinkStore } from "./d1-link-store.js";
import { d1MessageLog } from "./d1-message-log.js";
import { d1ProfileStore } from "./d1-profile-store.js";
import { d1PushStore } from "./d1-push-store.js";
import { hubPushStore, type HubPushBindings } from "./hub-push-store.js";
import { d1RateLimitStore } from "./d1-rate-limit-store.js";
import { d1ReadStateStore } from "./d1-read-state-store.js";
import { d1ChatSettingsStore } from "./d1-chat-settings-store.js";
import { d1RecoveryStore } from "./d1-recovery-store.js";
import { d1SessionStore } from "./d1-session-store.js";
import { objectConversationStores, type ObjectBindings } from "./object-stores.js";
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
    chatSettings: d1ChatSettingsStore(db),
    push: d1PushStore(db),
    profiles: d1ProfileStore(db),
  };
}

/** The storage layouts: "objects" (the default) keeps each conversation in its own Durable Object. */
export type StorageLayout = "d1" | "objects";

export interface StorageBindings extends ObjectBindings, HubPushBindings {
  readonly FILES: R2Bucket;
  /**
   * "d1" runs the layout of the release before issue 22 (every message in D1), kept for the side-by-side
   * benchmark; unset or anything else: "objects". A deployment with data moves to "objects" by itself (a
   * conversation moves into its object on first use) and must not go back: moved rows leave D1.
   */
  readonly STORAGE_LAYOUT?: string;
}

export function layoutOf(bindings: Pick<StorageBindings, "STORAGE_LAYOUT">): StorageLayout {
  return bindings.STORAGE_LAYOUT === "d1" ? "d1" : "objects";
}

/**
 * Every store over the objects layout: conversations and messages in ConversationLog objects, push
 * subscriptions and mutes in the account hubs, the rest in D1 and R2.
 */
export function objectStores(bindings: StorageBindings): Stores {
  return { ...d1Stores(bindings.DB, bindings.FILES), sessions: d1SessionStore(bindings.DB, true), push: hubPushStore(bindings), ...objectConversationStores(bindings) };
}

/** The stores of a worker's bindings (wrangler.toml binds DB, FILES and CONVERSATION_LOG). */
export function storesOf(bindings: StorageBindings): Stores {
  return layoutOf(bindings) === "d1" ? d1Stores(bindings.DB, bindings.FILES) : objectStores(bindings);
}
