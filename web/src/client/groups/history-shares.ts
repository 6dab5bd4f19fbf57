import {
  createHistoryShare,
  decodeBundle,
  decodeHistoryShare,
  fromBase64url,
  openArchivedKey,
  openHistoryShare,
  verifyBundle,
  type AccountState,
  type ConversationId,
  type EpochBundle,
  type HistoryShare,
  type Key,
  type OpenBundleParams,
} from "../../../../protocol/index.js";
import { historyKeyFor } from "../conversations/archive.js";
import type { ClientContext } from "../context.js";
import { getAccount, listEpochs } from "../store/db.js";
import { ClientError } from "../errors.js";
import { stateOf } from "../identity/logs.js";
import type { AccountRow, EpochRow } from "../store/rows.js";

/**
 * History for new members (issue 7): with the group's "history for new members" on, the admin who adds
 * someone seals the keys of the earlier epochs to the newcomer's account history key, posted with the
 * add entry. A shared key counts only if it matches the original bundle's signed commitment, so a
 * sharer can give access to real history but never plant a key.
 */

/** Opens an epoch from before this account joined with a key shared to it; `history_not_shared` if none was. */
export async function openShared(ctx: ClientContext, id: ConversationId, account: AccountRow, bytes: Uint8Array, params: OpenBundleParams): Promise<{ bundle: EpochBundle; ck: Key }> {
  const bundle = await verifyBundle(ctx.env, bytes, params);
  const res = await ctx.api.historyShares(id);
  for (const encoded of res.shares) {
    const share = decodeHistoryShare(fromBase64url(encoded));
    if (share.epoch !== bundle.epoch || share.wrap.accountId !== account.accountId) continue;
    const historyKey = await historyKeyFor(ctx, account, await stateOf(ctx, account.accountId), share.wrap.generation);
    return { bundle, ck: await openHistoryShare(ctx.env, bundle, share, { accountId: account.accountId, generation: share.wrap.generation, historyKey }) };
  }
  throw new ClientError("history_not_shared", `epoch ${bundle.epoch} is from before you joined and its key was not shared`);
}

/** An extractable copy of a stored epoch's CK, opened again from this account's archive (or share) to reseal it. */
async function extractableCk(ctx: ClientContext, account: AccountRow, own: AccountState, row: EpochRow, shares: () => Promise<readonly HistoryShare[]>): Promise<Key> {
  const bundle = decodeBundle(row.bundle);
  const wrap = bundle.historyWraps.find((w) => w.accountId === account.accountId);
  if (wrap) return openArchivedKey(ctx.env, bundle, { accountId: account.accountId, generation: wrap.generation, historyKey: await historyKeyFor(ctx, account, own, wrap.generation) }, true);
  for (const share of await shares()) {
    if (share.epoch !== bundle.epoch || share.wrap.accountId !== account.accountId) continue;
    const historyKey = await historyKeyFor(ctx, account, own, share.wrap.generation);
    return openHistoryShare(ctx.env, bundle, share, { accountId: account.accountId, generation: share.wrap.generation, historyKey }, true);
  }
  throw new ClientError("history_not_shared", `this device cannot share epoch ${bundle.epoch}: its key was never shared with this account`);
}

/**
 * The shares for a new member: every stored epoch's key this account can open, sealed to the newcomer's
 * current history key. An epoch this account itself never received (it joined later without history)
 * is left out.
 */
export async function makeHistoryShares(ctx: ClientContext, id: ConversationId, newcomer: AccountState): Promise<Uint8Array[]> {
  const account = await getAccount(ctx.db);
  if (!account) throw new ClientError("not_signed_up", "this device has no account yet");
  const own = await stateOf(ctx, account.accountId);
  let mine: Promise<HistoryShare[]> | undefined;
  const sharedWithMe = () => (mine ??= ctx.api.historyShares(id).then((r) => r.shares.map((s) => decodeHistoryShare(fromBase64url(s)))));
  const shares: Uint8Array[] = [];
  for (const row of await listEpochs(ctx.db, id)) {
    let ck: Key;
    try {
      ck = await extractableCk(ctx, account, own, row, sharedWithMe);
    } catch (e) {
      console.warn(`epoch ${row.epoch} is not shared:`, e);
      continue;
    }
    shares.push(await createHistoryShare(ctx.env, ck, decodeBundle(row.bundle), { accountId: newcomer.accountId, generation: newcomer.history.generation, historyKey: newcomer.history.publicKey }));
  }
  return shares;
}
