// The hub runs outside any request, so it cannot use the stores middleware (worker/http/stores.ts); this is
// its one place that picks the storage engine, as that middleware is for routes (.dependency-cruiser.mjs).
import { legacyPushOf } from "../db/d1-push-store.js";
import { storesOf } from "../db/d1-stores.js";
import { HubPush } from "../db/hub-push.js";
import { HubSessions } from "../db/hub-sessions.js";
import type { HubPushTable } from "../storage/push-store.js";
import type { HubSessionTable } from "../storage/session-store.js";

export type { PushHubMethods } from "../db/hub-push-store.js";
import type { Stores } from "../storage/stores.js";

/** The bindings the storage engine reads: worker/db says which, so nothing here names the engine. */
export type StorageBindings = Parameters<typeof storesOf>[0];

/** The stores a hub reads through (worker/storage interfaces), over its bindings. */
export function hubStores(env: StorageBindings): Stores {
  return storesOf(env);
}

/** The hub's own table of its account's sessions, over its SQLite. */
export function hubSessionTable(sql: SqlStorage): HubSessionTable {
  return new HubSessions(sql);
}

/** The hub's own table of its devices' push subscriptions and its account's mutes, over its SQLite. */
export function hubPushTable(sql: SqlStorage): HubPushTable {
  return new HubPush(sql);
}

/** The account's push rows D1 still holds from before they moved to its hub: read them, then delete them. */
export function legacyPush(env: StorageBindings): ReturnType<typeof legacyPushOf> {
  return legacyPushOf(env);
}
