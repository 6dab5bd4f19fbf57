// The account store owns what belongs to one account: its device log (append-only, verified by the
// routes before it is stored), the devices table kept in step with that log, and the device-secrets
// packages waiting for its devices. Today these are D1 tables (worker/db/d1-account-store.ts); the next
// engine keeps them in one object per account.
import type { DeviceInfo } from "../../protocol/api.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";

export interface NewAccount {
  readonly accountId: AccountId;
  readonly username: string;
  readonly genesis: Uint8Array;
  readonly device: { readonly deviceId: DeviceId; readonly signingKey: Uint8Array; readonly boxKey: Uint8Array };
  readonly createdAt: number;
}

export type CreateAccountResult = "created" | "username_taken" | "device_exists";

/** A verified entry to store at `seq`, with what it does to the devices table. */
export interface VerifiedAppend {
  readonly accountId: AccountId;
  readonly seq: number;
  readonly entry: Uint8Array;
  readonly now: number;
  /** add-device and recover: the device the entry adds. */
  readonly added?: { readonly deviceId: DeviceId; readonly signingKey: Uint8Array; readonly boxKey: Uint8Array };
  /** revoke: the device the entry removes; reset: every device that was active before it. */
  readonly removed?: readonly DeviceId[];
}

export type AppendEntryResult = "stored" | "position_taken" | "device_exists";

export interface DeviceRecord {
  readonly deviceId: DeviceId;
  readonly accountId: AccountId;
  /** Raw Ed25519 public key: verifies the device's logins, bundles and envelopes. */
  readonly signingKey: Uint8Array;
  readonly revoked: boolean;
}

/** The newest device-secrets package sealed to one device. */
export interface StoredSecrets {
  readonly headSeq: number;
  readonly package: Uint8Array;
}

export interface NewSecrets {
  readonly accountId: AccountId;
  readonly recipient: DeviceId;
  readonly sender: DeviceId;
  readonly headSeq: number;
  readonly package: Uint8Array;
  readonly now: number;
}

export interface AccountStore {
  /**
   * Account (with its username in the directory), genesis entry and first device, atomically: all
   * exist or none does. A repeated genesis collides on the username, so it reports username_taken.
   */
  create(a: NewAccount): Promise<CreateAccountResult>;
  /** Every entry of the account's device log, in order (empty for an unknown account). */
  readLog(accountId: AccountId): Promise<Uint8Array[]>;
  /** The stored entry at `seq`, if any. */
  findLogEntry(accountId: AccountId, seq: number): Promise<Uint8Array | undefined>;
  /**
   * Stores the entry and its effect on the devices atomically. A second entry at a taken position
   * fails (position_taken), so the log can never fork however requests race. A removed device is
   * marked revoked and loses its sessions, pending login challenges and waiting secrets packages.
   */
  appendLogEntry(a: VerifiedAppend): Promise<AppendEntryResult>;
  findDevice(deviceId: DeviceId): Promise<DeviceRecord | undefined>;
  /** Every device of the account, revoked ones included, in the order the log added them. */
  listDevices(accountId: AccountId): Promise<DeviceInfo[]>;
  setSealedName(deviceId: DeviceId, sealedName: Uint8Array): Promise<void>;
  findSecrets(recipient: DeviceId): Promise<StoredSecrets | undefined>;
  /**
   * Stores a package unless one for a later log position is already there (a replay of an older
   * rotation must not replace newer keys); false in that case.
   */
  putSecrets(p: NewSecrets): Promise<boolean>;
}
