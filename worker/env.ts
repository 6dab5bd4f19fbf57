import type { Session } from "./auth/session.js";

/** Bindings from wrangler.toml. */
export interface Bindings {
  readonly DB: D1Database;
}

/** Hono's environment for every route: bindings, plus the session once `requireSession` ran. */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { session: Session };
}
