import {
  assertMembershipExtends,
  bytesEqual,
  decodeMembershipEntry,
  deviceKeyFromLogs,
  fromBase64url,
  isProtocolError,
  verifyMembershipLog,
  type AccountId,
  type AccountState,
  type ConversationId,
  type DeviceKeyAt,
  type MembershipState,
} from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import { ensureContactById } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { getAccount, getContact, getGroup, updateGroup } from "../store/db.js";
import { ClientError } from "../errors.js";
import { assertActiveNow, refreshLog, stateAt } from "../identity/logs.js";
import type { GroupRow } from "../store/rows.js";

/**
 * Groups' membership logs on this device (DESIGN "Messages"; protocol/membership-log.ts). Every log is
 * verified from its create entry against the authors' verified device logs, and a stored log is only
 * ever extended: a log that does not verify or forks is refused, the old one kept, and the group marked
 * with a lasting warning. So the server cannot add a member or a device the admins did not.
 */

/**
 * An account's verified state at log position `seq`, for judging something it signed there: a member
 * never seen before becomes a contact on first sight (trust on first use, as in 1:1 chats), and a
 * position beyond the stored log fetches the log once.
 */
export async function memberStateAt(ctx: ClientContext, accountId: AccountId, seq: number): Promise<AccountState | undefined> {
  if ((await getAccount(ctx.db))?.accountId !== accountId && !(await getContact(ctx.db, accountId))) await ensureContactById(ctx, accountId);
  let s = await stateAt(ctx, accountId, seq);
  if (!s) {
    await refreshLog(ctx, accountId);
    s = await stateAt(ctx, accountId, seq);
  }
  return s;
}

/** The device keys this client vouches for, from its own verified device logs. */
export function memberDeviceKeys(ctx: ClientContext): DeviceKeyAt {
  return deviceKeyFromLogs((accountId, seq) => memberStateAt(ctx, accountId, seq));
}

export function verifyGroupLog(ctx: ClientContext, id: ConversationId, entries: readonly Uint8Array[]): Promise<MembershipState> {
  return verifyMembershipLog(ctx.env, entries, id, memberDeviceKeys(ctx));
}

/**
 * Entries past what this device already held must be signed by devices active on their accounts' logs
 * now (docs/PROTOCOL.md "Authority is judged now"). A group seen for the first time is history: its
 * entries are judged at the heads they cite, and their cited heads may never go backwards per author
 * (verifyMembershipLog).
 */
async function assertNewAuthorsActive(ctx: ClientContext, entries: readonly Uint8Array[], from: number): Promise<void> {
  const checked = new Set<string>();
  for (const bytes of entries.slice(from)) {
    const { author, seq } = decodeMembershipEntry(bytes);
    const key = `${author.accountId}/${author.deviceId}`;
    if (checked.has(key)) continue;
    await assertActiveNow(ctx, author.accountId, author.deviceId, `membership entry ${seq}`);
    checked.add(key);
  }
}

/** The row for a verified log, keeping what this device learned about the group besides its log. */
function rowFor(state: MembershipState, entries: readonly Uint8Array[], previous: GroupRow | undefined): GroupRow {
  const { problem: _problem, refusedAt: _refused, withheldHead, ...kept } = previous ?? { conversationId: state.conversationId };
  // A cited head the log now holds is no longer withheld.
  const stillWithheld = withheldHead && !state.entryHashes.some((h) => bytesEqual(h, withheldHead.hash)) ? { withheldHead } : {};
  return {
    ...kept,
    ...stillWithheld,
    conversationId: state.conversationId,
    entries: [...entries],
    hashes: [...state.entryHashes],
    head: state.head,
    members: state.members.map((m) => ({ accountId: m.accountId, role: m.role, addedAtSeq: m.addedAtSeq })),
    historyForNewMembers: state.historyForNewMembers,
  };
}

/**
 * Accepts a membership log (fetched, or the stored one plus an entry this device just wrote): verified
 * and extending the stored one, it replaces it; otherwise the stored one stays, marked with the problem.
 * The first sight of a group that does not verify is an error (there is nothing to show).
 */
export async function acceptMembership(ctx: ClientContext, id: ConversationId, entries: readonly Uint8Array[]): Promise<GroupRow> {
  const known = await getGroup(ctx.db, id);
  // The same log as the one verified and stored: nothing to check again (every sync pass lands here).
  if (known && !known.refusedAt && entries.length === known.entries.length && entries.every((e, i) => bytesEqual(e, known.entries[i]!))) return known;
  let state: MembershipState;
  try {
    state = await verifyGroupLog(ctx, id, entries);
    if (known) {
      assertMembershipExtends(known, state);
      await assertNewAuthorsActive(ctx, entries, known.head.seq + 1);
    }
  } catch (e) {
    if (!known || !isProtocolError(e) || e.code === "unknown_head") throw e;
    const problem = { code: e.code, detail: e.message, at: ctx.now() };
    // On the row as it stands now: what was learned while this log was judged (a withheld head) stays.
    return (await updateGroup(ctx.db, id, (now) => ({ ...(now ?? known), problem })))!;
  }
  if (known && !known.problem && !known.refusedAt && !known.withheldHead && state.head.seq === known.head.seq) return known;
  const row = (await updateGroup(ctx.db, id, (now) => {
    // A newer log verified and stored meanwhile stays (this one is older: storing it would roll back).
    if (now && now.head.seq > state.head.seq) return undefined;
    const next = rowFor(state, entries, now);
    // A warning stays until the user has seen a log that verifies again: keep it when this one is no newer.
    if (now?.problem && state.head.seq <= now.head.seq) next.problem = now.problem;
    return next;
  }))!;
  // Names for the member list: each member becomes a contact (first sight, trust on first use).
  const self = (await getAccount(ctx.db))?.accountId;
  for (const m of row.members) {
    if (m.accountId === self) continue;
    await ensureContactById(ctx, m.accountId).catch((e: unknown) => console.warn(`could not verify member ${m.accountId}:`, e));
  }
  return row;
}

/**
 * Fetches a group's membership log and accepts it. The server refusing this account (403) is recorded:
 * the group then shows as left (the server stops serving it; the log that says why is not readable).
 */
export async function syncMembership(ctx: ClientContext, id: ConversationId): Promise<GroupRow> {
  let entries: Uint8Array[];
  try {
    entries = (await ctx.api.membership(id)).entries.map(fromBase64url);
  } catch (e) {
    const known = await getGroup(ctx.db, id);
    if (known && isApiError(e) && e.status === 403) {
      const at = ctx.now();
      return (await updateGroup(ctx.db, id, (now) => {
        const row = now ?? known;
        return { ...row, refusedAt: row.refusedAt ?? at };
      }))!;
    }
    throw e;
  }
  return acceptMembership(ctx, id, entries);
}

/**
 * Records that a bundle cited a membership head the served log does not hold (an entry withheld, as a
 * device-log entry can be: logs.ts noteCitedHead). Sending in the group waits (assertNoWithheldMembership).
 */
export async function noteWithheldHead(ctx: ClientContext, id: ConversationId, hash: Uint8Array): Promise<void> {
  const at = ctx.now();
  await updateGroup(ctx.db, id, (g) => (!g || g.hashes.some((h) => bytesEqual(h, hash)) || g.withheldHead ? undefined : { ...g, withheldHead: { hash, at } }));
}

/**
 * Refuses to send in a group while a bundle cites a membership head the server does not serve: the
 * missing entries may remove a member, who must not get the next message. Fetches the log once more first.
 */
export async function assertNoWithheldMembership(ctx: ClientContext, id: ConversationId): Promise<void> {
  if (!(await getGroup(ctx.db, id))?.withheldHead) return;
  const g = await syncMembership(ctx, id);
  if (g.withheldHead) throw new ClientError("membership_withheld", "this group's keys were made for a membership change the server does not provide");
}

export async function requireGroup(ctx: ClientContext, id: ConversationId): Promise<GroupRow> {
  const g = await getGroup(ctx.db, id);
  if (!g) throw new ClientError("unknown_conversation", "no such group on this device");
  return g;
}
