// The profile store over D1: the profiles table (profiles.ts).
import type { ProfileStore } from "../storage/profile-store.js";
import { getProfile, putProfile } from "./profiles.js";

export function d1ProfileStore(db: D1Database): ProfileStore {
  return { put: (p) => putProfile(db, p), get: (accountId) => getProfile(db, accountId) };
}
