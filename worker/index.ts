// Worker entry: wrangler.toml routes /api/* here (run_worker_first); everything else is static assets.
import { createApp } from "./app.js";

export default createApp();
