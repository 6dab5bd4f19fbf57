import {
  bytesEqual,
  createEpochBundle,
  decodeBundle,
  directMembershipHead,
  fail,
  fromBase64url,
  isProtocolError,
  openEpochBundle,
  type AccountId,
  type AccountState,
} from "../../../protocol/index.js";
import { isApiError } from "./api.js";
import { openFromArchive } from "./archive.js";
import type { ClientContext } from "./context.js";
import { getAccount, getDevice, getEpoch, latestEpoch, putEpoch } from "./db.js";
import { asCryptoKey } from "./env.js";
import { ClientError } from "./errors.js";
import { assertNoWithheldHead, noteCitedHead, refreshLog, stateAt, stateOf } from "./logs.js";
import type { ConversationRow, EpochRow } from "./rows.js";

/** The first epoch of a conversation. */
export const FIRST_EPOCH = 0;

async function me(ctx: ClientContext) {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  return { account, device };
}

/**
 * The members' states as the bundle's creator saw them (its cited heads), fetching a newer log when a
 * head is beyond what this client has verified. Checking recipients against the state at the cited head
 * (not the newest) keeps old epochs openable after a member adds a device.
 */
async function membersAtCitedHeads(ctx: ClientContext, conv: ConversationRow, self: AccountId, bytes: Uint8Array): Promise<Map<AccountId, AccountState>> {
  const decoded = decodeBundle(bytes);
  const members = new Map<AccountId, AccountState>();
  for (const id of [self, conv.peer]) {
    const cited = decoded.heads.find((h) => h.accountId === id);
    if (!cited) fail("recipient_mismatch", "bundle does not cite every member's log head");
    let s = await stateAt(ctx, id, cited.seq);
    if (!s) {
      await refreshLog(ctx, id);
      s = await stateAt(ctx, id, cited.seq);
    }
    if (!s) {
      await noteCitedHead(ctx, id, cited.seq);
      fail("unknown_head", "bundle cites a log head the server does not serve");
    }
    members.set(id, s);
  }
  return members;
}

/** Verifies a bundle, unwraps this device's CK (non-extractable) and stores it. */
async function openAndStore(ctx: ClientContext, conv: ConversationRow, epoch: number, bytes: Uint8Array): Promise<EpochRow> {
  const { account, device } = await me(ctx);
  const members = await membersAtCitedHeads(ctx, conv, account.accountId, bytes);
  const params = { conversationId: conv.id, membershipHead: await directMembershipHead(ctx.env, account.accountId, conv.peer), members };
  // A bundle made before this device was linked has no wrap for it: its CK comes from the key archive.
  const wrapped = decodeBundle(bytes).deviceWraps.some((w) => w.accountId === account.accountId && w.deviceId === device.deviceId);
  const { bundle, ck } = wrapped
    ? await openEpochBundle(ctx.env, bytes, { ...params, me: { accountId: account.accountId, deviceId: device.deviceId, boxKey: device.boxKey } })
    : await openFromArchive(ctx, account, await stateOf(ctx, account.accountId), bytes, params);
  if (bundle.epoch !== epoch) fail("wrong_context", `the server listed epoch ${epoch} for a bundle of epoch ${bundle.epoch}`);
  const row: EpochRow = { conversationId: conv.id, epoch, keyId: bundle.keyId, ck: asCryptoKey(ck), bundle: bytes };
  await putEpoch(ctx.db, row);
  return row;
}

/**
 * Fetches the conversation's bundles and opens the ones not yet stored. Returns the epochs that failed
 * to open, by number, with the error (an unopenable epoch does not stop the others).
 */
export async function loadEpochs(ctx: ClientContext, conv: ConversationRow): Promise<Map<number, unknown>> {
  const res = await ctx.api.epochs(conv.id);
  const failed = new Map<number, unknown>();
  for (const e of res.epochs) {
    if (await getEpoch(ctx.db, conv.id, e.epoch)) continue;
    try {
      await openAndStore(ctx, conv, e.epoch, fromBase64url(e.bundle));
    } catch (err) {
      failed.set(e.epoch, err);
    }
  }
  return failed;
}

/**
 * The key of one epoch, for reading: stored, or fetched and opened now. `retry` means try again later
 * (not served yet, or a log head not reachable yet); `invalid` means the served bundle is refused.
 */
export async function epochFor(ctx: ClientContext, conv: ConversationRow, epoch: number): Promise<EpochRow | "retry" | "invalid"> {
  const stored = await getEpoch(ctx.db, conv.id, epoch);
  if (stored) return stored;
  const failed = await loadEpochs(ctx, conv);
  const again = await getEpoch(ctx.db, conv.id, epoch);
  if (again) return again;
  const err = failed.get(epoch);
  if (err === undefined || isApiError(err) || isProtocolError(err, "unknown_head")) return "retry";
  return isProtocolError(err) ? "invalid" : "retry";
}

/** True when the epoch's bundle was made for the members' current verified heads. */
function isCurrent(row: EpochRow, members: readonly AccountState[]): boolean {
  const b = decodeBundle(row.bundle);
  return members.every((m) => b.heads.some((h) => h.accountId === m.accountId && h.seq === m.head.seq && bytesEqual(h.hash, m.head.hash)));
}

/**
 * The epoch to send under. A client refuses to send under an epoch whose recipients differ from the
 * verified set (DESIGN "Messages"), so when a member's log moved on, a new epoch is made. When two
 * devices race to make the same epoch, the server keeps the first (409) and the other adopts it.
 */
export async function currentEpoch(ctx: ClientContext, conv: ConversationRow): Promise<EpochRow> {
  const { account, device } = await me(ctx);
  await assertNoWithheldHead(ctx, conv.peer);
  const members = [await stateOf(ctx, account.accountId), await stateOf(ctx, conv.peer)];
  let latest = await latestEpoch(ctx.db, conv.id);
  if (!latest || !isCurrent(latest, members)) {
    await loadEpochs(ctx, conv);
    latest = await latestEpoch(ctx.db, conv.id);
  }
  if (latest && isCurrent(latest, members)) return latest;

  const epoch = latest ? latest.epoch + 1 : FIRST_EPOCH;
  const made = await createEpochBundle(ctx.env, {
    conversationId: conv.id,
    epoch,
    creator: { accountId: account.accountId, deviceId: device.deviceId, signingKey: device.signingKey },
    membershipHead: await directMembershipHead(ctx.env, account.accountId, conv.peer),
    members,
    createdAt: ctx.now(),
  });
  try {
    await ctx.api.postEpoch(conv.id, made.bytes);
  } catch (e) {
    if (!(isApiError(e) && e.status === 409)) throw e;
    // Someone else made this epoch first: adopt theirs.
    await loadEpochs(ctx, conv);
    const theirs = await getEpoch(ctx.db, conv.id, epoch);
    // The server refused ours as taken but serves no valid bundle for that epoch: it is withholding the
    // new key (or serving an old one in its place, as after a removal). Never fall back to the old epoch.
    if (!theirs) throw new ClientError("epoch_withheld", `the server says epoch ${epoch} exists but serves no valid bundle for it`);
    return theirs;
  }
  const row: EpochRow = { conversationId: conv.id, epoch, keyId: made.bundle.keyId, ck: asCryptoKey(made.ck), bundle: made.bytes };
  await putEpoch(ctx.db, row);
  return row;
}
