/**
 * Keeping local data, and noticing when the browser did not. IndexedDB holds the device's keys: if the
 * browser evicts it, this device can no longer read its history. A marker in localStorage (a separate
 * store that Chromium's quota eviction does not clear) remembers that an account was set up here, so
 * its loss can be told apart from a first visit.
 */

const MARKER = "sealed.installed";

/** Records that this browser holds `accountId` (after sign-up, and on every start with an account). */
export function markInstalled(accountId: string): void {
  try {
    localStorage.setItem(MARKER, accountId);
  } catch {
    // Storage disabled: eviction just can't be told apart from a first visit.
  }
}

/** The account this browser was set up with, if the marker survives. */
export function installedAccount(): string | undefined {
  try {
    return localStorage.getItem(MARKER) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Forgets the marker (the user chose to start over after an eviction). */
export function clearInstalled(): void {
  try {
    localStorage.removeItem(MARKER);
  } catch {
    // Nothing to clear.
  }
}

/**
 * Asks the browser to keep this origin's storage under pressure. Chromium grants it silently for
 * installed or engaged sites and refuses otherwise; a refusal is normal and only logged, since the
 * eviction screen covers the loss.
 */
export async function requestPersistentStorage(): Promise<boolean> {
  try {
    const granted = (await navigator.storage?.persist?.()) ?? false;
    if (!granted) console.info("persistent storage not granted; the browser may clear local data under storage pressure");
    return granted;
  } catch {
    return false;
  }
}
