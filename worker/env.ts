import type { Context } from "hono";
import type { ConversationLog } from "./db/conversation-log/object.js";
import type { AccountHub } from "./realtime/account-hub.js";
import type { Session } from "./storage/session-store.js";
import type { Stores } from "./storage/stores.js";

/** Bindings from wrangler.toml. */
export interface Bindings {
  readonly DB: D1Database;
  /** One realtime hub per account (worker/realtime/account-hub.ts). */
  readonly ACCOUNT_HUB: DurableObjectNamespace<AccountHub>;
  /** One log per conversation: its messages, epochs and membership (worker/db/conversation-log/object.ts). */
  readonly CONVERSATION_LOG: DurableObjectNamespace<ConversationLog>;
  /** "d1" runs the storage layout before issue 22 (worker/db/d1-stores.ts); unset: one object per conversation. */
  readonly STORAGE_LAYOUT?: string;
  /** Attachment ciphertext (issue 18), keyed by attachment id. */
  readonly FILES: R2Bucket;
  /**
   * Optional overrides of the per-address sign-up and login limits (worker/http/auth-limits.ts). Unset in
   * wrangler.toml, so deployed workers use the defaults; only local `wrangler dev` raises them (--var).
   */
  readonly SIGNUP_LIMIT_PER_HOUR?: string;
  readonly LOGIN_LIMIT_PER_10_MIN?: string;
  /**
   * Optional overrides of the attachment size limit and per-account quota, in bytes (worker/attachments/
   * limits.ts): unset, 100 MiB of plaintext and 2 GiB.
   */
  readonly ATTACHMENT_MAX_BYTES?: string;
  readonly ATTACHMENT_QUOTA_BYTES?: string;
  /**
   * Web Push (issue 19, worker/push/vapid.ts): the VAPID key pair (RFC 8292), base64url of the 65-byte
   * public point and of the 32-byte private scalar d; deployed as secrets (README "Push"), made by
   * scripts/wrangler.mjs for local dev. Missing or invalid: push is off, messages still go.
   */
  readonly VAPID_PUBLIC_KEY?: string;
  readonly VAPID_PRIVATE_KEY?: string;
  /** The VAPID `sub` claim, a mailto: or https: URL; default mailto:admin@localhost. */
  readonly VAPID_SUBJECT?: string;
  /**
   * Comma-separated origins accepted as push endpoints besides the known push services
   * (worker/push/endpoint-policy.ts): tests and local dev only, e.g. http://127.0.0.1:9999.
   */
  readonly PUSH_EXTRA_ORIGINS?: string;
}

/**
 * Hono's environment for every route: bindings, the request's stores (set for every /api request by
 * worker/http/stores.ts), and the session once `requireSession` ran.
 */
export interface AppEnv {
  Bindings: Bindings;
  Variables: { stores: Stores; session: Session };
}

/** The context every route handler takes. */
export type Ctx = Context<AppEnv>;
