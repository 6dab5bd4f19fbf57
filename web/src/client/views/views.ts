import { msg } from "@lit/localize";
/**
 * views/: what the UI reads. views.ts: reads of the store shaped for display, for live queries (the
 * conversation list, a chat's messages and timeline, a group's details); system-lines.ts: the lines a
 * chat shows for membership and key events; message-fold.ts: replies, reactions, edits and deletes
 * folded into the bubbles; row-cache.ts: what an open chat keeps between runs; last-message.ts: the
 * chat list's last message. Reads only; every change goes through ChatClient.
 */
import { Dexie } from "dexie";
import { GroupRole, type AccountId, type ConversationId } from "../../../../protocol/index.js";
import { getAccount, getContact, getConversation, getGroup, listConversations, listContacts, listGroups, listMessagesByStatus, type SealedDb } from "../store/db.js";
import type { AccountRow, ContactProblem, ContactRow, ContactStatus, GroupRow, MessageRow } from "../store/rows.js";
import { systemLines, type SystemLineView } from "./system-lines.js";
import { byTimelineOrder, foldMessages, type FoldNames, type MessageView } from "./message-fold.js";
import { chatCache } from "./row-cache.js";
import { lastBubbleRows, type HiddenRows } from "./last-message.js";
import { isShownKind } from "../conversations/content-rows.js";
import { deliveryOf, memberMarks, type DeliveryView, type MemberMarks } from "./receipts.js";
import { unreadCount, unreadMentionOf } from "./unread.js";
import { attachmentSummary } from "./attachment-view.js";
import { listChatPrefs, getChatPrefs } from "../chats/chat-controls.js";
import { hiddenByBlock, staysArchived } from "../chats/chat-order.js";
import type { ChatPrefsRow } from "../chats/chat-prefs-row.js";
import { getPushPrefs } from "../push/prefs.js";
import { profileViews, type ProfileView } from "../profiles/profile-view.js";
import { listProfileRows } from "../profiles/profile-store.js";

export { DELETED_TEXT, NEEDS_NEWER_VERSION, type MentionView, type MessageView, type ReactionView, type ReplyQuote } from "./message-fold.js";
export type { DeliveryView };
export type { AttachmentView } from "./attachment-view.js";

/**
 * Read models for the UI. They only read IndexedDB (no crypto, no network), so they can run inside a
 * Dexie liveQuery and re-run whenever the tables they read change, in this tab or another.
 */

export interface PeerView {
  readonly accountId: AccountId;
  readonly username: string;
  /** The display name from the account's encrypted profile, when one was received and checked. */
  readonly displayName?: string;
  /** The profile's avatar as an image URL. */
  readonly avatarUrl?: string;
  readonly status: ContactStatus;
  readonly problem?: ContactProblem;
  /** The contact's messages cite a newer device list than the server provides: sending is paused. */
  readonly logWithheld?: boolean;
  /** Marked verified on this device (a scanned code or by hand), and not reset since. */
  readonly verified?: boolean;
  /** A reset replaced the contact's identity key since it was last acknowledged ("Trust again"). */
  readonly keyChanged?: boolean;
}

export interface MemberView extends PeerView {
  readonly role: "admin" | "member";
  readonly isMe: boolean;
}

export interface GroupView {
  /** The decrypted group name; undefined until one is readable (the UI says "Unnamed group"). */
  readonly name?: string;
  /** In the order they joined, this account included while it is a member. */
  readonly members: readonly MemberView[];
  /** This account's role; "none" once it was removed or left. */
  readonly myRole: "admin" | "member" | "none";
  readonly historyForNewMembers: boolean;
  /** The server served a membership change that no admin signed (or a log that forked): warn, keep the old one. */
  readonly problem?: { readonly code: string; readonly detail: string; readonly at: number };
  /** A key of this group was made for a membership change the server does not provide: sending is paused. */
  readonly membershipWithheld?: boolean;
}

interface ConversationViewCommon {
  readonly id: ConversationId;
  /** What the list and the chat header show: the peer's username or the group's name. */
  readonly title: string;
  readonly updatedAt: number;
  readonly rejected: number;
  /** Shown messages of others past what this account has read (views/unread.ts). */
  readonly unread: number;
  /** An unread message mentions this account. */
  readonly unreadMention?: true;
  readonly last?: { readonly text: string; readonly sentAt: number; readonly mine: boolean };
  /** Chat-list controls (chats/chat-controls.ts): pinned (in this order), archived, marked unread, blocked. */
  readonly pinOrder?: number;
  readonly archived?: true;
  /** Archived, and brought back by a newer message: the list clears the archive (ChatControls.archive) so it stays back. */
  readonly unarchivedByMessage?: true;
  readonly markedUnread?: true;
  readonly blocked?: true;
}

export type ConversationView = (ConversationViewCommon & { readonly kind: "direct"; readonly peer: PeerView }) | (ConversationViewCommon & { readonly kind: "group"; readonly group: GroupView });

export type { SystemLineView };
/** One row of a chat's timeline: a message, or a line saying what changed ("Alice added Carol"). */
export type TimelineItem = MessageView | SystemLineView;

export const UNNAMED_GROUP = "Unnamed group";

/** What the UI calls a person: the profile's display name, else the username. */
export function nameOf(p: Pick<PeerView, "username" | "displayName">): string {
  return p.displayName ?? p.username;
}

function withProfile(p: ProfileView | undefined): Pick<PeerView, "displayName" | "avatarUrl"> {
  return { ...(p?.displayName !== undefined ? { displayName: p.displayName } : {}), ...(p?.avatarUrl !== undefined ? { avatarUrl: p.avatarUrl } : {}) };
}

function peerView(c: ContactRow | undefined, id: AccountId, profile?: ProfileView): PeerView {
  if (!c) return { accountId: id, username: "unknown", status: "verified" };
  const withheld = c.citedSeq !== undefined && c.citedSeq > c.head.seq;
  return {
    accountId: c.accountId,
    username: c.username,
    ...withProfile(profile),
    status: c.status,
    ...(c.problem ? { problem: c.problem } : {}),
    ...(withheld ? { logWithheld: true } : {}),
    ...(c.verified && c.status === "verified" ? { verified: true } : {}),
    ...(c.keyChanged ? { keyChanged: true } : {}),
  };
}

function groupView(g: GroupRow | undefined, account: AccountRow | undefined, contacts: ReadonlyMap<string, ContactRow>, profiles: ReadonlyMap<AccountId, ProfileView>): GroupView {
  const me = account?.accountId;
  const members: MemberView[] = (g?.members ?? []).map((m) => {
    const isMe = m.accountId === me;
    const peer: PeerView =
      isMe && account
        ? { accountId: account.accountId, username: account.username, status: "verified", ...withProfile(profiles.get(account.accountId)) }
        : peerView(contacts.get(m.accountId), m.accountId, profiles.get(m.accountId));
    return { ...peer, role: m.role === GroupRole.admin ? "admin" : "member", isMe };
  });
  const mine = members.find((m) => m.isMe);
  return {
    ...(g?.name !== undefined ? { name: g.name } : {}),
    members,
    // Refused by the server (removed, or left on another device): shown as no longer a member.
    myRole: mine && g?.refusedAt === undefined ? mine.role : "none",
    historyForNewMembers: g?.historyForNewMembers ?? false,
    ...(g?.problem ? { problem: g.problem } : {}),
    ...(g?.withheldHead ? { membershipWithheld: true } : {}),
  };
}

/**
 * Whether a stored row is hidden by the chat's controls: deleted from this device ("Delete chat"), or a
 * message of a blocked peer (chats/chat-order.ts hiddenByBlock).
 */
export function hiddenBy(p: ChatPrefsRow | undefined, peer: AccountId | undefined): (r: MessageRow) => boolean {
  if (!p) return () => false;
  return (r) => (r.seq !== undefined && p.deletedUpTo !== undefined && r.seq <= p.deletedUpTo) || (peer !== undefined && r.senderAccountId === peer && hiddenByBlock(r.seq, p));
}

/** hiddenBy as lastBubbleRows reads it: on raw rows, keyed by the settings that decide it. */
function hiddenRows(p: ChatPrefsRow | undefined, hidden: (r: MessageRow) => boolean): HiddenRows {
  if (!p || (p.deletedUpTo === undefined && p.blockedSince === undefined && !p.hidden?.length)) return { key: "", hides: () => false };
  return {
    key: JSON.stringify([p.deletedUpTo, p.blockedSince, p.hidden]),
    // Only `seq` and `senderAccountId` are read, each checked by hiddenBy's comparisons.
    hides: (raw) => typeof raw === "object" && raw !== null && hidden(raw as MessageRow),
  };
}

export async function conversationViews(db: SealedDb): Promise<ConversationView[]> {
  const account = await getAccount(db);
  const prefs = await listChatPrefs(db);
  const muted = new Set((await getPushPrefs(db)).muted);
  const contacts = new Map((await listContacts(db)).map((c) => [c.accountId, c]));
  const groups = new Map((await listGroups(db)).map((g) => [g.conversationId, g]));
  const profiles = profileViews(await listProfileRows(db));
  // Messages not on the server yet come after every stored one (as in messageViews).
  const unsent = new Map<string, MessageRow[]>();
  for (const m of [...(await listMessagesByStatus(db, "pending")), ...(await listMessagesByStatus(db, "failed"))]) {
    const list = unsent.get(m.conversationId) ?? [];
    list.push(m);
    unsent.set(m.conversationId, list);
  }
  const names: FoldNames = { me: account?.accountId, nameOf: () => "" };
  const out: ConversationView[] = [];
  for (const c of await listConversations(db)) {
    const pending = unsent.get(c.id) ?? [];
    const p = prefs.get(c.id);
    const hidden = hiddenBy(p, c.kind === "direct" ? c.peer : undefined);
    // The newest stored bubble and the edits and deletes of it: enough to fold its text.
    const tail = pending.some((m) => isShownKind(m.kindNumber)) ? [] : await lastBubbleRows(db, c.id, hiddenRows(p, hidden));
    const rows = [...tail, ...pending.sort(byTimelineOrder)];
    const last = foldMessages(rows, names).at(-1);
    const archived = staysArchived(p?.archivedAt, last && !last.mine ? last.seq : undefined, muted.has(c.id));
    const common = {
      id: c.id,
      updatedAt: c.updatedAt,
      rejected: c.rejected,
      unread: await unreadCount(db, c, account?.accountId, hidden),
      ...((await unreadMentionOf(db, c, account?.accountId, hidden)) ? { unreadMention: true as const } : {}),
      ...(last ? { last: { text: last.attachment ? attachmentSummary(last.attachment) : last.text, sentAt: last.sentAt, mine: last.mine } } : {}),
      ...(p?.pinOrder !== undefined ? { pinOrder: p.pinOrder } : {}),
      ...(archived ? { archived: true as const } : p?.archivedAt !== undefined ? { unarchivedByMessage: true as const } : {}),
      ...(p?.markedUnread ? { markedUnread: true as const } : {}),
      ...(p?.blockedSince !== undefined ? { blocked: true as const } : {}),
    };
    if (c.kind === "direct") {
      const peer = peerView(contacts.get(c.peer), c.peer, profiles.get(c.peer));
      out.push({ ...common, kind: "direct", title: nameOf(peer), peer });
    } else {
      const group = groupView(groups.get(c.id), account, contacts, profiles);
      out.push({ ...common, kind: "group", title: group.name ?? msg("Unnamed group"), group });
    }
  }
  return out;
}

/** What a chat's views may show: `showRead` false when read receipts are off on this device. */
export interface ViewOptions {
  readonly showRead?: boolean;
  /**
   * Only the newest `newest` bubbles, with everything stored after the oldest of them (their reactions,
   * edits, deletes and marks all come later in server order), and the unsent ones: what a long chat
   * shows first, read in a few milliseconds, before the whole timeline (readChatRows). A reply whose quote
   * is older shows without it until then.
   */
  readonly newest?: number;
}

/** The rows for `ViewOptions.newest`, raw, as readChatRows returns them. */
async function readNewestRows(db: SealedDb, conversationId: ConversationId, newest: number): Promise<unknown[]> {
  // Rows, not index keys: Dexie reads rows in one getAll (newest first, where the browser has IndexedDB 3's
  // direction), while keys take a cursor step, one round trip to IndexedDB, per bubble (most of the open).
  const bubbles: unknown[] = await db.messages.where("[shownIn+seq]").between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey]).reverse().limit(newest).toArray();
  const oldest = bubbles.at(-1);
  const from = typeof oldest === "object" && oldest !== null && "seq" in oldest && typeof oldest.seq === "number" ? oldest.seq : Dexie.minKey;
  const stored: unknown[] = await db.messages.where("[conversationId+seq]").between([conversationId, from], [conversationId, Dexie.maxKey], true, true).toArray();
  // Superseded rows leave the live index (store/fold-keys.ts): the same rows readChatRows would give.
  const live = stored.filter((r) => typeof r === "object" && r !== null && "liveIn" in r && r.liveIn === conversationId);
  const unsent: unknown[] = await db.messages.where("status").anyOf("pending", "failed").toArray();
  return [...live, ...unsent.filter((r) => typeof r === "object" && r !== null && "conversationId" in r && r.conversationId === conversationId)];
}

/** Rows read per request when a chat's rows are read (see readChatRows). */
const READ_PAGE = 1_000;

/**
 * The rows of a chat the timeline needs: every row not superseded (store/fold-keys.ts), through the
 * `[liveIn+clientMessageId]` index, so 10,000 reactions to one message cost one row here, not 10,000.
 * Read in pages of READ_PAGE, not in one request, whose values are all copied out (and cloned by
 * Dexie's query cache) in one long task.
 */
async function readChatRows(db: SealedDb, conversationId: ConversationId): Promise<unknown[]> {
  // One read-only transaction for every page: IndexedDB queues a transaction behind any read-write one on
  // the same store (the search indexer's batches), and a page per transaction waited behind one batch each.
  return db.transaction("r", db.messages, () => readChatPages(db, conversationId));
}

async function readChatPages(db: SealedDb, conversationId: ConversationId): Promise<unknown[]> {
  const out: unknown[] = [];
  let from: [ConversationId, string] | undefined;
  for (;;) {
    const lower = from ?? [conversationId, Dexie.minKey];
    const page: { clientMessageId: string }[] = await db.messages
      .where("[liveIn+clientMessageId]")
      .between(lower, [conversationId, Dexie.maxKey], from === undefined, true)
      .limit(READ_PAGE)
      .toArray();
    out.push(...page);
    const last = page.at(-1);
    if (page.length < READ_PAGE || last === undefined) return out;
    from = [conversationId, last.clientMessageId];
  }
}

/** The ticks of the previous run, by the folded view they were added to (unchanged views are the same objects). */
const delivered = new WeakMap<MessageView, { readonly key: string; readonly view: MessageView }>();

/**
 * One's own stored message with its ticks (views/receipts.ts). The same object as in the previous run
 * when neither the message nor its ticks changed, so the list re-renders only the bubbles that did.
 */
function withDelivery(v: MessageView, marks: readonly MemberMarks[]): MessageView {
  if (!v.mine || v.seq === undefined) return v;
  const delivery = deliveryOf(v.seq, marks);
  const key = JSON.stringify(delivery);
  const before = delivered.get(v);
  if (before?.key === key) return before.view;
  const view = { ...v, delivery };
  delivered.set(v, { key, view });
  return view;
}

/** The messages: in server order (seq), then those still pending in the order they were written. */
export async function messageViews(db: SealedDb, conversationId: ConversationId, o: ViewOptions = {}): Promise<MessageView[]> {
  return foldedViews(db, conversationId, await (o.newest === undefined ? readChatRows(db, conversationId) : readNewestRows(db, conversationId, o.newest)), o);
}

/**
 * The views of raw rows of a chat (messageViews, timeline-window.ts): parsed, hidden ones left out, folded,
 * with ticks. Rows whose client message id is in `context` were read only for what they say (a quoted
 * message outside a window, views/timeline-window.ts): they fold like any row but are not returned.
 */
export async function foldedViews(db: SealedDb, conversationId: ConversationId, raws: readonly unknown[], o: ViewOptions = {}, context?: ReadonlySet<string>, inputs?: Promise<FoldInputs>): Promise<MessageView[]> {
  const { account, conv, prefs, profileRows, group } = await (inputs ?? foldInputs(db, conversationId));
  // Parsed through the chat's cache: unchanged rows are not parsed or folded again (row-cache.ts).
  const cache = chatCache(db.name, conversationId);
  const parsed = cache.parse(raws);
  const hidden = hiddenBy(prefs, conv?.kind === "direct" ? conv.peer : undefined);
  const rows = parsed.filter((r) => !hidden(r));
  const names = new Map<string, string>();
  const profiles = profileViews(profileRows);
  if (account) names.set(account.accountId, profiles.get(account.accountId)?.displayName ?? account.username);
  // The other members whose marks make the ticks: the peer, or the group's current members.
  const others = conv?.kind === "direct" ? [conv.peer] : (group?.members ?? []).map((m) => m.accountId).filter((id) => id !== account?.accountId);
  const mentioned = rows.flatMap((r) => r.mentions?.map((m) => m.accountId) ?? []);
  // The contacts read together: one IndexedDB round trip, not one per sender, before the first frame.
  const unnamed = [...new Set([...rows.map((r) => r.senderAccountId), ...others, ...mentioned])].filter((id) => !names.has(id));
  const contacts = await Promise.all(unnamed.map((id) => (profiles.get(id as AccountId)?.displayName !== undefined ? undefined : getContact(db, id))));
  unnamed.forEach((id, i) => names.set(id, profiles.get(id as AccountId)?.displayName ?? contacts[i]?.username ?? "unknown"));
  const marks = memberMarks(rows, new Map(others.map((id) => [id, names.get(id) ?? "unknown"])), o.showRead ?? true);
  rows.sort(byTimelineOrder);
  const memo = { previous: cache.views, next: new Map() };
  const views = foldMessages(rows, { me: account?.accountId, nameOf: (id) => names.get(id) ?? "unknown" }, memo);
  cache.views = memo.next;
  const shown = context?.size ? views.filter((v) => !context.has(v.key)) : views;
  return shown.map((v) => withDelivery(v, marks));
}

/** What foldedViews reads besides the rows: who this account is, the chat, its settings, the profiles and the group. */
export interface FoldInputs {
  readonly account: AccountRow | undefined;
  readonly conv: Awaited<ReturnType<typeof getConversation>>;
  readonly prefs: ChatPrefsRow;
  readonly profileRows: Awaited<ReturnType<typeof listProfileRows>>;
  readonly group: GroupRow | undefined;
}

/**
 * foldedViews' own reads, started together (each is a small read by key): awaited one after another
 * they were five IndexedDB round trips before an open chat's first frame. A caller may start them
 * alongside its own reads (timeline-window.ts).
 */
export function foldInputs(db: SealedDb, conversationId: ConversationId): Promise<FoldInputs> {
  return Promise.all([getAccount(db), getConversation(db, conversationId), getChatPrefs(db, conversationId), listProfileRows(db), getGroup(db, conversationId)]).then(([account, conv, prefs, profileRows, group]) => ({
    account,
    conv,
    prefs,
    profileRows,
    group: conv?.kind === "group" ? group : undefined,
  }));
}

/** What a chat shows: the messages (messageViews) with system lines placed by time among the stored ones. */
export async function timelineViews(db: SealedDb, conversationId: ConversationId, o: ViewOptions = {}): Promise<TimelineItem[]> {
  // Both start at once: Dexie follows the reads of a liveQuery (or a transaction) through the awaits of
  // one async call, but the zone is lost after awaiting one async view and then starting another, and
  // the live query would then miss changes to what the second one reads (a group's membership).
  const [messages, lines] = await Promise.all([messageViews(db, conversationId, o), systemLines(db, conversationId)]);
  return lines.length === 0 ? messages : placeLines(messages, lines);
}

/** The messages with system lines placed by time among the stored ones (the timeline and its window). */
export function placeLines(messages: readonly MessageView[], lines: readonly SystemLineView[]): TimelineItem[] {
  if (lines.length === 0) return [...messages];
  const out: TimelineItem[] = [];
  let i = 0;
  for (const m of messages) {
    while (i < lines.length && m.seq !== undefined && lines[i]!.at <= m.sentAt) out.push(lines[i++]!);
    out.push(m);
  }
  // Lines newer than every stored message go before the pending ones (which are newer still).
  const firstPending = out.findIndex((x) => x.kind === "message" && x.seq === undefined);
  const rest = lines.slice(i);
  if (firstPending < 0) out.push(...rest);
  else out.splice(firstPending, 0, ...rest);
  return out;
}

/** The peer of a 1:1 chat; undefined for a group. */
export function peerOf(v: ConversationView): PeerView | undefined {
  return v.kind === "direct" ? v.peer : undefined;
}

export async function conversationView(db: SealedDb, id: ConversationId): Promise<ConversationView | undefined> {
  return (await conversationViews(db)).find((c) => c.id === id);
}

/** The group of a conversation as the member panel shows it; undefined for a 1:1 chat. */
export async function groupViewOf(db: SealedDb, id: ConversationId): Promise<GroupView | undefined> {
  const g = await getGroup(db, id);
  if (!g) return undefined;
  return groupView(g, await getAccount(db), new Map((await listContacts(db)).map((c) => [c.accountId, c])), profileViews(await listProfileRows(db)));
}
