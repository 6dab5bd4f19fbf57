import { z } from "zod";
import { accountIdSchema, deviceIdSchema } from "../../protocol/api.js";
import type { LoginNonce } from "../storage/session-store.js";
import { int, parseRow } from "./rows.js";

/** Stores a fresh challenge and sweeps expired ones, so unused challenges cannot pile up. */
export async function storeNonce(db: D1Database, n: LoginNonce, now: number): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM login_nonces WHERE expires_at < ?1").bind(now),
    db.prepare("INSERT INTO login_nonces (nonce, account_id, device_id, expires_at) VALUES (?1, ?2, ?3, ?4)").bind(n.nonce, n.accountId, n.deviceId, n.expiresAt),
  ]);
}

const nonceRow = z.object({ account_id: accountIdSchema, device_id: deviceIdSchema, expires_at: int });

/**
 * Deletes the nonce and returns what it was issued for, in one statement: two concurrent logins with
 * the same nonce cannot both get it. The caller still checks device and expiry.
 */
export async function consumeNonce(db: D1Database, nonce: Uint8Array): Promise<Omit<LoginNonce, "nonce"> | undefined> {
  const row = await db.prepare("DELETE FROM login_nonces WHERE nonce = ?1 RETURNING account_id, device_id, expires_at").bind(nonce).first();
  if (!row) return undefined;
  const r = parseRow(nonceRow, "login_nonces", row);
  return { accountId: r.account_id, deviceId: r.device_id, expiresAt: r.expires_at };
}
