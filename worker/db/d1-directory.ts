// The directory over D1: usernames and account ids from the accounts table (worker/db/accounts.ts).
import type { Directory } from "../storage/directory.js";
import { findAccount, findAccountByUsername } from "./accounts.js";

export function d1Directory(db: D1Database): Directory {
  return {
    findByUsername: (username) => findAccountByUsername(db, username),
    findById: (accountId) => findAccount(db, accountId),
  };
}
