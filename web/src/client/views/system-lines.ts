import { EntryKind, GroupRole, MembershipKind, decodeEntry, decodeMembershipEntry, type AccountId, type ConversationId } from "../../../../protocol/index.js";
import { getAccount, getConversation, getGroup, listContacts, type SealedDb } from "../store/db.js";

/**
 * The timeline's system lines (what a chat app shows between messages): membership changes from the
 * group's verified membership log, and changes to a member's devices from their verified device log
 * ("Bob linked a new device"), and identity warnings ("Bob's safety number changed"). Derived from
 * verified data only, so the server cannot make one up.
 */
export interface SystemLineView {
  readonly kind: "system";
  readonly key: string;
  readonly text: string;
  readonly at: number;
  /** A warning (identity or membership trouble) rather than news. */
  readonly warning?: boolean;
}

function membershipText(change: ReturnType<typeof decodeMembershipEntry>["change"], by: string, name: (id: AccountId) => string): string {
  switch (change.kind) {
    case MembershipKind.create:
      return `${by} created the group`;
    case MembershipKind.add:
      return `${by} added ${name(change.accountId)}${change.role === GroupRole.admin ? " as an admin" : ""}`;
    case MembershipKind.remove:
      return `${by} removed ${name(change.accountId)}`;
    case MembershipKind.leave:
      return `${by} left the group`;
    case MembershipKind.setRole:
      return change.role === GroupRole.admin ? `${by} made ${name(change.accountId)} an admin` : `${by} made ${name(change.accountId)} a member (no longer an admin)`;
    case MembershipKind.setHistory:
      return change.historyForNewMembers ? `${by} turned on history for new members` : `${by} turned off history for new members`;
  }
}

function deviceText(kind: EntryKind, who: string): string | undefined {
  switch (kind) {
    case EntryKind.addDevice:
      return `${who} linked a new device`;
    case EntryKind.revoke:
      return `${who} removed a device`;
    case EntryKind.recover:
      return `${who} restored their account on a new device`;
    case EntryKind.reset:
      return `${who} signed out all their other devices`;
    case EntryKind.leave:
      return `${who} signed out on a device`;
    default:
      return undefined;
  }
}

export async function systemLines(db: SealedDb, conversationId: ConversationId): Promise<SystemLineView[]> {
  const conv = await getConversation(db, conversationId);
  if (!conv) return [];
  const account = await getAccount(db);
  const contacts = new Map((await listContacts(db)).map((c) => [c.accountId, c]));
  // "You added Carol", but "Alice added you".
  const name = (id: AccountId): string => (id === account?.accountId ? "you" : (contacts.get(id)?.username ?? "someone"));
  const subject = (id: AccountId): string => (id === account?.accountId ? "You" : name(id));
  // A 1:1 chat shows identity trouble in its banner (sealed-identity-banner) and has no membership.
  if (conv.kind !== "group") return [];
  const g = await getGroup(db, conversationId);
  if (!g) return [];
  const lines: SystemLineView[] = [];
  // A line's place follows its entry's position in the log, never the time its author claims: each is
  // shown no earlier than the one before it (a backdated entry cannot jump ahead of "created the group").
  let after = 0;
  for (const [i, bytes] of g.entries.entries()) {
    const e = decodeMembershipEntry(bytes);
    after = Math.max(after, e.createdAt);
    lines.push({ kind: "system", key: `m${i}`, at: after, text: membershipText(e.change, subject(e.author.accountId), name) });
  }
  if (g.name !== undefined && g.namedBy !== undefined && g.namedAt !== undefined) {
    lines.push({ kind: "system", key: "name", at: g.namedAt, text: `${subject(g.namedBy)} renamed the group to “${g.name}”` });
  }
  if (g.problem) lines.push({ kind: "system", key: "m-problem", at: g.problem.at, warning: true, text: "The server sent a change to this group that no admin made. It was refused." });
  for (const { accountId: id } of g.members) {
    const c = contacts.get(id);
    if (!c) continue;
    let logAfter = 0;
    for (const [i, bytes] of c.log.entries()) {
      if (i === 0) continue;
      const e = decodeEntry(bytes);
      logAfter = Math.max(logAfter, e.createdAt);
      if (logAfter < conv.createdAt) continue;
      const text = deviceText(e.kind, c.username);
      if (text) lines.push({ kind: "system", key: `d${id}:${i}`, at: logAfter, text });
    }
    if (c.status !== "verified" && c.problem) lines.push({ kind: "system", key: `s${id}`, at: c.problem.at, warning: true, text: `${c.username}'s safety number changed. Verify it before you trust new messages.` });
  }
  return lines.sort((a, b) => a.at - b.at);
}
