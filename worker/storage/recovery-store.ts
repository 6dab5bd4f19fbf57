// The recovery store owns an account's recovery state: the newest recovery blob (with its counter), the
// passphrase blob with the hash of its access token, the count of wrong passphrase tries per client
// address, and when the account last recovered. Today D1 tables (worker/db/d1-recovery-store.ts).
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
  /** Counts one wrong token and returns the new total. */
  countFailure(accountId: AccountId, client: string, now: number): Promise<number>;
  clearFailures(accountId: AccountId, client: string): Promise<void>;
}
