/**
 * How long a (account, client address) pair waits before its next passphrase try, after `failures`
 * wrong ones: free for the first 3, then 2^(failures-3) x 5 s after the last failure, capped at an hour
 * so nobody, the owner included, is ever locked out for good.
 */
export const FREE_PASSPHRASE_TRIES = 3;
export const PASSPHRASE_BASE_DELAY_MS = 5_000;
export const PASSPHRASE_MAX_DELAY_MS = 60 * 60 * 1000;

export function passphraseDelayMs(failures: number): number {
  if (failures < FREE_PASSPHRASE_TRIES) return 0;
  const exponent = Math.min(failures - FREE_PASSPHRASE_TRIES, 20);
  return Math.min(PASSPHRASE_BASE_DELAY_MS * 2 ** exponent, PASSPHRASE_MAX_DELAY_MS);
}

/**
 * Passphrase tries per account per UTC day, from all addresses together: the per-address back-off alone
 * does not bound guesses spread over many addresses. 100 a day is 36,500 a year against a passphrase of
 * about 70 bits. Right passphrases are given back, so only wrong guesses use it up; a stranger can use it
 * up for a day (the recovery key and the key file still work), never for longer.
 */
export const PASSPHRASE_DAILY_BUDGET = 100;
