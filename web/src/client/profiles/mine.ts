import {
  bytesEqual,
  decodeProfileBlob,
  fromBase64url,
  isProtocolError,
  normalizeDisplayName,
  openProfile,
  profileDigest,
  profileKey,
  sealProfile,
  type ConversationId,
  type Profile,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { shareProfile } from "../conversations/messages.js";
import { ClientError } from "../errors.js";
import { getAccount, getContact, getGroup, listConversations } from "../store/db.js";
import type { AccountRow } from "../store/rows.js";
import { getProfileRow, putProfileRow } from "./profile-store.js";

/**
 * This account's own profile (docs/PROTOCOL.md "Profile"): sealed under the profile key of the current
 * AHK generation, stored on the server, then announced (kind 9) in every conversation this account can
 * send in. The server must take the blob first (so every receiver can fetch what the message names):
 * offline, setting a profile fails with the network error and nothing changes.
 */

function historyKeyOf(account: AccountRow) {
  return { historyKey: account.historyKey, historyPublic: account.historyPublic, generation: account.historyGeneration };
}

/** The display name as it will be stored; invalid_display_name when it cannot be one. */
export function checkDisplayName(name: string): string {
  try {
    return normalizeDisplayName(name);
  } catch (e) {
    if (isProtocolError(e)) throw new ClientError("invalid_display_name", e.message, { cause: e });
    throw e;
  }
}

/** Seals, stores and announces this account's profile. Returns the conversations it could not be sent into. */
export async function setMyProfile(ctx: ClientContext, p: Profile): Promise<ConversationId[]> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  const profile: Profile = { name: checkDisplayName(p.name), ...(p.avatar ? { avatar: p.avatar } : {}) };
  const pk = await profileKey(ctx.env, historyKeyOf(account), account.accountId);
  const sealed = await sealProfile(ctx.env, pk, account.accountId, profile);
  const digest = await profileDigest(ctx.env, sealed);
  await ctx.api.putProfile(sealed);
  await putProfileRow(ctx.db, {
    accountId: account.accountId,
    generation: pk.generation,
    key: pk.key,
    digest,
    sentAt: ctx.now(),
    openedDigest: digest,
    name: profile.name,
    ...(profile.avatar ? { avatar: profile.avatar } : {}),
  });
  return announceEverywhere(ctx, account);
}

/** Sends the current profile into every conversation this account can send in; returns those that failed. */
async function announceEverywhere(ctx: ClientContext, account: AccountRow): Promise<ConversationId[]> {
  const failed: ConversationId[] = [];
  for (const c of await listConversations(ctx.db)) {
    if (c.kind === "direct") {
      if ((await getContact(ctx.db, c.peer))?.status !== "verified") continue;
    } else {
      const g = await getGroup(ctx.db, c.id);
      if (!g || g.refusedAt !== undefined || !g.members.some((m) => m.accountId === account.accountId)) continue;
    }
    try {
      await shareProfile(ctx, c.id);
    } catch (e) {
      console.warn(`could not send the profile into ${c.id}:`, e);
      failed.push(c.id);
    }
  }
  return failed;
}

/**
 * Fills in this account's own profile on a device that has none yet (a device linked or restored before
 * any profile message reached it): the blob the server holds, opened with the key this device derives
 * itself. Only this account's devices can seal under that key, so the server can at most serve an older
 * one of them; a profile message of this account, once received, replaces it.
 */
export async function loadMyProfile(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  if (!account || (await getProfileRow(ctx.db, account.accountId))) return;
  const stored = (await ctx.api.profile(account.accountId)).sealed;
  if (stored === null) return;
  const sealed = fromBase64url(stored);
  const pk = await profileKey(ctx.env, historyKeyOf(account), account.accountId);
  const decoded = decodeProfileBlob(sealed);
  if (decoded.generation !== pk.generation) return;
  const p = await openProfile(ctx.env, decoded, pk, account.accountId);
  const digest = await profileDigest(ctx.env, sealed);
  await ctx.db.transaction("rw", ctx.db.profiles, async () => {
    const now = await getProfileRow(ctx.db, account.accountId);
    if (now && !bytesEqual(now.digest, digest)) return;
    await putProfileRow(ctx.db, { accountId: account.accountId, generation: pk.generation, key: pk.key, digest, sentAt: 0, openedDigest: digest, name: p.name, ...(p.avatar ? { avatar: p.avatar } : {}) });
  });
}

/**
 * Seals this account's profile again under the current AHK generation when the one this device holds was
 * sealed under an older one (the generation moves when a device is removed: the removed device keeps the
 * old profile key, so what is saved from now on must not open with it). Returns whether it did.
 */
export async function resealIfGenerationMoved(ctx: ClientContext): Promise<boolean> {
  const account = await getAccount(ctx.db);
  if (!account) return false;
  const mine = await getProfileRow(ctx.db, account.accountId);
  if (!mine?.name || !mine.openedDigest || mine.generation >= account.historyGeneration) return false;
  await setMyProfile(ctx, { name: mine.name, ...(mine.avatar ? { avatar: mine.avatar } : {}) });
  return true;
}
