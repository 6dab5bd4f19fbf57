// The recovery store over D1: recovery_blobs, passphrase_blobs, passphrase_failures, passphrase_budget and the accounts
// table's recovery_last_used_at (recovery.ts).
import type { RecoveryStore } from "../storage/recovery-store.js";
import {
  claimPassphraseAttempt,
  claimPassphraseBudget,
  clearPassphraseFailures,
  deletePassphraseBlob,
  findPassphraseBlob,
  findPassphraseFailures,
  findRecoveryBlob,
  markRecoveryUsed,
  putPassphraseBlob,
  putRecoveryBlob,
  recoveryLastUsedAt,
  refundPassphraseBudget,
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
    claimAttempt: (accountId, client, now, backoff) => claimPassphraseAttempt(db, accountId, client, now, backoff),
    claimDailyBudget: (accountId, day, limit) => claimPassphraseBudget(db, accountId, day, limit),
    refundDailyBudget: (accountId, day) => refundPassphraseBudget(db, accountId, day),
    clearFailures: (accountId, client) => clearPassphraseFailures(db, accountId, client),
  };
}
