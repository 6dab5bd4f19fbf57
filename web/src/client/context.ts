import type { CryptoEnv } from "../../../protocol/index.js";
import type { Api } from "./transport/api.js";
import type { SealedDb } from "./store/db.js";
import type { LinkApi } from "./transport/link-api.js";
import type { RecoveryApi } from "./transport/recovery-api.js";
import { StateCache } from "./identity/state-cache.js";

/**
 * Everything the client's operations need, passed explicitly so tests can supply fakes. The transports
 * live here and only here: operations take the context, never a transport of their own, so one place
 * (ChatClient in a browser, headless.ts in Node, the test helpers) decides where calls go.
 */
export interface ClientContext {
  readonly db: SealedDb;
  /** The session's calls (docs/API.md: accounts, conversations, messages, epochs, membership). */
  readonly api: Api;
  /** The device and link calls (docs/API.md "Devices", "Linking"). */
  readonly linkApi: LinkApi;
  /** The recovery calls (docs/API.md "Recovery"). */
  readonly recoveryApi: RecoveryApi;
  readonly env: CryptoEnv;
  /** The origin the login signature binds (location.origin in the browser). */
  readonly origin: string;
  /** Milliseconds since the epoch. */
  now(): number;
  /** Verified account states, recomputed from the stored logs on first use. */
  readonly states: StateCache;
}

export function makeContext(p: { db: SealedDb; api: Api; linkApi: LinkApi; recoveryApi: RecoveryApi; env: CryptoEnv; origin: string; now?: () => number }): ClientContext {
  return { db: p.db, api: p.api, linkApi: p.linkApi, recoveryApi: p.recoveryApi, env: p.env, origin: p.origin, now: p.now ?? (() => Date.now()), states: new StateCache() };
}
