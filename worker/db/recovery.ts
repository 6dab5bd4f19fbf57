import { z } from "zod";
import type { AccountId } from "../../protocol/ids.js";
import type { PassphraseBackoff } from "../storage/recovery-store.js";
import { blob, int, parseRow } from "./rows.js";

/** Recovery rows (migration 0003): the newest recovery blob, the passphrase blob and the account's last recovery. */

const blobRow = z.object({ counter: int, blob });
const passphraseRow = z.object({ blob, token_hash: blob });
const lastUsedRow = z.object({ recovery_last_used_at: int.nullable() });

export async function findRecoveryBlob(db: D1Database, accountId: AccountId): Promise<{ counter: number; blob: Uint8Array } | undefined> {
  const row = await db.prepare("SELECT counter, blob FROM recovery_blobs WHERE account_id = ?1").bind(accountId).first();
  return row ? parseRow(blobRow, "recovery_blobs", row) : undefined;
}

/**
 * Stores the blob only if its counter is above the stored one, in one statement so two devices
 * re-sealing at once cannot move the counter backwards. False when the stored counter is not lower.
 */
export async function putRecoveryBlob(db: D1Database, accountId: AccountId, counter: number, bytes: Uint8Array, now: number): Promise<boolean> {
  const res = await db
    .prepare(
      "INSERT INTO recovery_blobs (account_id, counter, blob, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id) DO UPDATE SET counter = excluded.counter, blob = excluded.blob, updated_at = excluded.updated_at WHERE excluded.counter > recovery_blobs.counter",
    )
    .bind(accountId, counter, bytes, now)
    .run();
  return res.meta.changes > 0;
}

export async function findPassphraseBlob(db: D1Database, accountId: AccountId): Promise<{ blob: Uint8Array; tokenHash: Uint8Array } | undefined> {
  const row = await db.prepare("SELECT blob, token_hash FROM passphrase_blobs WHERE account_id = ?1").bind(accountId).first();
  if (!row) return undefined;
  const r = parseRow(passphraseRow, "passphrase_blobs", row);
  return { blob: r.blob, tokenHash: r.token_hash };
}

/** A new passphrase replaces the old one and forgets every failure counted against the old one. */
export async function putPassphraseBlob(db: D1Database, accountId: AccountId, bytes: Uint8Array, tokenHash: Uint8Array, now: number): Promise<void> {
  await db.batch([
    db
      .prepare("INSERT INTO passphrase_blobs (account_id, blob, token_hash, updated_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (account_id) DO UPDATE SET blob = excluded.blob, token_hash = excluded.token_hash, updated_at = excluded.updated_at")
      .bind(accountId, bytes, tokenHash, now),
    db.prepare("DELETE FROM passphrase_failures WHERE account_id = ?1").bind(accountId),
    db.prepare("DELETE FROM passphrase_budget WHERE account_id = ?1").bind(accountId),
  ]);
}

export async function deletePassphraseBlob(db: D1Database, accountId: AccountId): Promise<void> {
  await db.batch([
    db.prepare("DELETE FROM passphrase_blobs WHERE account_id = ?1").bind(accountId),
    db.prepare("DELETE FROM passphrase_failures WHERE account_id = ?1").bind(accountId),
    db.prepare("DELETE FROM passphrase_budget WHERE account_id = ?1").bind(accountId),
  ]);
}

export async function recoveryLastUsedAt(db: D1Database, accountId: AccountId): Promise<number | null> {
  const row = await db.prepare("SELECT recovery_last_used_at FROM accounts WHERE id = ?1").bind(accountId).first();
  return row ? parseRow(lastUsedRow, "accounts", row).recovery_last_used_at : null;
}

export async function markRecoveryUsed(db: D1Database, accountId: AccountId, now: number): Promise<void> {
  await db.prepare("UPDATE accounts SET recovery_last_used_at = ?2 WHERE id = ?1").bind(accountId, now).run();
}

const failureRow = z.object({ failures: int.nonnegative(), last_failure_at: int });

export async function findPassphraseFailures(db: D1Database, accountId: AccountId, client: string): Promise<{ failures: number; lastFailureAt: number } | undefined> {
  const row = await db.prepare("SELECT failures, last_failure_at FROM passphrase_failures WHERE account_id = ?1 AND client = ?2").bind(accountId, client).first();
  if (!row) return undefined;
  const r = parseRow(failureRow, "passphrase_failures", row);
  return { failures: r.failures, lastFailureAt: r.last_failure_at };
}

/**
 * Claims one passphrase attempt for (account, client) in a single statement, so concurrent guesses cannot
 * all read the count before any raises it: the attempt is counted as a failure at once (cleared when the
 * token turns out right) and only if the back-off allows a try now, that is, fewer than `freeTries`
 * failures so far, or `delayMs(failures)` passed since the last. The delay is computed in SQL by the same
 * formula as passphraseDelayMs (min(base * 2^min(failures - free, 20), max)). Returns the stored count
 * after the claim, or undefined when refused.
 */
export async function claimPassphraseAttempt(
  db: D1Database,
  accountId: AccountId,
  client: string,
  now: number,
  backoff: PassphraseBackoff,
): Promise<number | undefined> {
  const row = await db
    .prepare(
      `INSERT INTO passphrase_failures (account_id, client, failures, last_failure_at) VALUES (?1, ?2, 1, ?3)
       ON CONFLICT (account_id, client) DO UPDATE SET failures = failures + 1, last_failure_at = excluded.last_failure_at
        WHERE failures < ?4 OR last_failure_at + MIN(?5 * (1 << MIN(failures - ?4, 20)), ?6) <= excluded.last_failure_at
       RETURNING failures`,
    )
    .bind(accountId, client, now, backoff.freeTries, backoff.baseDelayMs, backoff.maxDelayMs)
    .first();
  return row ? parseRow(z.object({ failures: int.positive() }), "passphrase_failures", row).failures : undefined;
}

const budgetRow = z.object({ attempts: int.positive() });

/**
 * Claims one attempt of the account's daily budget (all client addresses together) in one statement; a
 * new UTC `day` starts the count over. Returns the attempts counted today, or undefined when `limit` were
 * already used.
 */
export async function claimPassphraseBudget(db: D1Database, accountId: AccountId, day: number, limit: number): Promise<number | undefined> {
  const row = await db
    .prepare(
      `INSERT INTO passphrase_budget (account_id, day, attempts) VALUES (?1, ?2, 1)
       ON CONFLICT (account_id) DO UPDATE SET attempts = CASE WHEN day = excluded.day THEN attempts + 1 ELSE 1 END, day = excluded.day
        WHERE day <> excluded.day OR attempts < ?3
       RETURNING attempts`,
    )
    .bind(accountId, day, limit)
    .first();
  return row ? parseRow(budgetRow, "passphrase_budget", row).attempts : undefined;
}

/** Gives back today's attempt of a right passphrase: only wrong guesses use up the budget. */
export async function refundPassphraseBudget(db: D1Database, accountId: AccountId, day: number): Promise<void> {
  await db.prepare("UPDATE passphrase_budget SET attempts = attempts - 1 WHERE account_id = ?1 AND day = ?2 AND attempts > 0").bind(accountId, day).run();
}

export async function clearPassphraseFailures(db: D1Database, accountId: AccountId, client: string): Promise<void> {
  await db.prepare("DELETE FROM passphrase_failures WHERE account_id = ?1 AND client = ?2").bind(accountId, client).run();
}
