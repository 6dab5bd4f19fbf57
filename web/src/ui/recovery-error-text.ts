import { msg, str } from "@lit/localize";
import { isRecoveryError } from "../client/index.js";
import { errorText } from "./error-text.js";
import { formatCount, isOne } from "./i18n/intl.js";

const TEXT = (): Record<string, string> => ({
  bad_recovery_key: msg("That isn't a valid recovery key. Check it for typos: it has 32 characters in 8 groups of 4."),
  recovery_key_typo: msg("That recovery key has a typo: one of its characters is wrong. Compare it group by group with the key you saved."),
  wrong_recovery_key: msg("That recovery key doesn't belong to this account (or has been replaced by a newer one). Nothing was changed."),
  wrong_passphrase: msg("That passphrase is wrong. Nothing was changed."),
  no_passphrase: msg("This account has no passphrase. Use your recovery key instead."),
  no_recovery: msg("No account with recovery set up uses that username."),
  weak_kdf: msg("The server offered unsafe passphrase settings, so the passphrase was not used. Use your recovery key instead."),
  bad_key_file: msg("That file isn't a Sealed key file."),
  stale_recovery: msg("The recovery data doesn't match this account's current keys. Try again later or use a newer key file."),
  not_current_key: msg("That isn't this account's current recovery key."),
  stale_device: msg("This device's keys are out of date. Reload the page and try again."),
});

/** Whole minutes (rounded up) or seconds, for "wait N minutes". */
export function waitText(seconds: number): string {
  if (seconds < 60) return isOne(seconds) ? msg("1 second") : msg(str`${formatCount(seconds)} seconds`);
  const minutes = Math.ceil(seconds / 60);
  return isOne(minutes) ? msg("1 minute") : msg(str`${formatCount(minutes)} minutes`);
}

/** Recovery errors as sentences; anything else goes to the app's errorText. */
export function recoveryErrorText(e: unknown): string {
  if (isRecoveryError(e)) {
    if (e.code === "too_many_tries") return msg(str`Too many wrong tries. Wait ${waitText(e.retryAfterSeconds ?? 60)} before trying again.`);
    return TEXT()[e.code] ?? errorText(e);
  }
  return errorText(e);
}
