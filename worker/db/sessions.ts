import { z } from "zod";
import { accountIdSchema, deviceIdSchema, usernameSchema } from "../../protocol/api.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import type { NewSession, Session } from "../storage/session-store.js";
import { blob, int, parseRow } from "./rows.js";

/** last_seen_at (of the session and of its device) is refreshed at most this often, so reads do not each cost a write. */
const TOUCH_INTERVAL_MS = 60_000;

/** Marks the device as seen now, unless it was seen within TOUCH_INTERVAL_MS (GET /api/devices shows it). */
function touchDevice(db: D1Database, deviceId: DeviceId, now: number): D1PreparedStatement {
  return db.prepare("UPDATE devices SET last_seen_at = ?2 WHERE device_id = ?1 AND (last_seen_at IS NULL OR last_seen_at <= ?2 - ?3)").bind(deviceId, now, TOUCH_INTERVAL_MS);
}

export async function insertSession(
  db: D1Database,
  s: NewSession,
): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM sessions WHERE expires_at <= ?1").bind(s.now),
    db
      .prepare("INSERT INTO sessions (token_hash, account_id, device_id, created_at, expires_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?4)")
      .bind(s.tokenHash, s.accountId, s.deviceId, s.now, s.expiresAt),
    touchDevice(db, s.deviceId, s.now),
  ]);
}

const sessionRow = z.object({ account_id: accountIdSchema, device_id: deviceIdSchema, username: usernameSchema, last_seen_at: int, signing_key: blob, expires_at: int });

/**
 * The live session for a token hash: unexpired, and its device not revoked (the join is what makes a
 * revoked device's sessions die with it, without having to find and delete them).
 */
export async function findSession(db: D1Database, tokenHash: Uint8Array, now: number): Promise<Session | undefined> {
  const row = await db
    .prepare(
      `SELECT s.account_id, s.device_id, a.username, s.last_seen_at, d.signing_key, s.expires_at
         FROM sessions s
         JOIN devices d ON d.device_id = s.device_id AND d.account_id = s.account_id AND d.revoked_at IS NULL
         JOIN accounts a ON a.id = s.account_id
        WHERE s.token_hash = ?1 AND s.expires_at > ?2`,
    )
    .bind(tokenHash, now)
    .first();
  if (!row) return undefined;
  const r = parseRow(sessionRow, "sessions", row);
  if (now - r.last_seen_at > TOUCH_INTERVAL_MS) {
    await db.batch([db.prepare("UPDATE sessions SET last_seen_at = ?2 WHERE token_hash = ?1").bind(tokenHash, now), touchDevice(db, r.device_id, now)]);
  }
  return { accountId: r.account_id, deviceId: r.device_id, username: r.username, signingKey: r.signing_key, tokenHash, expiresAt: r.expires_at };
}

export async function deleteSession(db: D1Database, tokenHash: Uint8Array): Promise<void> {
  await db.prepare("DELETE FROM sessions WHERE token_hash = ?1").bind(tokenHash).run();
}

/** Marks the device seen now, unless it was within the last minute (for sessions checked outside D1). */
export async function touchDeviceSeen(db: D1Database, deviceId: DeviceId, now: number): Promise<void> {
  await touchDevice(db, deviceId, now).run();
}

export async function expireSessionBy(db: D1Database, tokenHash: Uint8Array, at: number): Promise<void> {
  await db.prepare("UPDATE sessions SET expires_at = MIN(expires_at, ?2) WHERE token_hash = ?1").bind(tokenHash, at).run();
}
