// The directory owns the mapping between usernames and account ids: what a lookup by name (adding a
// contact, recovering an account) or by id (a login, an existence check) resolves to. Today it is the D1
// accounts table (worker/db/d1-directory.ts); it stays in D1 when accounts move to objects of their own.
import type { AccountId } from "../../protocol/ids.js";

/** An account as the directory knows it. */
export interface DirectoryEntry {
  readonly id: AccountId;
  readonly username: string;
}

export interface Directory {
  /** `username` must already be lower-case (the canonical form the genesis holds). */
  findByUsername(username: string): Promise<DirectoryEntry | undefined>;
  findById(accountId: AccountId): Promise<DirectoryEntry | undefined>;
}
