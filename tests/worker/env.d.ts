// Bindings the tests see through `env` from cloudflare:workers: wrangler.toml's plus the
// migrations vitest.worker.config.ts injects. Identical redeclarations elsewhere merge.
declare namespace Cloudflare {
  interface Env {
    DB: D1Database;
    ACCOUNT_HUB: DurableObjectNamespace<import("../../worker/realtime/account-hub").AccountHub>;
    CONVERSATION_LOG: DurableObjectNamespace<import("../../worker/db/conversation-log/object").ConversationLog>;
    STORAGE_LAYOUT?: string;
    FILES: R2Bucket;
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    VAPID_PUBLIC_KEY: string;
    VAPID_PRIVATE_KEY: string;
    VAPID_SUBJECT: string;
  }
  interface GlobalProps {
    mainModule: typeof import("../../worker/index");
  }
}
