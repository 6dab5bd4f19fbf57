// Lifetimes of the credentials a login hands out. (The Session a request carries is a storage type:
// worker/storage/session-store.ts.)

/** 30 days: long enough that a daily user never logs in again, bounded so a lost cookie dies. */
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** Login challenges live 2 minutes: a login is one round trip, not a stored credential. */
export const NONCE_LIFETIME_MS = 2 * 60 * 1000;
