// The read-state store keeps, per account and conversation, the newest sealed read state the account's
// devices wrote (docs/PROTOCOL.md "Read state"): opaque bytes to the server. Today a D1 table
// (worker/db/d1-read-state-store.ts); it belongs with the account when the account gets its own object.
import type { AccountId, ConversationId } from "../../protocol/ids.js";

export interface StoredReadState {
  readonly conversationId: ConversationId;
  readonly sealed: Uint8Array;
  /** The account's write counter when this blob was written: higher is newer, across all its conversations. */
  readonly version: number;
}

export interface ReadStateStore {
  /**
   * Replaces the account's blob for the conversation and gives it the next version of the account
   * (one more than its highest so far), atomically, so two racing writes get two versions. Returns it.
   */
  put(p: { accountId: AccountId; conversationId: ConversationId; sealed: Uint8Array; now: number }): Promise<number>;
  /** The account's blobs written after version `after`, oldest first, at most `limit`; `more` if there are others. */
  listSince(accountId: AccountId, after: number, limit: number): Promise<{ states: StoredReadState[]; more: boolean }>;
}
