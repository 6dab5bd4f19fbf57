// worker/db holds every line of SQL the worker has: the per-table modules, and one D1 implementation per
// storage interface of worker/storage. This file picks D1 for all of them; a later engine (a Durable
// Object per conversation or per account) replaces entries here, not routes.
import type { Stores } from "../storage/stores.js";
import { d1AccountStore } from "./d1-account-store.js";
import { d1ConversationStore } from "./d1-conversation-store.js";
import { d1Directory } from "./d1-directory.js";
import { d1LinkStore } from "./d1-link-store.js";
import { d1MessageLog } from "./d1-message-log.js";
import { d1RateLimitStore } from "./d1-rate-limit-store.js";
import { d1ReadStateStore } from "./d1-read-state-store.js";
import { d1RecoveryStore } from "./d1-recovery-store.js";
import { d1SessionStore } from "./d1-session-store.js";

/** Every store over one D1 database. */
export function d1Stores(db: D1Database): Stores {
  return {
    directory: d1Directory(db),
    accounts: d1AccountStore(db),
    sessions: d1SessionStore(db),
    recovery: d1RecoveryStore(db),
    conversations: d1ConversationStore(db),
    messages: d1MessageLog(db),
    links: d1LinkStore(db),
    rateLimits: d1RateLimitStore(db),
    readState: d1ReadStateStore(db),
  };
}

/** The stores of a worker's bindings (wrangler.toml binds the database as DB). */
export function storesOf(bindings: { readonly DB: D1Database }): Stores {
  return d1Stores(bindings.DB);
}
