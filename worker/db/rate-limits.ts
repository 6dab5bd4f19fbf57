import { z } from "zod";
import { ServerFault } from "../errors.js";
import { int, parseRow } from "./rows.js";

const hitsRow = z.object({ hits: int.positive() });

/**
 * Counts one request in `bucket`'s current fixed window of `windowMs` and returns how many the window
 * holds now, this one included, and when it ends. One upsert, so concurrent requests cannot both read
 * the same count; windows that are over are swept in the same batch.
 */
export async function countHit(db: D1Database, bucket: string, windowMs: number, now: number): Promise<{ hits: number; windowEnd: number }> {
  const windowEnd = now - (now % windowMs) + windowMs;
  const [, bumped] = await db.batch([
    db.prepare("DELETE FROM rate_limits WHERE window_end <= ?1").bind(now),
    db
      .prepare("INSERT INTO rate_limits (bucket, window_end, hits) VALUES (?1, ?2, 1) ON CONFLICT (bucket, window_end) DO UPDATE SET hits = hits + 1 RETURNING hits")
      .bind(bucket, windowEnd),
  ]);
  const row = bumped?.results[0];
  if (!row) throw new ServerFault("rate limit upsert returned no row");
  return { hits: parseRow(hitsRow, "rate_limits", row).hits, windowEnd };
}
