/**
 * groups/: group chats. groups.ts: creating a group and its changes (add, remove, leave, admins, name,
 * history setting); membership.ts: the verified membership log; group-meta.ts and read-group-meta.ts:
 * the name sealed under the group's key; history-shares.ts: sharing earlier epochs' keys with new members.
 */
import {
  ConversationId,
  GroupRole,
  MAX_GROUP_NAME_BYTES,
  MembershipKind,
  signMembershipEntry,
  utf8,
  type AccountId,
  type MembershipChange,
} from "../../../../protocol/index.js";
import { isApiError } from "../transport/api.js";
import { addContact, assertSendable } from "../identity/contacts.js";
import type { ClientContext } from "../context.js";
import { requireConversation, storeCreated } from "../conversations/conversations.js";
import { getAccount, getDevice } from "../store/db.js";
import { currentEpoch } from "../conversations/epochs.js";
import { ClientError, MemberRefused } from "../errors.js";
import { publishGroupMeta } from "./group-meta.js";
import { makeHistoryShares } from "./history-shares.js";
import { withLock } from "../store/lock.js";
import { stateOf } from "../identity/logs.js";
import { acceptMembership, requireGroup, syncMembership } from "./membership.js";
import { assertOwnLogTrusted } from "../identity/own-log.js";
import type { GroupRow } from "../store/rows.js";

/**
 * Group actions. Each change is one membership entry signed by this device and chained to the head of
 * the verified log; the server stores it only if the whole log with it verifies (worker/routes/groups.ts)
 * and every client checks it again. After a change the author makes the next epoch at once, so nothing
 * written afterwards is readable by a removed member (the others would make it on their next send anyway).
 */

function checkName(name: string): string {
  const n = name.trim();
  if (n === "" || utf8(n).length > MAX_GROUP_NAME_BYTES) throw new ClientError("invalid_group_name", `a group name is 1 to ${MAX_GROUP_NAME_BYTES} bytes`);
  return n;
}

async function signer(ctx: ClientContext) {
  assertOwnLogTrusted();
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account yet");
  const own = await stateOf(ctx, account.accountId);
  return { account, device, author: { accountId: account.accountId, deviceId: device.deviceId, logSeq: own.head.seq, logHead: own.head.hash } };
}

/** Creates a group: the create entry names this account (admin) and the members; then its first epoch and name. */
export async function createGroup(ctx: ClientContext, name: string, usernames: readonly string[]): Promise<ConversationId> {
  const groupName = checkName(name);
  const { account, device, author } = await signer(ctx);
  const members: AccountId[] = [];
  for (const u of usernames) {
    let contact;
    try {
      contact = await addContact(ctx, u);
      assertSendable(contact);
    } catch (e) {
      throw new MemberRefused(u, e);
    }
    if (!members.includes(contact.accountId)) members.push(contact.accountId);
  }
  if (members.length === 0) throw new ClientError("invalid_group_members", "a group needs at least one other member");
  const id = ConversationId.fromBytes(ctx.env.randomBytes(16));
  const entry = await signMembershipEntry(
    ctx.env,
    {
      conversationId: id,
      seq: 0,
      prev: new Uint8Array(32),
      createdAt: ctx.now(),
      author,
      change: { kind: MembershipKind.create, members: [{ accountId: account.accountId, role: GroupRole.admin }, ...members.map((m) => ({ accountId: m, role: GroupRole.member }))], historyForNewMembers: false },
    },
    device.signingKey,
  );
  const res = await ctx.api.createGroup(entry);
  const conv = await storeCreated(ctx, res.conversation);
  await withLock(`send:${id}`, async () => {
    const epoch = await currentEpoch(ctx, conv);
    await publishGroupMeta(ctx, id, epoch, groupName);
  });
  return id;
}

/**
 * Appends one change at the head of the verified log (fetched fresh first). Another change landing at
 * the same position first (409) means build on the new head: fetched again and retried, a few times.
 */
async function appendChange(ctx: ClientContext, id: ConversationId, change: MembershipChange, shares?: (g: GroupRow) => Promise<Uint8Array[]>): Promise<GroupRow> {
  return withLock(`group:${id}`, async () => {
    for (let attempt = 0; ; attempt++) {
      const g = await syncMembership(ctx, id);
      if (g.refusedAt !== undefined) throw new ClientError("not_member", "you are no longer a member of this group");
      const { device, author } = await signer(ctx);
      const fields = { conversationId: id, seq: g.head.seq + 1, prev: g.head.hash, createdAt: ctx.now(), author, change };
      const entry = await signMembershipEntry(ctx.env, fields, device.signingKey);
      try {
        await ctx.api.postMembership(id, entry, shares ? await shares(g) : undefined);
      } catch (e) {
        if (isApiError(e, "membership_conflict") && attempt < 3) continue;
        throw e;
      }
      return acceptMembership(ctx, id, [...g.entries, entry]);
    }
  });
}

/** Checked on the stored log (appendChange fetches it fresh; the server and every client check the role again). */
async function requireAdmin(ctx: ClientContext, id: ConversationId): Promise<GroupRow> {
  const g = await requireGroup(ctx, id);
  const me = (await getAccount(ctx.db))?.accountId;
  const mine = g.members.find((m) => m.accountId === me);
  if (!mine || g.refusedAt !== undefined) throw new ClientError("not_member", "you are no longer a member of this group");
  if (mine.role !== GroupRole.admin) throw new ClientError("not_admin", "only the group's admins can do that");
  return g;
}

/** After a change, the next epoch (for the new member set) is made now, under the send lock. */
async function rekey(ctx: ClientContext, id: ConversationId): Promise<void> {
  await withLock(`send:${id}`, async () => {
    await currentEpoch(ctx, await requireConversation(ctx, id));
  });
}

export async function addMember(ctx: ClientContext, id: ConversationId, username: string, o: { admin?: boolean } = {}): Promise<void> {
  await requireAdmin(ctx, id);
  const contact = await addContact(ctx, username);
  assertSendable(contact);
  const newcomer = await stateOf(ctx, contact.accountId);
  await appendChange(ctx, id, { kind: MembershipKind.add, accountId: contact.accountId, role: o.admin ? GroupRole.admin : GroupRole.member }, async (g) =>
    g.historyForNewMembers ? makeHistoryShares(ctx, id, newcomer) : [],
  );
  await rekey(ctx, id);
}

export async function removeMember(ctx: ClientContext, id: ConversationId, accountId: AccountId): Promise<void> {
  await requireAdmin(ctx, id);
  await appendChange(ctx, id, { kind: MembershipKind.remove, accountId });
  await rekey(ctx, id);
}

/** Leaves the group. The remaining members make the next epoch (without this account) on their next send. */
export async function leaveGroup(ctx: ClientContext, id: ConversationId): Promise<void> {
  await appendChange(ctx, id, { kind: MembershipKind.leave });
}

export async function setAdmin(ctx: ClientContext, id: ConversationId, accountId: AccountId, admin: boolean): Promise<void> {
  await requireAdmin(ctx, id);
  await appendChange(ctx, id, { kind: MembershipKind.setRole, accountId, role: admin ? GroupRole.admin : GroupRole.member });
}

export async function setHistoryForNewMembers(ctx: ClientContext, id: ConversationId, on: boolean): Promise<void> {
  const g = await requireAdmin(ctx, id);
  if (g.historyForNewMembers === on) return;
  await appendChange(ctx, id, { kind: MembershipKind.setHistory, historyForNewMembers: on });
}

/** Any member may rename; the name is sealed under the current epoch's key. */
export async function renameGroup(ctx: ClientContext, id: ConversationId, name: string): Promise<void> {
  const groupName = checkName(name);
  await requireGroup(ctx, id);
  await withLock(`send:${id}`, async () => {
    const epoch = await currentEpoch(ctx, await requireConversation(ctx, id));
    await publishGroupMeta(ctx, id, epoch, groupName);
  });
}
