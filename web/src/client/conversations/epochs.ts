import {
  assertCurrentEpoch,
  bytesEqual,
  createEpochBundle,
  decodeBundle,
  directMembershipHead,
  fail,
  fromBase64url,
  isProtocolError,
  membersAt,
  openEpochBundle,
  type AccountId,
  type AccountState,
  type EpochBundle,
  type Key,
} from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import { openFromArchive } from "./archive.js";
import type { ClientContext } from "../context.js";
import { assertSendable, ensureContactById } from "../identity/contacts.js";
import { getAccount, getContact, getDevice, getEpoch, latestEpoch, putEpoch } from "../store/db.js";
import { asCryptoKey } from "../env.js";
import { ClientError, isClientError } from "../errors.js";
import { publishGroupMeta } from "../groups/group-meta.js";
import { openShared } from "../groups/history-shares.js";
import { assertActiveNow, noteCitedHead, refreshLog, stateOf, stateOfLog, withheldHeadChecked } from "../identity/logs.js";
import { assertNoWithheldMembership, memberStateAt, noteWithheldHead, requireGroup, syncMembership } from "../groups/membership.js";
import type { AccountRow, ContactRow, ConversationRow, DeviceRow, EpochRow } from "../store/rows.js";

/** The first epoch of a conversation. */
export const FIRST_EPOCH = 0;

/** This device's account and device, as one operation loaded them. */
export interface Self {
  readonly account: AccountRow;
  readonly device: DeviceRow;
}

/**
 * What the caller of currentEpoch already loaded (a send loads these once: conversations/messages.ts),
 * so it is not read again: this device's rows, and contacts by account as stored when the operation began.
 */
export interface Loaded {
  readonly self?: Self;
  readonly contacts?: ReadonlyMap<AccountId, ContactRow>;
}

async function me(ctx: ClientContext): Promise<Self> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  return { account, device };
}

/** Who a conversation's epochs are for: a membership head and the member accounts it names. */
interface Membership {
  readonly head: Uint8Array;
  readonly members: readonly AccountId[];
}

/** The membership as this device verified it now. */
async function membershipNow(ctx: ClientContext, conv: ConversationRow, self: AccountId): Promise<Membership> {
  if (conv.kind === "direct") return { head: await directMembershipHead(ctx.env, self, conv.peer), members: [self, conv.peer] };
  const g = await requireGroup(ctx, conv.id);
  return { head: g.head.hash, members: g.members.map((m) => m.accountId) };
}

/**
 * The membership a bundle was made for. A group bundle cites one position of the verified membership
 * log (by its hash); one not known yet fetches the log once. Checking against that position, not the
 * newest, keeps epochs from before a change openable afterwards.
 */
async function membershipOfBundle(ctx: ClientContext, conv: ConversationRow, self: AccountId, b: EpochBundle): Promise<Membership> {
  if (conv.kind === "direct") return membershipNow(ctx, conv, self);
  let g = await requireGroup(ctx, conv.id);
  let at = g.hashes.findIndex((h) => bytesEqual(h, b.membershipHead));
  if (at < 0) {
    g = await syncMembership(ctx, conv.id);
    at = g.hashes.findIndex((h) => bytesEqual(h, b.membershipHead));
  }
  if (at < 0) {
    await noteWithheldHead(ctx, conv.id, b.membershipHead);
    fail("unknown_head", "bundle cites a membership head this device has not verified");
  }
  return { head: b.membershipHead, members: membersAt(g.entries, at).map((m) => m.accountId) };
}

/**
 * The members' states as the bundle's creator saw them (its cited heads), fetching a newer log when a
 * head is beyond what this client has verified. Checking recipients against the state at the cited head
 * (not the newest) keeps old epochs openable after a member adds a device.
 */
async function statesAtCitedHeads(ctx: ClientContext, ids: readonly AccountId[], b: EpochBundle): Promise<Map<AccountId, AccountState>> {
  const members = new Map<AccountId, AccountState>();
  for (const id of ids) {
    const cited = b.heads.find((h) => h.accountId === id);
    if (!cited) fail("recipient_mismatch", "bundle does not cite every member's log head");
    const s = await memberStateAt(ctx, id, cited.seq);
    if (!s) {
      await noteCitedHead(ctx, id, cited.seq);
      fail("unknown_head", "bundle cites a log head the server does not serve");
    }
    members.set(id, s);
  }
  return members;
}

/**
 * A bundle beyond the newest epoch this device holds is news (docs/PROTOCOL.md "Authority is judged
 * now"): its creator device must be active on its account's log as it stands now, and no member's cited
 * head may be older than the one the previous epoch cited. `held` is the newest epoch this device held
 * before the current load; older epochs, and all of them on a device that held none, are history, judged
 * at their cited heads (so a new device can read what a since-removed device's key covered).
 */
async function assertBundleIsNews(ctx: ClientContext, conv: ConversationRow, b: EpochBundle, held: number | undefined): Promise<void> {
  if (held === undefined || b.epoch <= held) return;
  const previous = await getEpoch(ctx.db, conv.id, b.epoch - 1);
  if (previous) {
    const before = decodeBundle(previous.bundle).heads;
    for (const h of b.heads) {
      const was = before.find((x) => x.accountId === h.accountId);
      if (was && h.seq < was.seq) fail("log_conflict", `epoch ${b.epoch} cites an older device-log head than epoch ${previous.epoch} did`);
    }
  }
  await assertActiveNow(ctx, b.creatorAccountId, b.creatorDeviceId, `the bundle of epoch ${b.epoch}`);
}

/** Verifies a bundle, unwraps this device's CK (non-extractable) and stores it. */
async function openAndStore(ctx: ClientContext, conv: ConversationRow, epoch: number, bytes: Uint8Array, held: number | undefined): Promise<EpochRow> {
  const { account, device } = await me(ctx);
  const decoded = decodeBundle(bytes);
  await assertBundleIsNews(ctx, conv, decoded, held);
  const membership = await membershipOfBundle(ctx, conv, account.accountId, decoded);
  const params = { conversationId: conv.id, membershipHead: membership.head, members: await statesAtCitedHeads(ctx, membership.members, decoded) };
  const mine = { accountId: account.accountId, deviceId: device.deviceId, boxKey: device.boxKey };
  let opened: { bundle: EpochBundle; ck: Key };
  if (decoded.deviceWraps.some((w) => w.accountId === account.accountId && w.deviceId === device.deviceId)) {
    opened = await openEpochBundle(ctx.env, bytes, { ...params, me: mine });
  } else if (membership.members.includes(account.accountId)) {
    // A bundle made before this device was linked has no wrap for it: its CK comes from the key archive.
    opened = await openFromArchive(ctx, account, await stateOf(ctx, account.accountId), bytes, params);
  } else {
    // An epoch from before this account joined the group: readable only if an admin shared its key.
    opened = await openShared(ctx, conv.id, account, bytes, params);
  }
  if (opened.bundle.epoch !== epoch) fail("wrong_context", `the server listed epoch ${epoch} for a bundle of epoch ${opened.bundle.epoch}`);
  const row: EpochRow = { conversationId: conv.id, epoch, keyId: opened.bundle.keyId, ck: asCryptoKey(opened.ck), bundle: bytes, storedAt: ctx.now() };
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
  const held = (await latestEpoch(ctx.db, conv.id))?.epoch;
  const listed = new Set(res.epochs.map((e) => e.epoch));
  for (const e of res.epochs) {
    if (await getEpoch(ctx.db, conv.id, e.epoch)) continue;
    try {
      // Epochs advance by exactly one: one listed past a gap is refused (a jump to 2^32 - 1 would end
      // the conversation's sending, and a gap is where a withheld epoch would be).
      if (e.epoch > FIRST_EPOCH && !listed.has(e.epoch - 1)) fail("wrong_context", `epoch ${e.epoch} is listed without epoch ${e.epoch - 1}`);
      await openAndStore(ctx, conv, e.epoch, fromBase64url(e.bundle), held);
    } catch (err) {
      failed.set(e.epoch, err);
    }
  }
  return failed;
}

/**
 * The key of one epoch, for reading: stored, or fetched and opened now. `retry` means try again later
 * (not served yet, or a log head not reachable yet); `invalid` means the served bundle is refused;
 * `not_shared` is an epoch of a group from before this account joined, whose key nobody shared.
 */
export async function epochFor(ctx: ClientContext, conv: ConversationRow, epoch: number): Promise<EpochRow | "retry" | "invalid" | "not_shared"> {
  const stored = await getEpoch(ctx.db, conv.id, epoch);
  if (stored) return stored;
  const failed = await loadEpochs(ctx, conv);
  const again = await getEpoch(ctx.db, conv.id, epoch);
  if (again) return again;
  const err = failed.get(epoch);
  if (isClientError(err, "history_not_shared")) return "not_shared";
  if (err === undefined || isApiError(err) || isProtocolError(err, "unknown_head")) return "retry";
  return isProtocolError(err) ? "invalid" : "retry";
}

/**
 * How long an epoch may be sent under (docs/PROTOCOL.md "Epoch lifetime"). Past it, a sender fetches
 * every member's device log and the membership log and makes the next epoch, so a server hiding a removal
 * or a newer epoch from one member is found out within this time, not never.
 */
export const EPOCH_MAX_AGE_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * A stored epoch's bundle, decoded once per row object: one send asks isExpired and isCurrent of the same
 * row (a group's bundle wraps the key to every device, so decoding it is not free).
 */
const decodedRows = new WeakMap<EpochRow, EpochBundle>();
function bundleOf(row: EpochRow): EpochBundle {
  let b = decodedRows.get(row);
  if (!b) decodedRows.set(row, (b = decodeBundle(row.bundle)));
  return b;
}

/** An epoch's age by the earlier of its creator's claimed time and when this device stored it. */
function isExpired(row: EpochRow, now: number): boolean {
  const made = Math.min(bundleOf(row).createdAt, row.storedAt ?? Number.MAX_SAFE_INTEGER);
  return now - made > EPOCH_MAX_AGE_MS;
}

/** Before replacing an expired epoch: every member's device log and the membership log, fetched fresh. */
async function refreshAll(ctx: ClientContext, conv: ConversationRow, members: readonly AccountId[]): Promise<void> {
  for (const id of members) await refreshLog(ctx, id);
  if (conv.kind === "group") await syncMembership(ctx, conv.id);
}

/** True when the epoch's bundle was made for the current membership and the members' current verified heads. */
function isCurrent(row: EpochRow, membership: Membership, members: readonly AccountState[]): boolean {
  const b = bundleOf(row);
  if (!bytesEqual(b.membershipHead, membership.head) || b.heads.length !== members.length) return false;
  return members.every((m) => b.heads.some((h) => h.accountId === m.accountId && h.seq === m.head.seq && bytesEqual(h.hash, m.head.hash)));
}

/**
 * The verified states of the members to send to; refuses a member whose identity or log is in doubt.
 * Each member's row is read once (or taken from `known`), and its state computed from that row.
 */
async function recipients(ctx: ClientContext, conv: ConversationRow, self: AccountRow, membership: Membership, known: ReadonlyMap<AccountId, ContactRow>): Promise<AccountState[]> {
  if (conv.kind === "group") {
    const g = await requireGroup(ctx, conv.id);
    if (g.refusedAt !== undefined || !membership.members.includes(self.accountId)) throw new ClientError("not_member", "you are no longer a member of this group");
    await assertNoWithheldMembership(ctx, conv.id);
  }
  const states: AccountState[] = [];
  for (const id of membership.members) {
    if (id === self.accountId) {
      states.push(await stateOfLog(ctx, id, self.log));
      continue;
    }
    const stored = known.get(id) ?? (await getContact(ctx.db, id));
    let contact: ContactRow;
    if (stored) {
      contact = await withheldHeadChecked(ctx, stored);
      assertSendable(contact);
    } else contact = await ensureContactById(ctx, id);
    states.push(await stateOfLog(ctx, id, contact.log));
  }
  return states;
}

/**
 * Sends only under the newest epoch this device verified (docs/PROTOCOL.md "Epochs only move forward").
 * `newest` is the newest stored epoch when the caller has just read it; otherwise it is read here.
 */
async function sendable(ctx: ClientContext, conv: ConversationRow, row: EpochRow, newest?: number): Promise<EpochRow> {
  assertCurrentEpoch(newest ?? (await latestEpoch(ctx.db, conv.id))?.epoch, row.epoch);
  return row;
}

/**
 * The epoch to send under. A client refuses to send under an epoch whose recipients differ from the
 * verified set (DESIGN "Messages"), so when the membership or a member's log moved on, a new epoch is
 * made. When two devices race to make the same epoch, the server keeps the first (409) and the other
 * adopts it; a group changed meanwhile (409 stale_membership) is fetched again and the epoch remade.
 */
export async function currentEpoch(ctx: ClientContext, conv: ConversationRow, loaded: Loaded = {}, retried = false): Promise<EpochRow> {
  let self = loaded.self ?? (await me(ctx));
  let known = loaded.contacts ?? new Map<AccountId, ContactRow>();
  let membership = await membershipNow(ctx, conv, self.account.accountId);
  let latest = await latestEpoch(ctx.db, conv.id);
  const expired = latest !== undefined && isExpired(latest, ctx.now());
  if (expired) {
    await refreshAll(ctx, conv, membership.members);
    // The rows the caller loaded are older than the logs just fetched: read them again.
    self = await me(ctx);
    known = new Map();
    membership = await membershipNow(ctx, conv, self.account.accountId);
  }
  const { account, device } = self;
  const members = await recipients(ctx, conv, account, membership, known);
  if (!latest || expired || !isCurrent(latest, membership, members)) {
    await loadEpochs(ctx, conv);
    // Loading may have met a bundle citing a membership head the server withholds.
    if (conv.kind === "group") await assertNoWithheldMembership(ctx, conv.id);
    latest = await latestEpoch(ctx.db, conv.id);
  }
  if (latest && !isExpired(latest, ctx.now()) && isCurrent(latest, membership, members)) return sendable(ctx, conv, latest, latest.epoch);

  const epoch = latest ? latest.epoch + 1 : FIRST_EPOCH;
  const made = await createEpochBundle(ctx.env, {
    conversationId: conv.id,
    epoch,
    creator: { accountId: account.accountId, deviceId: device.deviceId, signingKey: device.signingKey },
    membershipHead: membership.head,
    members,
    createdAt: ctx.now(),
  });
  try {
    await ctx.api.postEpoch(conv.id, made.bytes);
  } catch (e) {
    if (isApiError(e, "stale_membership") && conv.kind === "group" && !retried) {
      await syncMembership(ctx, conv.id);
      // The group's members changed meanwhile: their contacts are read again.
      return currentEpoch(ctx, conv, { self }, true);
    }
    if (!(isApiError(e) && e.status === 409)) throw e;
    // Someone else made this epoch first: adopt theirs.
    await loadEpochs(ctx, conv);
    const theirs = await getEpoch(ctx.db, conv.id, epoch);
    // The server refused ours as taken but serves no valid bundle for that epoch: it is withholding the
    // new key (or serving an old one in its place, as after a removal). Never fall back to the old epoch.
    if (!theirs) throw new ClientError("epoch_withheld", `the server says epoch ${epoch} exists but serves no valid bundle for it`);
    return sendable(ctx, conv, theirs);
  }
  const row: EpochRow = { conversationId: conv.id, epoch, keyId: made.bundle.keyId, ck: asCryptoKey(made.ck), bundle: made.bytes, storedAt: ctx.now() };
  await putEpoch(ctx.db, row);
  // A group's name is sealed under its newest key, so members who can read only from here on see it.
  if (conv.kind === "group") await publishGroupMeta(ctx, conv.id, row).catch((e: unknown) => console.warn("could not reseal the group name:", e));
  return row;
}
