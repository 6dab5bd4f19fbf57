import type { AccountId, ConversationId } from "../../../../protocol/index.js";
import { getDevice, listConversations, type SealedDb } from "../store/db.js";
import { parseRow } from "../store/rows.js";
import { chatPrefsRow, settingsShareRow, type ChatPrefsRow } from "./chat-prefs-row.js";

/**
 * The local half of chat-settings sync (docs/decisions.md "Chat settings sync"): every change of a chat's
 * settings on this device takes the next Lamport revision (one more than the highest this device has seen
 * for the chat, kept in the row), names this device as writer and queues the chat to be sealed and sent
 * (sync/chat-settings.ts). Called inside the caller's transaction, which must include `device` and
 * `settingsShares`, so the change and its queueing commit together.
 */
export async function withNextRevision(db: SealedDb, p: ChatPrefsRow): Promise<ChatPrefsRow> {
  const device = await getDevice(db);
  if (!device) return p; // not signed up: nothing to share with
  const revision = (p.revision ?? 0) + 1;
  await db.settingsShares.put(parseRow(settingsShareRow, "settingsShares", { conversationId: p.conversationId, revision }));
  return { ...p, revision, writer: device.deviceId };
}

/** The 1:1 chat with `peer`, if this device has one. */
export async function directChatWith(db: SealedDb, peer: AccountId): Promise<ConversationId | undefined> {
  return (await listConversations(db)).find((c) => c.kind === "direct" && c.peer === peer)?.id;
}

/** The tables a transaction that changes a contact's verification and queues its share must hold. */
export function verificationTables(db: SealedDb) {
  return [db.contacts, db.conversations, db.chatPrefs, db.settingsShares, db.device];
}

/**
 * The verification of `peer` changed (marked, cleared, trusted again): its 1:1 chat's settings take the
 * next revision and are queued, so the account's other devices learn it. `trustedIdentity`: the identity
 * key whose change was just acknowledged. Inside a transaction over verificationTables().
 */
export async function queueVerificationShare(db: SealedDb, peer: AccountId, trustedIdentity?: Uint8Array): Promise<void> {
  const id = await directChatWith(db, peer);
  if (id === undefined) return; // no 1:1 chat: the mark stays on this device
  const r = await db.chatPrefs.get(id);
  const p = r === undefined ? { conversationId: id } : parseRow(chatPrefsRow, "chatPrefs", r);
  await db.chatPrefs.put(parseRow(chatPrefsRow, "chatPrefs", await withNextRevision(db, trustedIdentity ? { ...p, trustedIdentity } : p)));
}
