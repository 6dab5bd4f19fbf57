import type { Session } from "./auth/session.js";
import type { AccountHub } from "./realtime/account-hub.js";

/** Bindings from wrangler.toml. */
export interface Bindings {
  readonly DB: D1Database;
  /** One realtime hub per account (worker/realtime/account-hub.ts). */
  readonly ACCOUNT_HUB: DurableObjectNamespace<AccountHub>;
  /**
   * Optional overrides of the per-address sign-up and login limits (worker/http/auth-limits.ts). Unset in
   * wrangler.toml, so deployed workers use the defaults; only local `wrangler dev` raises them (--var).
   */
  readonly SIGNUP_LIMIT_PER_HOUR?: string;
  readonly LOGIN_LIMIT_PER_10_MIN?: string;
}

/** Hono's environment for every route: bindings, plus the session once `requireSession` ran. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { session: Session };
}
