// Worker entry: wrangler.toml routes /api/* here (run_worker_first); everything else is static assets.
// The cron trigger runs `scheduled` (the sweep of attachments never attached to a message).
import { createApp } from "./app.js";
import type { Bindings } from "./env.js";
import { scheduled } from "./scheduled.js";

// Durable Object classes must be exported from the entry module for wrangler.toml's bindings.
export { ConversationLog } from "./db/conversation-log/object.js";
export { AccountHub } from "./realtime/account-hub.js";

const app = createApp();

export default { fetch: app.fetch, scheduled } satisfies ExportedHandler<Bindings>;
