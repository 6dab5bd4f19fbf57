// The hub runs outside any request, so it cannot use the stores middleware (worker/http/stores.ts); this is
// its one place that picks the storage engine, as that middleware is for routes (.dependency-cruiser.mjs).
import { storesOf } from "../db/d1-stores.js";
import type { Stores } from "../storage/stores.js";
import type { HubBindings } from "./hub-env.js";

/** The stores a hub reads through (worker/storage interfaces), over its bindings. */
export function hubStores(env: HubBindings): Stores {
  return storesOf(env);
}
