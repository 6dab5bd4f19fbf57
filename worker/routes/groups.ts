import { Hono } from "hono";
import type { z } from "zod";
import { appendMembershipRequest, membershipEntryRequest, type appendMembershipResponse, type conversationResponse, type membershipLogResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { verifyLog, type AccountState } from "../../protocol/device-log.js";
import { isProtocolError } from "../../protocol/errors.js";
import type { AccountId, ConversationId } from "../../protocol/ids.js";
import { MembershipKind, decodeMembershipEntry, deviceKeyFromLogs, verifyMembershipLog, type MembershipState } from "../../protocol/membership-log.js";
import { requireSession } from "../auth/require-session.js";
import { cryptoEnv } from "../crypto-env.js";
import type { AppEnv, Ctx } from "../env.js";
import { BadRequest, Conflict, NotFound, ServerFault } from "../errors.js";
import { decodeOr } from "../http/decode.js";
import { readJson } from "../http/json-body.js";
import { notifyAccounts } from "../realtime/notify.js";
import type { AccountStore } from "../storage/account-store.js";
import type { MembershipAppend } from "../storage/conversation-store.js";
import type { Directory } from "../storage/directory.js";
import { memberConversation } from "./conversation-access.js";
import { conversationView } from "./conversation-view.js";
import { checkHistoryShares } from "./history-shares.js";

/**
 * Groups (docs/API.md "Groups"). The server holds no group key; what it enforces it checks with the
 * same protocol code as the clients: a membership entry is stored only if the whole log with it
 * verifies (each author device active on its account's stored log, each change allowed by the author's
 * role) and the new entry was made by the calling device. So only admins' changes are accepted, and the
 * members table the access checks read always equals the verified log's member set.
 */

/** Verifies a membership log against the device logs this server stores. */
async function verifyGroupLog(accounts: AccountStore, entries: readonly Uint8Array[], id: ConversationId): Promise<MembershipState> {
  // Most entries cite the same few heads: read each log once and verify each cited prefix once.
  const logs = new Map<string, Promise<Uint8Array[]>>();
  const states = new Map<string, Promise<AccountState | undefined>>();
  const stateAt = (accountId: AccountId, seq: number): Promise<AccountState | undefined> => {
    const key = `${accountId}:${seq}`;
    let state = states.get(key);
    if (!state) {
      let log = logs.get(accountId);
      if (!log) logs.set(accountId, (log = accounts.readLog(accountId)));
      state = log.then((l) => (seq < l.length ? verifyLog(cryptoEnv, l.slice(0, seq + 1), accountId) : undefined));
      states.set(key, state);
    }
    return state;
  };
  try {
    return await verifyMembershipLog(cryptoEnv, entries, id, deviceKeyFromLogs(stateAt));
  } catch (e) {
    if (isProtocolError(e)) throw new BadRequest("invalid_membership", `the membership log does not verify (${e.code}): ${e.message}`, { cause: e });
    throw e;
  }
}

/** The posted entry, decoded; it must be the calling device's own work. */
async function decodeOwnEntry(c: Ctx, text: string) {
  const bytes = fromBase64url(text);
  const entry = await decodeOr("invalid_membership", () => decodeMembershipEntry(bytes));
  const session = c.var.session;
  if (entry.author.accountId !== session.accountId || entry.author.deviceId !== session.deviceId) {
    throw new BadRequest("invalid_membership", "a membership entry must be written by the device that posts it");
  }
  return { entry, bytes };
}

async function requireAccounts(directory: Directory, ids: readonly AccountId[]): Promise<void> {
  for (const id of ids) if (!(await directory.findById(id))) throw new NotFound(`no such account: ${id}`);
}

/** Creates a group from its create entry, made and signed by the calling device. */
export async function createGroup(c: Ctx) {
  const stores = c.var.stores;
  const { entry, bytes } = await decodeOwnEntry(c, (await readJson(c, membershipEntryRequest)).entry);
  if (entry.change.kind !== MembershipKind.create) throw new BadRequest("invalid_membership", "a group starts with a create entry");
  await requireAccounts(stores.directory, entry.change.members.map((m) => m.accountId));
  const state = await verifyGroupLog(stores.accounts, [bytes], entry.conversationId);
  const members = state.members.map((m) => m.accountId);
  if (!(await stores.conversations.createGroup({ id: entry.conversationId, members, entry: bytes, now: Date.now() }))) {
    throw new Conflict("membership_conflict", "a conversation with this id exists already");
  }
  const conversation = await stores.conversations.find(entry.conversationId);
  if (!conversation) throw new ServerFault("group vanished after insert");
  c.executionCtx.waitUntil(notifyAccounts(c.env, members, { type: "conversation", conversationId: conversation.id }));
  return c.json({ conversation: await conversationView(c, conversation) } satisfies z.output<typeof conversationResponse>, 201);
}

export async function fetchMembershipLog(c: Ctx) {
  const conversation = await memberConversation(c);
  if (conversation.kind !== "group") throw new NotFound("a direct conversation has no membership log");
  const entries = await c.var.stores.conversations.readMembership(conversation.id);
  return c.json({ entries: entries.map(toBase64url) } satisfies z.output<typeof membershipLogResponse>);
}

/** Appends a membership change (add, remove, role, ...) made by an admin's device, with an added member's history shares. */
export async function appendMembershipEntry(c: Ctx) {
  const stores = c.var.stores;
  const conversation = await memberConversation(c);
  if (conversation.kind !== "group") throw new NotFound("a direct conversation has no membership log");
  const body = await readJson(c, appendMembershipRequest);
  const { entry, bytes } = await decodeOwnEntry(c, body.entry);
  const shareTexts = body.historyShares ?? [];
  if (shareTexts.length > 0 && entry.change.kind !== MembershipKind.add) throw new BadRequest("invalid_history_share", "history shares come only with an add entry");
  const stored = await stores.conversations.readMembership(conversation.id);
  if (entry.seq < stored.length) throw new Conflict("membership_conflict", `position ${entry.seq} is taken: fetch the log and build on its head (${stored.length - 1})`);
  if (entry.seq > stored.length) throw new BadRequest("invalid_membership", `the next entry goes at position ${stored.length}, not ${entry.seq}`);
  if (entry.change.kind === MembershipKind.add) await requireAccounts(stores.directory, [entry.change.accountId]);
  const state = await verifyGroupLog(stores.accounts, [...stored, bytes], conversation.id);
  let historyShares: MembershipAppend["historyShares"];
  if (shareTexts.length > 0 && entry.change.kind === MembershipKind.add) {
    if (!state.historyForNewMembers) throw new BadRequest("invalid_history_share", "this group does not share history with new members");
    const shares = await checkHistoryShares(stores.conversations, { conversationId: conversation.id, addedAccount: entry.change.accountId, shares: shareTexts });
    historyShares = { accountId: entry.change.accountId, shares, now: Date.now() };
  }
  const before = new Set<string>(conversation.members);
  const after = state.members.map((m) => m.accountId);
  const added = after.filter((m) => !before.has(m));
  const removed = conversation.members.filter((m) => !after.includes(m));
  const result = await stores.conversations.appendMembership({ id: conversation.id, seq: entry.seq, entry: bytes, added, removed, ...(historyShares ? { historyShares } : {}) });
  if (result === "position_taken") throw new Conflict("membership_conflict", `position ${entry.seq} was just taken by another entry`);
  // Everyone before and after the change hears of it: the removed to stop, the added to start.
  const audience = [...new Set([...conversation.members, ...added])];
  c.executionCtx.waitUntil(notifyAccounts(c.env, audience, { type: "membership", conversationId: conversation.id, seq: entry.seq }));
  if (added.length) c.executionCtx.waitUntil(notifyAccounts(c.env, added, { type: "conversation", conversationId: conversation.id }));
  return c.json({ seq: entry.seq } satisfies z.output<typeof appendMembershipResponse>, 201);
}

export const groupRoutes = new Hono<AppEnv>()
  .post("/groups", requireSession, createGroup)
  .get("/conversations/:id/membership", requireSession, fetchMembershipLog)
  .post("/conversations/:id/membership", requireSession, appendMembershipEntry);
