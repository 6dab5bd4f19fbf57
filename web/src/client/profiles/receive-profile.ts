import {
  bytesEqual,
  decodeProfileBlob,
  fromBase64url,
  isProtocolError,
  openProfile,
  profileDigest,
  toHex,
  type AccountId,
  type KnownContent,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import type { SealedDb } from "../store/db.js";
import { isApiError } from "../transport/api.js";
import { withLock } from "../store/lock.js";
import { getProfileRow, listProfileRows, putProfileRow } from "./profile-store.js";
import type { ProfileRow } from "./profile-rows.js";

type ProfileContent = Extract<KnownContent, { kind: "profile" }>;

/**
 * Receiving profiles (docs/PROTOCOL.md "Profile", "Applying a profile"). A kind 9 message names the
 * profile key and blob digest of its SENDER's account (the envelope's signed sender, so no account can
 * speak for another's profile); the newest by send time wins. Runs inside receive.ts's commit transaction
 * (the profiles table is in it), so it only writes the row; fetchProfiles opens the blob afterwards.
 * Returns whether the row now names a blob not yet opened.
 */
export async function noteProfileMessage(db: SealedDb, sender: AccountId, body: ProfileContent): Promise<boolean> {
  const row = await getProfileRow(db, sender);
  if (row && (row.sentAt > body.sentAt || bytesEqual(row.digest, body.digest))) return false;
  const { openedDigest, name, avatar } = row ?? {};
  await putProfileRow(db, {
    accountId: sender,
    generation: body.generation,
    key: body.key,
    digest: body.digest,
    sentAt: body.sentAt,
    ...(openedDigest ? { openedDigest } : {}),
    ...(name !== undefined ? { name } : {}),
    ...(avatar ? { avatar } : {}),
  });
  return true;
}

/** Whether a row names a blob that was not opened yet (and not refused for that digest). */
function pending(r: ProfileRow): boolean {
  return !(r.openedDigest && bytesEqual(r.openedDigest, r.digest)) && r.problem === undefined;
}

/**
 * Fetches and opens every profile blob named but not yet opened. A blob is accepted only when its digest
 * is the one the account's newest kind 9 message names AND it opens with that message's key under that
 * generation for that account: a server serving an older blob, another account's, or garbage is refused
 * (the name shown stays the last one accepted; the refusal is kept so it is not fetched in a loop, and
 * a later kind 9 message clears it). Network and server faults are left for the next pass.
 */
export function fetchProfiles(ctx: ClientContext, only?: AccountId): Promise<number> {
  return withLock("profiles-fetch", async () => {
    let opened = 0;
    for (const r of await listProfileRows(ctx.db)) {
      if ((only && r.accountId !== only) || !pending(r)) continue;
      const outcome = await fetchOne(ctx, r);
      if (outcome === "retry") continue;
      // Written only if the row still names the digest fetched (a newer message may have come meanwhile).
      await ctx.db.transaction("rw", ctx.db.profiles, async () => {
        const now = await getProfileRow(ctx.db, r.accountId);
        if (!now || !bytesEqual(now.digest, r.digest)) return;
        if ("problem" in outcome) {
          console.warn(`profile of ${r.accountId} refused: ${outcome.problem}`);
          await putProfileRow(ctx.db, { ...now, problem: outcome.problem });
          return;
        }
        const { avatar: _old, ...rest } = now;
        await putProfileRow(ctx.db, { ...rest, openedDigest: r.digest, name: outcome.name, ...(outcome.avatar ? { avatar: outcome.avatar } : {}) });
        opened++;
      });
    }
    return opened;
  });
}

async function fetchOne(ctx: ClientContext, r: ProfileRow): Promise<"retry" | { problem: string } | { name: string; avatar?: Uint8Array }> {
  let stored: string | null;
  try {
    stored = (await ctx.api.profile(r.accountId)).sealed;
  } catch (e) {
    if (isApiError(e) && (e.code === "network" || e.status >= 500 || e.status === 401)) return "retry";
    return { problem: e instanceof Error ? e.message : String(e) };
  }
  if (stored === null) return { problem: "the server has no profile for this account" };
  const sealed = fromBase64url(stored);
  const digest = await profileDigest(ctx.env, sealed);
  if (!bytesEqual(digest, r.digest)) return { problem: `the server served a profile of digest ${toHex(digest).slice(0, 16)}, not the one the account's newest message names` };
  try {
    const p = await openProfile(ctx.env, decodeProfileBlob(sealed), { generation: r.generation, key: r.key }, r.accountId);
    return p.avatar ? { name: p.name, avatar: p.avatar } : { name: p.name };
  } catch (e) {
    if (isProtocolError(e)) return { problem: `the profile does not open: ${e.message}` };
    throw e;
  }
}
