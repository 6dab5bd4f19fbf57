import { env } from "cloudflare:workers";
import { snapshotLog } from "./conversation-rows.js";

/**
 * Every row of every table of D1, for "the database is unchanged" checks. Left out, because requests
 * change them legitimately whatever their body: the per-address counters of `rate_limits` (refused
 * requests count too), and the `last_seen_at` columns of `sessions` and `devices` (every authenticated
 * request may refresh them, at most once a minute). SQLite's and Cloudflare's own tables are skipped.
 * Each conversation's object (issue 22) is in it too, under "log:<conversation id>:<table>".
 */
export const IGNORED_TABLES = new Set(["rate_limits"]);
export const IGNORED_COLUMNS: Record<string, readonly string[]> = { sessions: ["last_seen_at"], devices: ["last_seen_at"] };

export type DbSnapshot = Record<string, string[]>;

export async function snapshotDb(): Promise<DbSnapshot> {
  const tables = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' ORDER BY name").all<{ name: string }>();
  const snapshot: DbSnapshot = {};
  for (const { name } of tables.results) {
    if (IGNORED_TABLES.has(name)) continue;
    const rows = await env.DB.prepare(`SELECT * FROM "${name}"`).all<Record<string, unknown>>();
    const ignored = IGNORED_COLUMNS[name] ?? [];
    snapshot[name] = rows.results.map((row) => JSON.stringify(Object.entries(row).filter(([k]) => !ignored.includes(k)), blobsAsHex)).sort();
  }
  const conversations = await env.DB.prepare("SELECT id FROM conversations ORDER BY id").all<{ id: string }>();
  for (const { id } of conversations.results) {
    for (const [table, rows] of Object.entries(await snapshotLog(id))) {
      snapshot[`log:${id}:${table}`] = rows.map((row) => JSON.stringify(Object.entries(row), blobsAsHex)).sort();
    }
  }
  return snapshot;
}

function blobsAsHex(_key: string, value: unknown): unknown {
  const bytes = value instanceof ArrayBuffer ? new Uint8Array(value) : value instanceof Uint8Array ? value : undefined;
  return bytes ? `hex:${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}` : value;
}
