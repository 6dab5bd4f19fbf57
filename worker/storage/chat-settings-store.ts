// The chat-settings store keeps, per account and conversation, the newest sealed chat settings the
// account's devices wrote (docs/PROTOCOL.md "Chat settings"): opaque bytes to the server but for the clear
// revision, which decides whether a write is newer. Today a D1 table (worker/db/d1-chat-settings-store.ts).
import type { AccountId, ConversationId } from "../../protocol/ids.js";

export interface StoredChatSettings {
  readonly conversationId: ConversationId;
  readonly sealed: Uint8Array;
  /** The account's write counter when this blob was written: higher is newer, across all its conversations. */
  readonly version: number;
}

/** A put's outcome: stored under a new version, or refused because the stored revision is not below it. */
export type ChatSettingsPut = { readonly stored: true; readonly version: number } | { readonly stored: false; readonly revision: number };

export interface ChatSettingsStore {
  /**
   * Replaces the account's blob for the conversation if `revision` is above the stored one (or none is
   * stored), giving it the next version of the account, atomically; otherwise stores nothing and says
   * which revision is stored.
   */
  put(p: { accountId: AccountId; conversationId: ConversationId; sealed: Uint8Array; revision: number; now: number }): Promise<ChatSettingsPut>;
  /** The account's blobs written after version `after`, oldest first, at most `limit`; `more` if there are others. */
  listSince(accountId: AccountId, after: number, limit: number): Promise<{ settings: StoredChatSettings[]; more: boolean }>;
}
