/**
 * store/: the local IndexedDB store (DESIGN "Offline first") and nothing else. db.ts holds the Dexie
 * schema and the typed reads and writes; rows.ts the row schemas every read and write passes (a row
 * that fails is corrupt_store); lock.ts the in-tab locks ("send:<id>", "recv:<id>") that keep one
 * operation per conversation and direction at a time. It imports only protocol/ and errors.ts.
 */
import { Dexie, type DexieOptions, type Table } from "dexie";
import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import {
  accountCursorRow,
  accountRow,
  chainRow,
  contactRow,
  conversationRow,
  cursorRow,
  deviceRow,
  epochRow,
  groupRow,
  messageRow,
  parseRow,
  parseRows,
  readShareRow,
  sendChainRow,
  type AccountCursorRow,
  type AccountRow,
  type ChainRow,
  type ContactRow,
  type ConversationRow,
  type CursorRow,
  type DeviceRow,
  type EnvelopeRow,
  type EpochRow,
  type GroupRow,
  type MessageRow,
  type ReadShareRow,
  type SendChainRow,
} from "./rows.js";
import { foldKey, outranks, supersededRow, withIndexFields } from "./fold-keys.js";
import type { UploadFileRow, UploadRow } from "./upload-row.js";
import type { PushPrefsRow } from "../push/prefs-row.js";
import type { SearchPostingRow, SearchProgressRow, SearchTermRow } from "../search/search-rows.js";
import type { ChatPrefsRow, SettingsShareRow } from "../chats/chat-prefs-row.js";
import type { ProfileRow, ProfileShareRow } from "../profiles/profile-rows.js";

import { DB_NAME } from "./db-name.js";

export { DB_NAME };

/**
 * The local store. Each schema version is kept as written; a change is a new `this.version(n)` (with an
 * upgrade function when rows change shape), never an edit of an old one. Only indexed fields are listed;
 * rows carry more (rows.ts).
 *
 * What it holds (DESIGN "Offline first"): envelopes as received (`envelopes`), the decrypted-message
 * cache and the outbox (`messages`: pending rows carry their sealed envelope), cursors (`cursors`),
 * contacts with their verified logs, epoch keys, and this device's keys and account.
 */
export class SealedDb extends Dexie {
  declare device: Table<DeviceRow, "self">;
  declare account: Table<AccountRow, "self">;
  declare contacts: Table<ContactRow, AccountId>;
  declare conversations: Table<ConversationRow, ConversationId>;
  declare epochs: Table<EpochRow, [ConversationId, number]>;
  declare envelopes: Table<EnvelopeRow, [ConversationId, number]>;
  declare messages: Table<MessageRow, [ConversationId, string]>;
  declare chains: Table<ChainRow, [ConversationId, string]>;
  declare sendChains: Table<SendChainRow, ConversationId>;
  declare cursors: Table<CursorRow, ConversationId>;
  declare groups: Table<GroupRow, ConversationId>;
  declare readShares: Table<ReadShareRow, ConversationId>;
  declare accountCursors: Table<AccountCursorRow, AccountCursorRow["name"]>;
  declare uploads: Table<UploadRow, string>;
  declare uploadFiles: Table<UploadFileRow, string>;
  declare pushPrefs: Table<PushPrefsRow, "self">;
  declare searchPostings: Table<SearchPostingRow, [string, number, ConversationId, string]>;
  declare searchProgress: Table<SearchProgressRow, ConversationId>;
  declare searchTerms: Table<SearchTermRow, string>;
  declare chatPrefs: Table<ChatPrefsRow, ConversationId>;
  declare settingsShares: Table<SettingsShareRow, ConversationId>;
  declare profiles: Table<ProfileRow, AccountId>;
  declare profileShares: Table<ProfileShareRow, ConversationId>;

  constructor(name = DB_NAME, options?: DexieOptions) {
    // Live queries get the rows Dexie's query cache holds, frozen, instead of a deep copy of every row at
    // every re-run ("cloned", the default): the views only read them (parsing makes new objects), and the
    // copies were much of what the garbage collector cleared while reactions streamed into an open chat.
    super(name, { cache: "immutable", ...options });
    this.version(1).stores({
      device: "id",
      account: "id",
      contacts: "accountId, username",
      conversations: "id, peer, updatedAt",
      epochs: "[conversationId+epoch]",
      envelopes: "[conversationId+seq]",
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId",
      chains: "[conversationId+deviceId]",
      sendChains: "conversationId",
      cursors: "conversationId",
    });
    // 2: messages indexed by status, so the outbox (pending) and failed sends are found without a scan.
    // Adding an index needs no upgrade function: Dexie builds it from the existing rows.
    this.version(2).stores({
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status",
    });
    // 3: group conversations. Every stored conversation so far is a 1:1 chat; groups keep their verified
    // membership log in their own table.
    this.version(3)
      .stores({ groups: "conversationId" })
      .upgrade(async (tx) => {
        await tx.table("conversations").toCollection().modify((c: Record<string, unknown>) => {
          c["kind"] ??= "direct";
        });
      });
    // 4: content kinds are applied. A row of a known kind other than text stored before that (kinds 2-6,
    // kept as "needs a newer version" with only their number) is marked `reopen`, and sync/reopen.ts opens
    // its stored envelope again to fill in and apply what it says. The index holds only marked rows.
    this.version(4)
      .stores({ messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen" })
      .upgrade(async (tx) => {
        await tx.table("messages").toCollection().modify((m: Record<string, unknown>) => {
          const kind = m["kindNumber"];
          if (typeof kind === "number" && kind >= 2 && kind <= 6 && m["ref"] === undefined && m["seq"] !== undefined) m["reopen"] = 1;
        });
      });
    // 5: superseded rows and bubbles indexed by position (store/fold-keys.ts). Every row gets its index
    // fields; of the stored reactions,
    // edits and receipt marks that say the same thing, all but the winner are marked superseded.
    this.version(5)
      .stores({ messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen, [liveIn+clientMessageId], [shownIn+seq], foldKey" })
      .upgrade(async (tx) => {
        const messages = tx.table("messages");
        const winners = new Map<string, MessageRow>();
        await messages.each((raw: unknown) => {
          const r = messageRow.safeParse(raw);
          const key = r.success ? foldKey(r.data) : undefined;
          if (!r.success || key === undefined) return;
          const best = winners.get(key);
          if (!best || outranks(r.data, best)) winners.set(key, r.data);
        });
        await messages.toCollection().modify((m: Record<string, unknown>) => {
          const r = messageRow.safeParse(m);
          // A row that does not parse stays readable, so reading it says corrupt_store as before.
          if (!r.success) return void (m["liveIn"] = m["conversationId"]);
          const key = foldKey(r.data);
          const best = key === undefined ? undefined : winners.get(key);
          if (best && best.clientMessageId !== r.data.clientMessageId) Object.assign(m, supersededRow(r.data));
          else Object.assign(m, withIndexFields(r.data));
        });
      });
    // 6: read state shared between the account's devices (sync/read-state.ts): the positions still to
    // share, and the version of the account's read states applied so far. New tables, no upgrade.
    this.version(6).stores({ readShares: "conversationId", accountCursors: "name" });
    // 7: attachments (content kind 7) are applied. A kind 7 row stored before, as "needs a newer version"
    // with only its number, is marked `reopen` like the kinds of version 4, so its stored envelope is
    // opened again and the attachment fields are filled in. No index changes.
    this.version(7)
      .stores({})
      .upgrade(async (tx) => {
        await tx.table("messages").toCollection().modify((m: Record<string, unknown>) => {
          if (m["kindNumber"] === 7 && m["attachment"] === undefined && m["deletedAt"] === undefined && m["seq"] !== undefined) m["reopen"] = 1;
        });
      });
    // 8: files being sent (store/upload-row.ts, store/uploads.ts): the upload items, by conversation and
    // state, and their files apart from them (progress writes must not rewrite the Blob). New tables.
    this.version(8).stores({ uploads: "id, conversationId, state", uploadFiles: "id" });
    // 9: the local search index (search/search-rows.ts): one posting per term and message, keyed so a
    // term's messages read newest first, and by message so a deleted or edited one leaves it at once; and
    // how far each conversation is indexed. New tables: the history is indexed in the background.
    this.version(9).stores({ searchPostings: "[t+at+c+m], [c+m]", searchProgress: "conversationId" });
    // 10: Web Push on this device (client/push/prefs.ts): what a notification may show and which chats
    // are muted, where the service worker reads them. One row; a new table, no upgrade.
    this.version(10).stores({ pushPrefs: "id" });
    // 11: mentions (content kind 8 around a text, reply or edit) are applied. A kind 8 row stored before,
    // as "needs a newer version", is marked `reopen` like kind 7 at version 7. No index changes.
    this.version(11)
      .stores({})
      .upgrade(async (tx) => {
        await tx.table("messages").toCollection().modify((m: Record<string, unknown>) => {
          if (m["kindNumber"] === 8 && m["deletedAt"] === undefined && m["seq"] !== undefined) m["reopen"] = 1;
        });
      });
    // 12: chat-list controls (chats/chat-prefs-row.ts: pin, archive, mark unread, block, delete for me).
    // A new table, no upgrade.
    this.version(12).stores({ chatPrefs: "conversationId" });
    // 13: encrypted profiles (profiles/profile-rows.ts): each account's profile key, digest and opened
    // name and avatar, and which digest of this account's own profile each conversation was sent. New
    // tables, no upgrade.
    this.version(13).stores({ profiles: "accountId", profileShares: "conversationId" });
    // 14: the search index's per-term figures (search/search-rows.ts searchTermRow), which queries plan
    // with. An index built before has none, so it is rebuilt: postings and progress are cleared and the
    // background indexer indexes the stored history again (the messages themselves are untouched).
    this.version(14)
      .stores({ searchTerms: "t" })
      .upgrade(async (tx) => {
        await tx.table("searchPostings").clear();
        await tx.table("searchProgress").clear();
      });
    // 15: chat settings shared between the account's devices (sync/chat-settings.ts): the conversations
    // whose settings wait to be sealed and sent. A new table; chatPrefs rows gain optional fields only.
    this.version(15).stores({ settingsShares: "conversationId" });
    // 16: an open chat holds a window of its timeline (views/timeline-window.ts): the rows still live by
    // position (`[liveIn+seq]`), and the live reactions, edits and deletes of a message by their target
    // (`[liveIn+ref.clientMessageId]`). Both are built by IndexedDB from fields every row already has.
    this.version(16).stores({
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen, [liveIn+clientMessageId], [shownIn+seq], foldKey, [liveIn+seq], [liveIn+ref.clientMessageId]",
    });
  }
}

// Typed, parsed reads. Writes go through `put*` so the same schemas check what goes in.

export async function getDevice(db: SealedDb): Promise<DeviceRow | undefined> {
  const r = await db.device.get("self");
  return r === undefined ? undefined : parseRow(deviceRow, "device", r);
}

export async function putDevice(db: SealedDb, row: DeviceRow): Promise<void> {
  await db.device.put(parseRow(deviceRow, "device", row));
}

export async function getAccount(db: SealedDb): Promise<AccountRow | undefined> {
  const r = await db.account.get("self");
  return r === undefined ? undefined : parseRow(accountRow, "account", r);
}

export async function putAccount(db: SealedDb, row: AccountRow): Promise<void> {
  await db.account.put(parseRow(accountRow, "account", row));
}

export async function getContact(db: SealedDb, accountId: AccountId): Promise<ContactRow | undefined> {
  const r = await db.contacts.get(accountId);
  return r === undefined ? undefined : parseRow(contactRow, "contacts", r);
}

export async function getContactByUsername(db: SealedDb, username: string): Promise<ContactRow | undefined> {
  const r = await db.contacts.where("username").equals(username).first();
  return r === undefined ? undefined : parseRow(contactRow, "contacts", r);
}

export async function listContacts(db: SealedDb): Promise<ContactRow[]> {
  return parseRows(contactRow, "contacts", await db.contacts.toArray());
}

export async function putContact(db: SealedDb, row: ContactRow): Promise<void> {
  await db.contacts.put(parseRow(contactRow, "contacts", row));
}

export async function getConversation(db: SealedDb, id: ConversationId): Promise<ConversationRow | undefined> {
  const r = await db.conversations.get(id);
  return r === undefined ? undefined : parseRow(conversationRow, "conversations", r);
}

export async function listConversations(db: SealedDb): Promise<ConversationRow[]> {
  return parseRows(conversationRow, "conversations", await db.conversations.orderBy("updatedAt").reverse().toArray());
}

export async function putConversation(db: SealedDb, row: ConversationRow): Promise<void> {
  await db.conversations.put(parseRow(conversationRow, "conversations", row));
}

export async function getGroup(db: SealedDb, conversationId: ConversationId): Promise<GroupRow | undefined> {
  const r = await db.groups.get(conversationId);
  return r === undefined ? undefined : parseRow(groupRow, "groups", r);
}

export async function putGroup(db: SealedDb, row: GroupRow): Promise<void> {
  await db.groups.put(parseRow(groupRow, "groups", row));
}

/**
 * Changes a group's row from the row as it stands, in one transaction: two updates of one group at once
 * (a log judged while a withheld head is noted) both land, neither writes over the other with a row it
 * read before. `change` returns the row to store, or undefined to leave it.
 */
export async function updateGroup(db: SealedDb, conversationId: ConversationId, change: (row: GroupRow | undefined) => GroupRow | undefined): Promise<GroupRow | undefined> {
  return db.transaction("rw", db.groups, async () => {
    const next = change(await getGroup(db, conversationId));
    if (next !== undefined) await putGroup(db, next);
    return next ?? (await getGroup(db, conversationId));
  });
}

export async function listGroups(db: SealedDb): Promise<GroupRow[]> {
  return parseRows(groupRow, "groups", await db.groups.toArray());
}

export async function getEpoch(db: SealedDb, conversationId: ConversationId, epoch: number): Promise<EpochRow | undefined> {
  const r = await db.epochs.get([conversationId, epoch]);
  return r === undefined ? undefined : parseRow(epochRow, "epochs", r);
}

export async function latestEpoch(db: SealedDb, conversationId: ConversationId): Promise<EpochRow | undefined> {
  const r = await db.epochs.where("[conversationId+epoch]").between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey]).last();
  return r === undefined ? undefined : parseRow(epochRow, "epochs", r);
}

/** A conversation's stored epochs, oldest first. */
export async function listEpochs(db: SealedDb, conversationId: ConversationId): Promise<EpochRow[]> {
  return parseRows(epochRow, "epochs", await db.epochs.where("[conversationId+epoch]").between([conversationId, Dexie.minKey], [conversationId, Dexie.maxKey]).toArray());
}

export async function putEpoch(db: SealedDb, row: EpochRow): Promise<void> {
  await db.epochs.put(parseRow(epochRow, "epochs", row));
}

export async function listMessages(db: SealedDb, conversationId: ConversationId): Promise<MessageRow[]> {
  return parseRows(messageRow, "messages", await db.messages.where("conversationId").equals(conversationId).toArray());
}

export async function getMessage(db: SealedDb, conversationId: ConversationId, clientMessageId: string): Promise<MessageRow | undefined> {
  const r = await db.messages.get([conversationId, clientMessageId]);
  return r === undefined ? undefined : parseRow(messageRow, "messages", r);
}

/** Stores several message rows in one request batch. */
export async function putMessages(db: SealedDb, rows: readonly MessageRow[]): Promise<void> {
  await db.messages.bulkPut(rows.map((row) => withIndexFields(parseRow(messageRow, "messages", row))));
}

/** Several messages of one conversation in one request batch, in the order of `clientMessageIds`. */
export async function getMessages(db: SealedDb, conversationId: ConversationId, clientMessageIds: readonly string[]): Promise<(MessageRow | undefined)[]> {
  const rows = await db.messages.bulkGet(clientMessageIds.map((id): [ConversationId, string] => [conversationId, id]));
  return rows.map((r) => (r === undefined ? undefined : parseRow(messageRow, "messages", r)));
}

export async function putMessage(db: SealedDb, row: MessageRow): Promise<void> {
  await db.messages.put(withIndexFields(parseRow(messageRow, "messages", row)));
}

/** The receive chains of several devices in one conversation, in the order of `deviceIds`. */
export async function getChains(db: SealedDb, conversationId: ConversationId, deviceIds: readonly string[]): Promise<(ChainRow | undefined)[]> {
  const rows = await db.chains.bulkGet(deviceIds.map((d): [ConversationId, string] => [conversationId, d]));
  return rows.map((r) => (r === undefined ? undefined : parseRow(chainRow, "chains", r)));
}

export async function getSendChain(db: SealedDb, conversationId: ConversationId): Promise<SendChainRow | undefined> {
  const r = await db.sendChains.get(conversationId);
  return r === undefined ? undefined : parseRow(sendChainRow, "sendChains", r);
}

export async function getCursor(db: SealedDb, conversationId: ConversationId): Promise<number> {
  const r = await db.cursors.get(conversationId);
  return r === undefined ? 0 : parseRow(cursorRow, "cursors", r).after;
}

/** Messages in one state across all conversations (the outbox is `pending`). */
export async function listMessagesByStatus(db: SealedDb, status: MessageRow["status"]): Promise<MessageRow[]> {
  return parseRows(messageRow, "messages", await db.messages.where("status").equals(status).toArray());
}

/** The position of `conversationId` still to share with the account's other devices, if any. */
export async function getReadShare(db: SealedDb, conversationId: ConversationId): Promise<ReadShareRow | undefined> {
  const r = await db.readShares.get(conversationId);
  return r === undefined ? undefined : parseRow(readShareRow, "readShares", r);
}

export async function listReadShares(db: SealedDb): Promise<ReadShareRow[]> {
  return parseRows(readShareRow, "readShares", await db.readShares.toArray());
}

export async function putReadShare(db: SealedDb, row: ReadShareRow): Promise<void> {
  await db.readShares.put(parseRow(readShareRow, "readShares", row));
}

/** Where an account-wide list was last read up to (0: from the start). */
export async function getAccountCursor(db: SealedDb, name: AccountCursorRow["name"]): Promise<number> {
  const r = await db.accountCursors.get(name);
  return r === undefined ? 0 : parseRow(accountCursorRow, "accountCursors", r).after;
}

export async function putAccountCursor(db: SealedDb, row: AccountCursorRow): Promise<void> {
  await db.accountCursors.put(parseRow(accountCursorRow, "accountCursors", row));
}
