// The sessions of one account and its devices' revocation marks, kept by the account's hub (issue 22,
// docs/decisions.md "The send path") in its own SQLite. The hub is their only writer and a Durable Object
// runs one event at a time, so what it stores is the truth the moment a write returns.
import { z } from "zod";
import { usernameSchema } from "../../protocol/api.js";
import { DeviceId } from "../../protocol/ids.js";
import type { FoundSession, HeldSession, HubSessionTable } from "../storage/session-store.js";

/** How often a check moves the session's last-seen mark (and the device's in D1), like worker/db/sessions.ts. */
export const TOUCH_INTERVAL_MS = 60_000;

/**
 * Sessions one device may hold at once: each login and each move adds one; the one ending first goes first
 * (of equal expiry, as when requests sent at once each moved the same first-form token, the earliest stored).
 */
export const SESSIONS_PER_DEVICE = 16;

const bytes = z.instanceof(ArrayBuffer).transform((b) => new Uint8Array(b));
const hash32 = bytes.refine((b) => b.length === 32, "not 32 bytes");
const sessionRow = z.object({
  device_id: z.string().refine(DeviceId.is, "not a device id"),
  username: usernameSchema,
  signing_key: hash32,
  expires_at: z.number().int(),
  last_seen_at: z.number().int(),
  moved_from: hash32.nullable(),
  revoked: z.number().int(),
});

/**
 * Over the hub's own SQLite, which lives in the object (no network between them): a check is one read by
 * primary key, answered without D1. Rows are parsed like any stored input.
 */
export class HubSessions implements HubSessionTable {
  private ready = false;

  constructor(private readonly sql: SqlStorage) {}

  private tables(): SqlStorage {
    if (!this.ready) {
      this.sql.exec(
        `CREATE TABLE IF NOT EXISTS sessions (token_hash BLOB PRIMARY KEY, device_id TEXT NOT NULL, username TEXT NOT NULL,
           signing_key BLOB NOT NULL, expires_at INTEGER NOT NULL, last_seen_at INTEGER NOT NULL, moved_from BLOB)`,
      );
      this.sql.exec("CREATE INDEX IF NOT EXISTS sessions_device ON sessions (device_id, expires_at)");
      this.sql.exec("CREATE TABLE IF NOT EXISTS revoked_devices (device_id TEXT PRIMARY KEY)");
      this.ready = true;
    }
    return this.sql;
  }

  /**
   * Stores a session; false (and nothing stored) when the device was revoked here, so a login that read
   * the device as active just before its revoke cannot leave a live session behind. Expired sessions go
   * on the way, and the device's oldest beyond SESSIONS_PER_DEVICE.
   */
  start(hash: Uint8Array, s: HeldSession, now: number): boolean {
    const sql = this.tables();
    if (sql.exec("SELECT 1 FROM revoked_devices WHERE device_id = ?", s.deviceId).toArray().length > 0) return false;
    sql.exec("DELETE FROM sessions WHERE expires_at <= ?", now);
    sql.exec(
      `DELETE FROM sessions WHERE token_hash IN
         (SELECT token_hash FROM sessions WHERE device_id = ? ORDER BY expires_at DESC, rowid DESC LIMIT -1 OFFSET ?)`,
      s.deviceId,
      SESSIONS_PER_DEVICE - 1,
    );
    sql.exec(
      "INSERT OR REPLACE INTO sessions (token_hash, device_id, username, signing_key, expires_at, last_seen_at, moved_from) VALUES (?, ?, ?, ?, ?, ?, ?)",
      hash,
      s.deviceId,
      s.username,
      s.signingKey,
      s.expiresAt,
      now,
      s.movedFrom,
    );
    return true;
  }

  /**
   * The live session of a hash: stored, unexpired, its device not revoked. Its last-seen mark moves at
   * most once a minute, and `touch` says when it did (the hub then marks the device seen in D1).
   */
  find(hash: Uint8Array, now: number): FoundSession | undefined {
    const sql = this.tables();
    const raw = sql
      .exec(
        `SELECT s.device_id, s.username, s.signing_key, s.expires_at, s.last_seen_at, s.moved_from,
                EXISTS (SELECT 1 FROM revoked_devices r WHERE r.device_id = s.device_id) AS revoked
           FROM sessions s WHERE s.token_hash = ?`,
        hash,
      )
      .toArray()[0];
    if (!raw) return undefined;
    const r = sessionRow.parse(raw);
    if (r.revoked !== 0 || r.expires_at <= now) return undefined;
    const touch = now - r.last_seen_at > TOUCH_INTERVAL_MS;
    if (touch) sql.exec("UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", now, hash);
    return { session: { deviceId: r.device_id as DeviceId, username: r.username, signingKey: r.signing_key, expiresAt: r.expires_at, movedFrom: r.moved_from }, touch };
  }

  /** Ends a session (sign-out); returns it, or undefined when there was none. */
  end(hash: Uint8Array): HeldSession | undefined {
    const sql = this.tables();
    const raw = sql.exec("SELECT device_id, username, signing_key, expires_at, last_seen_at, moved_from, 0 AS revoked FROM sessions WHERE token_hash = ?", hash).toArray()[0];
    sql.exec("DELETE FROM sessions WHERE token_hash = ?", hash);
    if (!raw) return undefined;
    const r = sessionRow.parse(raw);
    return { deviceId: r.device_id as DeviceId, username: r.username, signingKey: r.signing_key, expiresAt: r.expires_at, movedFrom: r.moved_from };
  }

  /** Whether the device was revoked here. */
  isRevoked(deviceId: DeviceId): boolean {
    return this.tables().exec("SELECT 1 FROM revoked_devices WHERE device_id = ?", deviceId).toArray().length > 0;
  }

  /**
   * Marks devices revoked (for good: a device id is never active again) and deletes their sessions.
   * Called before D1's rows change, so from this moment on they are refused.
   */
  revoke(deviceIds: readonly DeviceId[]): void {
    const sql = this.tables();
    for (const d of deviceIds) {
      sql.exec("INSERT OR IGNORE INTO revoked_devices (device_id) VALUES (?)", d);
      sql.exec("DELETE FROM sessions WHERE device_id = ?", d);
    }
  }
}
