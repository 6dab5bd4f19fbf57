import { sweepUnattached } from "./attachments/expiry.js";
import { storesOf } from "./db/d1-stores.js";
import type { Bindings } from "./env.js";

/** Attachments swept per batch, and batches per run: a run stays short, and the next hour takes the rest. */
const SWEEP_BATCH = 100;
const SWEEP_BATCHES = 10;

/**
 * The cron trigger (wrangler.toml `[triggers]`): deletes every account's attachments that were never
 * attached to a message within their 24 hours, also those of accounts that never upload again (the
 * lazy sweep on upload covers only the uploading account).
 */
export async function scheduled(_controller: ScheduledController, env: Bindings, _ctx: ExecutionContext): Promise<void> {
  const stores = storesOf(env);
  for (let i = 0; i < SWEEP_BATCHES; i++) {
    if ((await sweepUnattached(stores, Date.now(), SWEEP_BATCH)) < SWEEP_BATCH) return;
  }
}
