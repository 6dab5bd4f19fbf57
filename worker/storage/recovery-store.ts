// The recovery store owns an account's recovery state: the newest recovery blob (with its counter), the
// passphrase blob with the hash of its access token, the count of wrong passphrase tries per client
// address and per account and day, and when the account last recovered. Today D1 tables (worker/db/d1-recovery-store.ts).
import type { AccountId } from "../../protocol/ids.js";

export interface RecoveryBlob {
  readonly counter: number;
  readonly blob: Uint8Array;
}

export interface PassphraseBlob {
  readonly blob: Uint8Array;
  /** SHA-256 of the access token that releases the blob. */
  readonly tokenHash: Uint8Array;
}

export interface PassphraseFailures {
  readonly failures: number;
  readonly lastFailureAt: number;
}

/** The per-address back-off: free tries, then base × 2^(failures - free), capped. */
export interface PassphraseBackoff {
  readonly freeTries: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export interface RecoveryStore {
  findBlob(accountId: AccountId): Promise<RecoveryBlob | undefined>;
  /**
   * Stores the blob only if its counter is above the stored one, atomically, so two devices re-sealing
   * at once cannot move the counter backwards. False when the stored counter is not lower.
   */
  putBlob(accountId: AccountId, counter: number, blob: Uint8Array, now: number): Promise<boolean>;
  findPassphrase(accountId: AccountId): Promise<PassphraseBlob | undefined>;
  /** A new passphrase replaces the old one and forgets every failure counted against the old one. */
  putPassphrase(accountId: AccountId, blob: Uint8Array, tokenHash: Uint8Array, now: number): Promise<void>;
  deletePassphrase(accountId: AccountId): Promise<void>;
  /** When the account last recovered (ms since the epoch), or null if never. */
  lastUsedAt(accountId: AccountId): Promise<number | null>;
  markUsed(accountId: AccountId, now: number): Promise<void>;
  findFailures(accountId: AccountId, client: string): Promise<PassphraseFailures | undefined>;
  /**
   * Claims one passphrase try for (account, client) atomically, before the token is judged: it counts as
   * a failure at once (clearFailures takes it back for a right token), and only if the back-off allows a
   * try now (fewer than `freeTries` failures, or the doubling delay passed since the last). Returns the
   * count after the claim, or undefined when refused. Concurrent tries can never all read the old count.
   */
  claimAttempt(accountId: AccountId, client: string, now: number, backoff: PassphraseBackoff): Promise<number | undefined>;
  /**
   * Claims one try of the account's daily budget (all client addresses together), atomically; a new UTC
   * `day` starts over. Returns the tries counted today, or undefined when `limit` were already used.
   */
  claimDailyBudget(accountId: AccountId, day: number, limit: number): Promise<number | undefined>;
  /** Gives a right passphrase's try back: only wrong guesses use up the budget. */
  refundDailyBudget(accountId: AccountId, day: number): Promise<void>;
  clearFailures(accountId: AccountId, client: string): Promise<void>;
}
