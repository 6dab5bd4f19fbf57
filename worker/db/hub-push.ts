// The Web Push subscriptions of one account's devices and the account's muted conversations, kept by the
// account's hub (issue 22, docs/decisions.md "Push subscriptions in the account object") in its own SQLite:
// the hub that finds no socket for a device pushes to it without reading D1. The rows of the release before
// (D1's push_subscriptions and push_mutes) move here on the hub's first push-related call.
import { z } from "zod";
import { conversationIdSchema } from "../../protocol/api.js";
import { DeviceId, type ConversationId } from "../../protocol/ids.js";
import type { HubPushTable, LegacyPush, PushTarget } from "../storage/push-store.js";
import { parseRows } from "./rows.js";

const bytesOf = (n: number) =>
  z
    .instanceof(ArrayBuffer)
    .transform((b) => new Uint8Array(b))
    .refine((b) => b.length === n, `not ${n} bytes`);
const subscriptionRow = z.object({ device_id: z.string().refine(DeviceId.is, "not a device id"), endpoint: z.string().min(1), p256dh: bytesOf(65), auth: bytesOf(16) });
const muteRow = z.object({ conversation_id: conversationIdSchema });

/** Over the hub's own SQLite; the hub is the only writer, so a write is the truth when it returns. */
export class HubPush implements HubPushTable {
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  private tables(): SqlStorage {
    if (!this.ready) {
      this.sql.exec(
        `CREATE TABLE IF NOT EXISTS push_subscriptions (device_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL,
           p256dh BLOB NOT NULL, auth BLOB NOT NULL, created_at INTEGER NOT NULL)`,
      );
      this.sql.exec("CREATE TABLE IF NOT EXISTS push_mutes (conversation_id TEXT PRIMARY KEY)");
      // One row once D1's rows of this account moved in (or there were none): D1 is not read again.
      this.sql.exec("CREATE TABLE IF NOT EXISTS push_moved (one INTEGER PRIMARY KEY CHECK (one = 1), at INTEGER NOT NULL)");
      this.ready = true;
    }
    return this.sql;
  }

  moved(): boolean {
    return this.tables().exec("SELECT 1 FROM push_moved").toArray().length > 0;
  }

  /**
   * Takes D1's rows in, in one transaction with the moved mark. A row the hub already has (written
   * since) wins over D1's.
   */
  importLegacy(legacy: LegacyPush, now: number, transaction: (fn: () => void) => void): void {
    const sql = this.tables();
    transaction(() => {
      for (const s of legacy.subscriptions) {
        sql.exec("INSERT OR IGNORE INTO push_subscriptions (device_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)", s.deviceId, s.endpoint, s.p256dh, s.auth, s.createdAt);
      }
      for (const c of legacy.mutes) sql.exec("INSERT OR IGNORE INTO push_mutes (conversation_id) VALUES (?)", c);
      sql.exec("INSERT OR IGNORE INTO push_moved (one, at) VALUES (1, ?)", now);
    });
  }

  put(s: { deviceId: DeviceId; endpoint: string; p256dh: Uint8Array; auth: Uint8Array; now: number }): void {
    this.tables().exec(
      `INSERT INTO push_subscriptions (device_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET endpoint = excluded.endpoint, p256dh = excluded.p256dh, auth = excluded.auth, created_at = excluded.created_at`,
      s.deviceId, s.endpoint, s.p256dh, s.auth, s.now,
    );
  }

  /** Deletes these devices' subscriptions (only one still naming `endpoint`, when given); how many went. */
  delete(deviceIds: readonly DeviceId[], endpoint?: string): number {
    const sql = this.tables();
    let deleted = 0;
    for (const d of deviceIds) {
      deleted += endpoint === undefined
        ? sql.exec("DELETE FROM push_subscriptions WHERE device_id = ?", d).rowsWritten
        : sql.exec("DELETE FROM push_subscriptions WHERE device_id = ? AND endpoint = ?", d, endpoint).rowsWritten;
    }
    return deleted;
  }

  setMuted(conversationId: ConversationId, muted: boolean): void {
    const sql = this.tables();
    if (muted) sql.exec("INSERT OR IGNORE INTO push_mutes (conversation_id) VALUES (?)", conversationId);
    else sql.exec("DELETE FROM push_mutes WHERE conversation_id = ?", conversationId);
  }

  listMuted(limit: number): ConversationId[] {
    const rows = this.tables().exec("SELECT conversation_id FROM push_mutes ORDER BY conversation_id LIMIT ?", limit).toArray();
    return parseRows(muteRow, "push_mutes", rows).map((r) => r.conversation_id);
  }

  /** The subscriptions to push a message of `conversationId` to: none when muted, unless `includeMuted`. */
  targets(conversationId: ConversationId, includeMuted: boolean): PushTarget[] {
    const sql = this.tables();
    if (!includeMuted && sql.exec("SELECT 1 FROM push_mutes WHERE conversation_id = ?", conversationId).toArray().length > 0) return [];
    const rows = sql.exec("SELECT device_id, endpoint, p256dh, auth FROM push_subscriptions").toArray();
    return parseRows(subscriptionRow, "push_subscriptions", rows).map((r) => ({ deviceId: r.device_id as DeviceId, endpoint: r.endpoint, p256dh: r.p256dh, auth: r.auth }));
  }
}
