import type { CryptoEnv } from "../../../protocol/index.js";
import type { Api } from "./transport/api.js";
import type { SealedDb } from "./store/db.js";
import type { LinkApi } from "./transport/link-api.js";
import { StateCache } from "./identity/state-cache.js";

/** Everything the client's operations need, passed explicitly so tests can supply fakes. */
export interface ClientContext {
  readonly db: SealedDb;
  readonly api: Api;
  readonly env: CryptoEnv;
  /** The origin the login signature binds (location.origin in the browser). */
  readonly origin: string;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Verified account states, recomputed from the stored logs on first use. */
  readonly states: StateCache;
  /** The device calls (docs/API.md "Devices"), where there are any (absent in most unit tests). */
  readonly linkApi?: LinkApi;
}

export function makeContext(p: { db: SealedDb; api: Api; env: CryptoEnv; origin: string; now?: () => number; linkApi?: LinkApi }): ClientContext {
  return { db: p.db, api: p.api, env: p.env, origin: p.origin, now: p.now ?? (() => Date.now()), states: new StateCache(), ...(p.linkApi ? { linkApi: p.linkApi } : {}) };
}
