// The session store owns login sessions (one per logged-in device, keyed by the SHA-256 of the cookie's
// token) and login challenges (single-use nonces). Today both are D1 tables (worker/db/d1-session-store.ts);
// a later engine may keep them in the account's own object.
import type { AccountId, DeviceId } from "../../protocol/ids.js";

/** Who a request is from, once its session cookie checked out. */
export interface Session {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly username: string;
  /**
   * The device's Ed25519 public key, read with the session (the same query checks the device is not
   * revoked): routes that check what the device signed need no second read of the device.
   */
  readonly signingKey: Uint8Array;
  /** The hash its store keys it by: SHA-256 of a first-form token, or of a second form's label, account and secret. */
  readonly tokenHash: Uint8Array;
  /** When it ends (ms since the epoch). */
  readonly expiresAt: number;
}

/** A login challenge as issued: what it was for, and until when (ms since the epoch). */
export interface LoginNonce {
  readonly nonce: Uint8Array;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly expiresAt: number;
}

export interface NewSession {
  readonly tokenHash: Uint8Array;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly now: number;
  readonly expiresAt: number;
}

export interface SessionStore {
  /**
   * True when new sessions live in their account's hub (second-form tokens, worker/auth/hub-session.ts)
   * and first-form ones are moved there on use; false in the D1 layout, whose tokens stay first-form.
   */
  readonly inHub: boolean;
  /** Marks a device seen now unless it was within the last minute (a hub's session checks skip D1). */
  touchDevice(deviceId: DeviceId, now: number): Promise<void>;
  /** Lets a first-form session live at most until `at` (moved to a hub: requests in flight still pass). */
  expireBy(tokenHash: Uint8Array, at: number): Promise<void>;
  /** Stores a session (and marks its device seen); expired sessions are swept on the way. */
  insert(s: NewSession): Promise<void>;
  /**
   * The live session for a token hash: unexpired, and its device not revoked (a revoked device's
   * sessions die with it). Refreshes the session's and the device's last-seen time, at most once a minute.
   */
  find(tokenHash: Uint8Array, now: number): Promise<Session | undefined>;
  delete(tokenHash: Uint8Array): Promise<void>;
  /** Stores a fresh login challenge; expired ones are swept on the way. */
  storeNonce(n: LoginNonce, now: number): Promise<void>;
  /**
   * Deletes the nonce and returns what it was issued for, atomically: two concurrent logins with the
   * same nonce cannot both get it. The caller still checks device and expiry.
   */
  consumeNonce(nonce: Uint8Array): Promise<Omit<LoginNonce, "nonce"> | undefined>;
}

/** A session as the hub keeps it: what the worker's check hands the routes, and when it ends. */
export interface HeldSession {
  readonly deviceId: DeviceId;
  readonly username: string;
  readonly signingKey: Uint8Array;
  readonly expiresAt: number;
  /** The first-form session (D1's token hash) this one replaced, deleted with it on sign-out. */
  readonly movedFrom: Uint8Array | null;
}

/** What `find` answers: the session and whether its device's last-seen mark in D1 is due (a minute passed). */
export interface FoundSession {
  readonly session: HeldSession;
  readonly touch: boolean;
}

/** An account hub's own table of its sessions and revoked devices (worker/db/hub-sessions.ts); the hub is its only writer. */
export interface HubSessionTable {
  /** Stores a session; false (nothing stored) when the device was revoked here. */
  start(hash: Uint8Array, s: HeldSession, now: number): boolean;
  /** The live session of a hash: stored, unexpired, its device not revoked. */
  find(hash: Uint8Array, now: number): FoundSession | undefined;
  /** Ends a session; returns it, or undefined when there was none. */
  end(hash: Uint8Array): HeldSession | undefined;
  /** Whether the device was revoked here. */
  isRevoked(deviceId: DeviceId): boolean;
  /** Marks devices revoked for good and deletes their sessions. */
  revoke(deviceIds: readonly DeviceId[]): void;
}
