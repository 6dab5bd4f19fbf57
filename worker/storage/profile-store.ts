// The profile store keeps each account's newest sealed profile (docs/PROTOCOL.md "Profile"): opaque bytes
// to the server. Today a D1 table (worker/db/d1-profile-store.ts).
import type { AccountId } from "../../protocol/ids.js";

export interface StoredProfile {
  readonly sealed: Uint8Array;
  readonly updatedAt: number;
}

export interface ProfileStore {
  /** Replaces the account's sealed profile. */
  put(p: { accountId: AccountId; sealed: Uint8Array; now: number }): Promise<void>;
  /** The account's sealed profile, or undefined when it never stored one. */
  get(accountId: AccountId): Promise<StoredProfile | undefined>;
}
