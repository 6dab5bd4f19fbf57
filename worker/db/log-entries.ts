import { z } from "zod";
import type { AccountId } from "../../protocol/ids.js";
import type { AppendEntryResult, VerifiedAppend } from "../storage/account-store.js";
import { blob, isUniqueViolation, parseRow } from "./rows.js";

/**
 * Stores the entry and its effect in one transaction. The (account, seq) primary key makes a second
 * entry at a taken position fail, so the log can never fork however requests race. A revoke marks the
 * device revoked (which alone kills its sessions, see findSession) and also deletes its sessions,
 * pending login challenges and waiting secrets packages, so nothing of it is left to use.
 */
export async function appendLogEntry(db: D1Database, a: VerifiedAppend): Promise<AppendEntryResult> {
  const statements = [db.prepare("INSERT INTO log_entries (account_id, seq, entry) VALUES (?1, ?2, ?3)").bind(a.accountId, a.seq, a.entry)];
  if (a.added) {
    statements.push(
      db
        .prepare("INSERT INTO devices (device_id, account_id, signing_key, box_key, added_seq, revoked_at, created_at) VALUES (?1, ?2, ?3, ?4, ?5, NULL, ?6)")
        .bind(a.added.deviceId, a.accountId, a.added.signingKey, a.added.boxKey, a.seq, a.now),
    );
  }
  for (const removed of a.removed ?? []) {
    statements.push(
      db.prepare("UPDATE devices SET revoked_at = ?3 WHERE device_id = ?1 AND account_id = ?2").bind(removed, a.accountId, a.now),
      db.prepare("DELETE FROM sessions WHERE device_id = ?1").bind(removed),
      db.prepare("DELETE FROM login_nonces WHERE device_id = ?1").bind(removed),
      db.prepare("DELETE FROM device_secrets WHERE recipient_device_id = ?1").bind(removed),
    );
  }
  try {
    await db.batch(statements);
    return "stored";
  } catch (e) {
    if (isUniqueViolation(e, "log_entries.")) return "position_taken";
    if (isUniqueViolation(e, "devices.device_id")) return "device_exists";
    throw e;
  }
}

const entryRow = z.object({ entry: blob });

/** The stored entry at `seq`, if any. */
export async function findLogEntry(db: D1Database, accountId: AccountId, seq: number): Promise<Uint8Array | undefined> {
  const row = await db.prepare("SELECT entry FROM log_entries WHERE account_id = ?1 AND seq = ?2").bind(accountId, seq).first();
  return row ? parseRow(entryRow, "log_entries", row).entry : undefined;
}
