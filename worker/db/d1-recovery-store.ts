// The recovery store over D1: recovery_blobs, passphrase_blobs, passphrase_failures and the accounts
// table's recovery_last_used_at (recovery.ts).
import type { RecoveryStore } from "../storage/recovery-store.js";
import {
  clearPassphraseFailures,
  countPassphraseFailure,
  deletePassphraseBlob,
  findPassphraseBlob,
  findPassphraseFailures,
  findRecoveryBlob,
  markRecoveryUsed,
  putPassphraseBlob,
  putRecoveryBlob,
  recoveryLastUsedAt,
} from "./recovery.js";

export function d1RecoveryStore(db: D1Database): RecoveryStore {
  return {
    findBlob: (accountId) => findRecoveryBlob(db, accountId),
    putBlob: (accountId, counter, blob, now) => putRecoveryBlob(db, accountId, counter, blob, now),
    findPassphrase: (accountId) => findPassphraseBlob(db, accountId),
    putPassphrase: (accountId, blob, tokenHash, now) => putPassphraseBlob(db, accountId, blob, tokenHash, now),
    deletePassphrase: (accountId) => deletePassphraseBlob(db, accountId),
    lastUsedAt: (accountId) => recoveryLastUsedAt(db, accountId),
    markUsed: (accountId, now) => markRecoveryUsed(db, accountId, now),
    findFailures: (accountId, client) => findPassphraseFailures(db, accountId, client),
    countFailure: (accountId, client, now) => countPassphraseFailure(db, accountId, client, now),
    clearFailures: (accountId, client) => clearPassphraseFailures(db, accountId, client),
  };
}
