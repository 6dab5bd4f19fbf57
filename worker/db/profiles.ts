import { z } from "zod";
import type { AccountId } from "../../protocol/ids.js";
import type { StoredProfile } from "../storage/profile-store.js";
import { blob, int, parseRows } from "./rows.js";

// Each account's sealed profile (migration 0011).

const profileRow = z.object({ sealed: blob, updated_at: int.nonnegative() });

export async function putProfile(db: D1Database, p: { accountId: AccountId; sealed: Uint8Array; now: number }): Promise<void> {
  await db
    .prepare(
      `INSERT INTO profiles (account_id, sealed, updated_at) VALUES (?1, ?2, ?3)
       ON CONFLICT (account_id) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at`,
    )
    .bind(p.accountId, p.sealed, p.now)
    .run();
}

export async function getProfile(db: D1Database, accountId: AccountId): Promise<StoredProfile | undefined> {
  const { results } = await db.prepare("SELECT sealed, updated_at FROM profiles WHERE account_id = ?1").bind(accountId).all();
  const row = parseRows(profileRow, "profiles", results)[0];
  return row ? { sealed: row.sealed, updatedAt: row.updated_at } : undefined;
}
