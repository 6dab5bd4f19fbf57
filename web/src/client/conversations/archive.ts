import {
  fail,
  openArchivedKey,
  openPreviousHistoryKey,
  verifyBundle,
  type AccountState,
  type EpochBundle,
  type Key,
  type OpenBundleParams,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import type { AccountRow } from "../store/rows.js";

/**
 * The key archive (DESIGN "Key archive"): every bundle wraps its CK to each member's account history key,
 * so a device linked later opens old epochs without any other device's help. A bundle made for an older
 * AHK generation is opened by walking the history chain of one's own verified log back from the newest
 * key (docs/PROTOCOL.md "History chain").
 */

/** The private history key of `generation`, opened from the newest one this device holds. */
export async function historyKeyFor(ctx: ClientContext, account: AccountRow, own: AccountState, generation: number): Promise<Key> {
  if (generation > account.historyGeneration) fail("unknown_head", `history key generation ${generation} is newer than this device's`);
  let key: Key = account.historyKey;
  for (let g = account.historyGeneration; g > generation; g--) {
    const next = own.historyChain.find((h) => h.generation === g);
    if (!next?.sealedPrevious) fail("chain_broken", `history generation ${g} carries no sealed previous key`);
    key = await openPreviousHistoryKey(ctx.env, { accountId: account.accountId, previousGeneration: g - 1, nextGeneration: g, nextPublic: next.publicKey, nextKey: key, sealed: next.sealedPrevious });
  }
  return key;
}

/**
 * Verifies a bundle exactly as a device wrap would be (signature, creator, heads, recipients) and opens
 * its CK from this account's history wrap. The CK counts only if it matches the signed commitment
 * (openArchivedKey checks), never merely because it decrypts.
 */
export async function openFromArchive(
  ctx: ClientContext,
  account: AccountRow,
  own: AccountState,
  bytes: Uint8Array,
  params: OpenBundleParams,
): Promise<{ bundle: EpochBundle; ck: Key }> {
  const bundle = await verifyBundle(ctx.env, bytes, params);
  const wrap = bundle.historyWraps.find((w) => w.accountId === account.accountId);
  if (!wrap) fail("recipient_mismatch", "bundle has no history wrap for this account");
  const historyKey = await historyKeyFor(ctx, account, own, wrap.generation);
  const ck = await openArchivedKey(ctx.env, bundle, { accountId: account.accountId, generation: wrap.generation, historyKey });
  return { bundle, ck };
}
