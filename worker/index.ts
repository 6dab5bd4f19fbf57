// Worker entry: wrangler.toml routes /api/* here (run_worker_first); everything else is static assets.
import { createApp } from "./app.js";

// Durable Object classes must be exported from the entry module for wrangler.toml's bindings.
export { AccountHub } from "./realtime/account-hub.js";

export default createApp();
