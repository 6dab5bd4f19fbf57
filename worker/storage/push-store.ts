// The push store: each device's Web Push subscription and each account's muted conversations (issue 19,
// docs/API.md "Push"). Today D1 tables (worker/db/d1-push-store.ts); they belong with the account when
// the account gets its own object.
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
  deleteSubscription(deviceId: DeviceId): Promise<boolean>;
  /** Deletes the subscriptions of these devices (signed out, revoked). */
  deleteSubscriptions(deviceIds: readonly DeviceId[]): Promise<void>;
  /**
   * Deletes the device's subscription only if it still names `endpoint`: a push service's 404/410 for an
   * old endpoint must not delete the subscription the device registered since.
   */
  deleteExpired(deviceId: DeviceId, endpoint: string): Promise<void>;
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
