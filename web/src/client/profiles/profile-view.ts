import { toHex, type AccountId } from "../../../../protocol/index.js";
import type { ProfileRow } from "./profile-rows.js";

/** What the UI shows of a profile: the display name and the avatar as an image URL (data: is allowed by the CSP). */
export interface ProfileView {
  readonly displayName?: string;
  readonly avatarUrl?: string;
}

/** Avatar URLs by the digest of the blob they came from, so a live query does not rebuild 40 KB strings on every run. */
const urls = new Map<string, string>();
const URLS_KEPT = 500;

function avatarUrl(digest: Uint8Array, jpeg: Uint8Array): string {
  const key = toHex(digest);
  let url = urls.get(key);
  if (url === undefined) {
    let bin = "";
    for (let i = 0; i < jpeg.length; i += 0x8000) bin += String.fromCharCode(...jpeg.subarray(i, i + 0x8000));
    url = `data:image/jpeg;base64,${btoa(bin)}`;
    if (urls.size >= URLS_KEPT) urls.clear();
    urls.set(key, url);
  }
  return url;
}

/**
 * Every opened profile of `rows` (listProfileRows), by account: only what was checked against its digest
 * (openedDigest). Synchronous on purpose: a live query loses Dexie's zone through a second level of
 * async calls, and then stops watching the tables it reads after (views.ts).
 */
export function profileViews(rows: readonly ProfileRow[]): ReadonlyMap<AccountId, ProfileView> {
  const out = new Map<AccountId, ProfileView>();
  for (const r of rows) {
    if (r.name === undefined || !r.openedDigest) continue;
    out.set(r.accountId, { displayName: r.name, ...(r.avatar ? { avatarUrl: avatarUrl(r.openedDigest, r.avatar) } : {}) });
  }
  return out;
}
