import type { Session } from "./auth/session.js";
import type { AccountHub } from "./realtime/account-hub.js";

/** Bindings from wrangler.toml. */
export interface Bindings {
  readonly DB: D1Database;
  /** One realtime hub per account (worker/realtime/account-hub.ts). */
  readonly ACCOUNT_HUB: DurableObjectNamespace<AccountHub>;
}

/** Hono's environment for every route: bindings, plus the session once `requireSession` ran. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { session: Session };
}
