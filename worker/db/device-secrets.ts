import { z } from "zod";
import type { DeviceId } from "../../protocol/ids.js";
import type { NewSecrets, StoredSecrets } from "../storage/account-store.js";
import { blob, int, parseRow } from "./rows.js";

// The newest device-secrets package per recipient device (migration 0004).

const secretsRow = z.object({ head_seq: int.nonnegative(), package: blob });

export async function findSecrets(db: D1Database, recipient: DeviceId): Promise<StoredSecrets | undefined> {
  const row = await db.prepare("SELECT head_seq, package FROM device_secrets WHERE recipient_device_id = ?1").bind(recipient).first();
  if (!row) return undefined;
  const r = parseRow(secretsRow, "device_secrets", row);
  return { headSeq: r.head_seq, package: r.package };
}

/**
 * Stores a package unless one for a later log position is already there (a replay of an older
 * rotation must not replace the newer keys). Returns false in that case.
 */
export async function putSecrets(
  db: D1Database,
  p: NewSecrets,
): Promise<boolean> {
  const res = await db
    .prepare(
      `INSERT INTO device_secrets (recipient_device_id, account_id, head_seq, sender_device_id, package, created_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6)
       ON CONFLICT (recipient_device_id) DO UPDATE SET head_seq = excluded.head_seq, sender_device_id = excluded.sender_device_id,
         package = excluded.package, created_at = excluded.created_at
       WHERE excluded.head_seq >= device_secrets.head_seq`,
    )
    .bind(p.recipient, p.accountId, p.headSeq, p.sender, p.package, p.now)
    .run();
  return res.meta.changes > 0;
}
