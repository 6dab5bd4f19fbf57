import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { parseRow, parseRows } from "../store/rows.js";
import type { SealedDb } from "../store/db.js";
import { profileRow, profileShareRow, type ProfileRow, type ProfileShareRow } from "./profile-rows.js";

// Typed, parsed reads and writes of the profile tables (store/db.ts version 13).

export async function getProfileRow(db: SealedDb, accountId: AccountId): Promise<ProfileRow | undefined> {
  const r = await db.profiles.get(accountId);
  return r === undefined ? undefined : parseRow(profileRow, "profiles", r);
}

export async function putProfileRow(db: SealedDb, row: ProfileRow): Promise<void> {
  await db.profiles.put(parseRow(profileRow, "profiles", row));
}

export async function listProfileRows(db: SealedDb): Promise<ProfileRow[]> {
  return parseRows(profileRow, "profiles", await db.profiles.toArray());
}

export async function getProfileShare(db: SealedDb, conversationId: ConversationId): Promise<ProfileShareRow | undefined> {
  const r = await db.profileShares.get(conversationId);
  return r === undefined ? undefined : parseRow(profileShareRow, "profileShares", r);
}

export async function putProfileShare(db: SealedDb, row: ProfileShareRow): Promise<void> {
  await db.profileShares.put(parseRow(profileShareRow, "profileShares", row));
}
