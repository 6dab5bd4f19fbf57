// The conversation store owns what the server knows of each conversation apart from its messages: the
// conversation and its members, a group's membership log, the epoch bundles, a group's newest sealed meta
// and the history shares addressed to added members. Today D1 tables (worker/db/d1-conversation-store.ts).
// The members it returns always equal the member set of the verified membership log.
import type { Conversation } from "../../protocol/api.js";
import type { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";

/** A conversation as stored: the API's `Conversation` without `lastSeq`, which the message log knows. */
export type ConversationRecord = Conversation extends infer C ? (C extends unknown ? Omit<C, "lastSeq"> : never) : never;

export interface NewEpoch {
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly keyId: Uint8Array;
  readonly bundle: Uint8Array;
  readonly creatorDeviceId: DeviceId;
  readonly createdAt: number;
  /** A group's: store only while its last membership entry is still at this position. */
  readonly membershipSeq?: number;
}

export interface NewHistoryShare {
  readonly epoch: number;
  readonly share: Uint8Array;
}

export interface MembershipAppend {
  readonly id: ConversationId;
  readonly seq: number;
  readonly entry: Uint8Array;
  readonly added: readonly AccountId[];
  readonly removed: readonly AccountId[];
  /** The added member's history shares, stored with the entry. */
  readonly historyShares?: { readonly accountId: AccountId; readonly shares: readonly NewHistoryShare[]; readonly now: number };
}

export interface ConversationStore {
  find(id: ConversationId): Promise<ConversationRecord | undefined>;
  /** The account's conversations, oldest first (the client orders them for display). */
  listFor(accountId: AccountId): Promise<ConversationRecord[]>;
  /**
   * The direct conversation of two accounts, created under `newId` if there is none; a concurrent
   * second create finds the first one.
   */
  openDirect(p: { newId: ConversationId; a: AccountId; b: AccountId; now: number }): Promise<{ conversation: ConversationRecord; created: boolean }>;
  /** Every other account that shares a conversation with `accountId`. */
  peersOf(accountId: AccountId): Promise<AccountId[]>;
  /** Creates a group with its create entry (position 0) and members; false if the id is taken. */
  createGroup(g: { id: ConversationId; members: readonly AccountId[]; entry: Uint8Array; now: number }): Promise<boolean>;
  /** A group's membership log, in order. */
  readMembership(id: ConversationId): Promise<Uint8Array[]>;
  /** The last entry of a group's log and its position, or undefined for none. */
  lastMembershipEntry(id: ConversationId): Promise<{ seq: number; entry: Uint8Array } | undefined>;
  /**
   * Stores a verified entry at `seq`, moves the members to the new set and stores the added member's
   * history shares, atomically: a new member never sees the entry without its shares. A racing second
   * entry at the same position gets position_taken.
   */
  appendMembership(a: MembershipAppend): Promise<"stored" | "position_taken">;
  /**
   * Stores a bundle unless its epoch already has one (first writer wins) or, with `membershipSeq`, the
   * group's log moved on, checked atomically with the insert. Returns whether it stored.
   */
  insertEpoch(e: NewEpoch): Promise<boolean>;
  findEpochKeyId(id: ConversationId, epoch: number): Promise<Uint8Array | undefined>;
  /** The newest stored epoch of a conversation, or undefined when it has none yet. */
  latestEpoch(id: ConversationId): Promise<number | undefined>;
  /** Every stored epoch of a conversation with its key id. */
  listEpochKeyIds(id: ConversationId): Promise<Map<number, Uint8Array>>;
  listEpochs(id: ConversationId): Promise<{ epoch: number; bundle: Uint8Array }[]>;
  /**
   * Stores a group's sealed meta unless the stored one is of a later epoch (the same epoch is replaced:
   * a rename), atomically. Returns whether it stored.
   */
  putGroupMeta(m: { id: ConversationId; epoch: number; meta: Uint8Array; now: number }): Promise<boolean>;
  /** The history shares addressed to `accountId` in a group, oldest epoch first. */
  readHistoryShares(id: ConversationId, accountId: AccountId): Promise<Uint8Array[]>;
}
