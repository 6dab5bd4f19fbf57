// The push store: each device's Web Push subscription and each account's muted conversations (issue 19,
// docs/API.md "Push"). The D1 layout keeps them in D1 tables (worker/db/d1-push-store.ts); the objects
// layout in each account's hub (worker/db/hub-push.ts, reached through worker/db/hub-push-store.ts), which
// pushes a new message itself, so a send reads no D1 (issue 22).
import type { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";

/** One device's subscription: where its push service takes messages, and the browser's RFC 8291 keys. */
export interface StoredPushSubscription {
  readonly deviceId: DeviceId;
  readonly accountId: AccountId;
  /** An https URL of a known push service (worker/push/endpoint-policy.ts), or a test origin. */
  readonly endpoint: string;
  /** The browser's uncompressed P-256 public key, 65 bytes. */
  readonly p256dh: Uint8Array;
  /** The RFC 8291 authentication secret, 16 bytes. */
  readonly auth: Uint8Array;
}

export interface PushStore {
  /** Stores the device's subscription, replacing any it had. */
  putSubscription(s: StoredPushSubscription & { readonly now: number }): Promise<void>;
  /** Deletes the device's subscription; true if it had one. */
  deleteSubscription(accountId: AccountId, deviceId: DeviceId): Promise<boolean>;
  /** Deletes the subscriptions of these devices of the account (signed out, revoked). */
  deleteSubscriptions(accountId: AccountId, deviceIds: readonly DeviceId[]): Promise<void>;
  /**
   * Deletes the device's subscription only if it still names `endpoint`: a push service's 404/410 for an
   * old endpoint must not delete the subscription the device registered since.
   */
  deleteExpired(accountId: AccountId, deviceId: DeviceId, endpoint: string): Promise<void>;
  /**
   * The subscriptions to push a message of `conversationId` to: those of the active (not revoked)
   * devices of `accountIds`, leaving out accounts that muted the conversation unless `includeMuted`
   * (a message that mentions members).
   */
  targets(conversationId: ConversationId, accountIds: readonly AccountId[], o?: { readonly includeMuted?: boolean }): Promise<StoredPushSubscription[]>;
  setMuted(accountId: AccountId, conversationId: ConversationId, muted: boolean): Promise<void>;
  /** The account's muted conversations, at most `limit`. */
  listMuted(accountId: AccountId, limit: number): Promise<ConversationId[]>;
}

/** A subscription as an account's hub holds it: its account is the hub's. */
export type PushTarget = Omit<StoredPushSubscription, "accountId">;

/** An account's rows in D1 as the release before issue 22's push move left them, moved into its hub. */
export interface LegacyPush {
  readonly subscriptions: readonly (PushTarget & { readonly createdAt: number })[];
  readonly mutes: readonly ConversationId[];
}

/** An account hub's own table of its devices' subscriptions and its mutes (worker/db/hub-push.ts). */
export interface HubPushTable {
  /** Whether D1's rows of the account were moved in (then D1 is not read again). */
  moved(): boolean;
  /** Takes D1's rows in and marks the move done, in one `transaction`. */
  importLegacy(legacy: LegacyPush, now: number, transaction: (fn: () => void) => void): void;
  put(s: PushTarget & { readonly now: number }): void;
  /** Deletes these devices' subscriptions (only one still naming `endpoint`, when given); how many went. */
  delete(deviceIds: readonly DeviceId[], endpoint?: string): number;
  setMuted(conversationId: ConversationId, muted: boolean): void;
  listMuted(limit: number): ConversationId[];
  /** The subscriptions a message of `conversationId` goes to: none if muted, unless `includeMuted`. */
  targets(conversationId: ConversationId, includeMuted: boolean): PushTarget[];
}

/** What an account's hub needs to push a stored message to its devices with no socket (AccountHub.deliverMessage). */
export interface HubMessagePush {
  readonly accountId: AccountId;
  readonly conversationId: ConversationId;
  readonly seq: number;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
  /** The sender says it mentions members: the push goes even if the account muted the conversation. */
  readonly includeMuted: boolean;
}
