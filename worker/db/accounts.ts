import { z } from "zod";
import { accountIdSchema, usernameSchema } from "../../protocol/api.js";
import type { AccountId } from "../../protocol/ids.js";
import type { CreateAccountResult, NewAccount } from "../storage/account-store.js";
import type { DirectoryEntry } from "../storage/directory.js";
import { blob, int, isUniqueViolation, parseRow, parseRows } from "./rows.js";

const accountRow = z.object({ id: accountIdSchema, username: usernameSchema });

/** Account, genesis entry and first device in one transaction: all three exist or none does. */
export async function insertAccount(db: D1Database, a: NewAccount): Promise<CreateAccountResult> {
  try {
    await db.batch([
      db.prepare("INSERT INTO accounts (id, username, created_at) VALUES (?1, ?2, ?3)").bind(a.accountId, a.username, a.createdAt),
      db.prepare("INSERT INTO log_entries (account_id, seq, entry) VALUES (?1, 0, ?2)").bind(a.accountId, a.genesis),
      db
        .prepare("INSERT INTO devices (device_id, account_id, signing_key, box_key, added_seq, revoked_at, created_at) VALUES (?1, ?2, ?3, ?4, 0, NULL, ?5)")
        .bind(a.device.deviceId, a.accountId, a.device.signingKey, a.device.boxKey, a.createdAt),
    ]);
    return "created";
  } catch (e) {
    // The account id is the genesis hash, and the genesis holds the username: a repeated genesis
    // collides on the username first.
    if (isUniqueViolation(e, "accounts.username") || isUniqueViolation(e, "accounts.id")) return "username_taken";
    if (isUniqueViolation(e, "devices.device_id")) return "device_exists";
    throw e;
  }
}

export async function findAccountByUsername(db: D1Database, username: string): Promise<DirectoryEntry | undefined> {
  const row = await db.prepare("SELECT id, username FROM accounts WHERE username = ?1").bind(username).first();
  return row ? parseRow(accountRow, "accounts", row) : undefined;
}

export async function findAccount(db: D1Database, accountId: AccountId): Promise<DirectoryEntry | undefined> {
  const row = await db.prepare("SELECT id, username FROM accounts WHERE id = ?1").bind(accountId).first();
  return row ? parseRow(accountRow, "accounts", row) : undefined;
}

const logRow = z.object({ seq: int, entry: blob });

/** Every entry of an account's device log, in order. */
export async function readLog(db: D1Database, accountId: AccountId): Promise<Uint8Array[]> {
  const { results } = await db.prepare("SELECT seq, entry FROM log_entries WHERE account_id = ?1 ORDER BY seq").bind(accountId).all();
  return parseRows(logRow, "log_entries", results).map((r) => r.entry);
}
