// The hub runs outside any request, so it cannot use the stores middleware (worker/http/stores.ts); this is
// its one place that picks the storage engine, as that middleware is for routes (.dependency-cruiser.mjs).
import { storesOf } from "../db/d1-stores.js";
import { HubSessions } from "../db/hub-sessions.js";
import type { HubSessionTable } from "../storage/session-store.js";
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
