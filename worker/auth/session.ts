import type { AccountId, DeviceId } from "../../protocol/ids.js";

/** Who a request is from, once its session cookie checked out. */
export interface Session {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly username: string;
  /** SHA-256 of the cookie's token: the sessions row key. */
  readonly tokenHash: Uint8Array;
}

/** 30 days: long enough that a daily user never logs in again, bounded so a lost cookie dies. */
export const SESSION_LIFETIME_MS = 30 * 24 * 60 * 60 * 1000;
/** Login challenges live 2 minutes: a login is one round trip, not a stored credential. */
export const NONCE_LIFETIME_MS = 2 * 60 * 1000;
