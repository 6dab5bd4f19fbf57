import { Dexie } from "dexie";
import type { AccountId, ConversationId } from "../../../protocol/index.js";
import { getAccount, getContact, listConversations, listContacts, listMessages, listMessagesByStatus, type SealedDb } from "./db.js";
import { messageRow, parseRow, type ContactProblem, type ContactStatus, type MessageRow, type MessageStatus } from "./rows.js";

/**
 * Read models for the UI. They only read IndexedDB (no crypto, no network), so they can run inside a
 * Dexie liveQuery and re-run whenever the tables they read change, in this tab or another.
 */

export interface PeerView {
  readonly accountId: AccountId;
  readonly username: string;
  readonly status: ContactStatus;
  readonly problem?: ContactProblem;
  /** The contact's messages cite a newer device list than the server serves: sending is paused. */
  readonly logWithheld?: boolean;
}

export interface ConversationView {
  readonly id: ConversationId;
  readonly peer: PeerView;
  readonly updatedAt: number;
  readonly rejected: number;
  readonly last?: { readonly text: string; readonly sentAt: number; readonly mine: boolean };
}

export interface MessageView {
  readonly key: string;
  readonly seq?: number;
  readonly mine: boolean;
  readonly senderName: string;
  readonly text: string;
  readonly sentAt: number;
  readonly status: MessageStatus;
  readonly missingBefore: number;
  readonly chainBroken: boolean;
  /** Why the server refused it (status `failed`), for a tooltip. */
  readonly failure?: string;
}

function peerView(c: { accountId: AccountId; username: string; status: ContactStatus; problem?: ContactProblem; citedSeq?: number; head: { seq: number } } | undefined, id: AccountId): PeerView {
  if (!c) return { accountId: id, username: "unknown", status: "verified" };
  const withheld = c.citedSeq !== undefined && c.citedSeq > c.head.seq;
  return { accountId: c.accountId, username: c.username, status: c.status, ...(c.problem ? { problem: c.problem } : {}), ...(withheld ? { logWithheld: true } : {}) };
}

export async function conversationViews(db: SealedDb): Promise<ConversationView[]> {
  const account = await getAccount(db);
  const contacts = new Map((await listContacts(db)).map((c) => [c.accountId, c]));
  // Messages not on the server yet come after every stored one (as in messageViews).
  const unsent = new Map<string, MessageRow>();
  for (const m of [...(await listMessagesByStatus(db, "pending")), ...(await listMessagesByStatus(db, "failed"))]) {
    const prev = unsent.get(m.conversationId);
    if (!prev || m.sentAt >= prev.sentAt) unsent.set(m.conversationId, m);
  }
  const out: ConversationView[] = [];
  for (const c of await listConversations(db)) {
    const lastRaw = await db.messages.where("[conversationId+seq]").between([c.id, Dexie.minKey], [c.id, Dexie.maxKey]).last();
    const last = unsent.get(c.id) ?? (lastRaw === undefined ? undefined : parseRow(messageRow, "messages", lastRaw));
    out.push({
      id: c.id,
      peer: peerView(contacts.get(c.peer), c.peer),
      updatedAt: c.updatedAt,
      rejected: c.rejected,
      ...(last ? { last: { text: last.text, sentAt: last.sentAt, mine: last.senderAccountId === account?.accountId } } : {}),
    });
  }
  return out;
}

/** Server order (seq) first; messages still pending follow in the order they were written. */
export async function messageViews(db: SealedDb, conversationId: ConversationId): Promise<MessageView[]> {
  const account = await getAccount(db);
  const rows = await listMessages(db, conversationId);
  const names = new Map<string, string>();
  if (account) names.set(account.accountId, account.username);
  for (const id of new Set(rows.map((r) => r.senderAccountId))) {
    if (!names.has(id)) names.set(id, (await getContact(db, id))?.username ?? "unknown");
  }
  rows.sort((a, b) => {
    if (a.seq !== undefined && b.seq !== undefined) return a.seq - b.seq;
    if (a.seq !== undefined) return -1;
    if (b.seq !== undefined) return 1;
    return a.sentAt - b.sentAt || a.counter - b.counter;
  });
  return rows.map((r) => ({
    key: r.clientMessageId,
    ...(r.seq !== undefined ? { seq: r.seq } : {}),
    mine: r.senderAccountId === account?.accountId,
    senderName: names.get(r.senderAccountId) ?? "unknown",
    text: r.text,
    sentAt: r.sentAt,
    status: r.status,
    missingBefore: r.missingBefore ?? 0,
    chainBroken: r.chainBroken ?? false,
    ...(r.failure ? { failure: `The server refused this message (${r.failure.code}, HTTP ${r.failure.status}).` } : {}),
  }));
}

export async function conversationView(db: SealedDb, id: ConversationId): Promise<ConversationView | undefined> {
  return (await conversationViews(db)).find((c) => c.id === id);
}
