import { msg, str } from "@lit/localize";
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

/** Who a line is about: this account ("you"), or another person by username. */
interface Who {
  readonly me: boolean;
  readonly name: string;
}

// Each sentence has its own msg() per "you" and "someone" (German conjugates the verb and declines the
// pronoun: "Du hast … hinzugefügt", "… hat dich hinzugefügt"); the English text is the same as before.
function added(by: Who, whom: Who, admin: boolean): string {
  const b = by.name;
  const w = whom.name;
  if (admin) {
    if (by.me) return msg(str`You added ${w} as an admin`);
    if (whom.me) return msg(str`${b} added you as an admin`);
    return msg(str`${b} added ${w} as an admin`);
  }
  if (by.me) return msg(str`You added ${w}`);
  if (whom.me) return msg(str`${b} added you`);
  return msg(str`${b} added ${w}`);
}

function removed(by: Who, whom: Who): string {
  const b = by.name;
  const w = whom.name;
  if (by.me) return msg(str`You removed ${w}`);
  if (whom.me) return msg(str`${b} removed you`);
  return msg(str`${b} removed ${w}`);
}

function madeAdmin(by: Who, whom: Who, admin: boolean): string {
  const b = by.name;
  const w = whom.name;
  if (admin) {
    if (by.me) return msg(str`You made ${w} an admin`);
    if (whom.me) return msg(str`${b} made you an admin`);
    return msg(str`${b} made ${w} an admin`);
  }
  if (by.me) return msg(str`You made ${w} a member (no longer an admin)`);
  if (whom.me) return msg(str`${b} made you a member (no longer an admin)`);
  return msg(str`${b} made ${w} a member (no longer an admin)`);
}

function membershipText(change: ReturnType<typeof decodeMembershipEntry>["change"], by: Who, who: (id: AccountId) => Who): string {
  const b = by.name;
  switch (change.kind) {
    case MembershipKind.create:
      return by.me ? msg("You created the group") : msg(str`${b} created the group`);
    case MembershipKind.add:
      return added(by, who(change.accountId), change.role === GroupRole.admin);
    case MembershipKind.remove:
      return removed(by, who(change.accountId));
    case MembershipKind.leave:
      return by.me ? msg("You left the group", { id: "system-you-left" }) : msg(str`${b} left the group`);
    case MembershipKind.setRole:
      return madeAdmin(by, who(change.accountId), change.role === GroupRole.admin);
    case MembershipKind.setHistory:
      if (change.historyForNewMembers) return by.me ? msg("You turned on history for new members") : msg(str`${b} turned on history for new members`);
      return by.me ? msg("You turned off history for new members") : msg(str`${b} turned off history for new members`);
  }
}

function deviceText(kind: EntryKind, who: string): string | undefined {
  switch (kind) {
    case EntryKind.addDevice:
      return msg(str`${who} linked a new device`);
    case EntryKind.revoke:
      return msg(str`${who} removed a device`);
    case EntryKind.recover:
      return msg(str`${who} restored their account on a new device`);
    case EntryKind.reset:
      return msg(str`${who} signed out all their other devices`);
    case EntryKind.leave:
      return msg(str`${who} signed out on a device`);
    default:
      return undefined;
  }
}

export async function systemLines(db: SealedDb, conversationId: ConversationId): Promise<SystemLineView[]> {
  // Read together (one round trip before an open chat's first frame, not four); the group only matters for a group chat.
  const [conv, account, contactRows, group] = await Promise.all([getConversation(db, conversationId), getAccount(db), listContacts(db), getGroup(db, conversationId)]);
  if (!conv) return [];
  const contacts = new Map(contactRows.map((c) => [c.accountId, c]));
  // "You added Carol", but "Alice added you".
  const who = (id: AccountId): Who => (id === account?.accountId ? { me: true, name: msg("you") } : { me: false, name: contacts.get(id)?.username ?? msg("someone") });
  const subject = (id: AccountId): Who => (id === account?.accountId ? { me: true, name: msg("You") } : who(id));
  // A 1:1 chat shows identity trouble in its banner (sealed-identity-banner) and has no membership.
  if (conv.kind !== "group") return [];
  const g = group;
  if (!g) return [];
  const lines: SystemLineView[] = [];
  // A line's place follows its entry's position in the log, never the time its author claims: each is
  // shown no earlier than the one before it (a backdated entry cannot jump ahead of "created the group").
  let after = 0;
  for (const [i, bytes] of g.entries.entries()) {
    const e = decodeMembershipEntry(bytes);
    after = Math.max(after, e.createdAt);
    lines.push({ kind: "system", key: `m${i}`, at: after, text: membershipText(e.change, subject(e.author.accountId), who) });
  }
  if (g.name !== undefined && g.namedBy !== undefined && g.namedAt !== undefined) {
    const by = subject(g.namedBy);
    const to = g.name;
    const text = by.me ? msg(str`You renamed the group to “${to}”`) : msg(str`${by.name} renamed the group to “${to}”`);
    lines.push({ kind: "system", key: "name", at: g.namedAt, text });
  }
  if (g.problem) lines.push({ kind: "system", key: "m-problem", at: g.problem.at, warning: true, text: msg("The server sent a change to this group that no admin made. It was refused.") });
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
    if (c.status !== "verified" && c.problem) lines.push({ kind: "system", key: `s${id}`, at: c.problem.at, warning: true, text: msg(str`${c.username}'s safety number changed. Verify it before you trust new messages.`) });
  }
  return lines.sort((a, b) => a.at - b.at);
}
