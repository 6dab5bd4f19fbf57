// The push store of the objects layout (issue 22): each account's subscriptions and mutes live in its
// AccountHub (worker/db/hub-push.ts), so the routes write through the hub and a send's push, decided by
// the hub that found no socket, reads no D1.
import type { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";
import type { PushStore, PushTarget } from "../storage/push-store.js";

/**
 * What the push store asks of an account's hub. Declared here rather than through the AccountHub class
 * so storage does not name the realtime layer's class (worker/env.ts binds the real one, which
 * implements this).
 */
export interface PushHubMethods {
  /** Stores the device's subscription; false (nothing stored) when the hub has the device revoked. */
  putPushSubscription(accountId: AccountId, s: PushTarget & { readonly now: number }): Promise<boolean>;
  /** Deletes these devices' subscriptions (only one still naming `endpoint`, when given); how many went. */
  deletePushSubscriptions(accountId: AccountId, deviceIds: readonly DeviceId[], endpoint?: string): Promise<number>;
  setPushMuted(accountId: AccountId, conversationId: ConversationId, muted: boolean): Promise<void>;
  listPushMuted(accountId: AccountId, limit: number): Promise<ConversationId[]>;
  pushTargets(accountId: AccountId, conversationId: ConversationId, includeMuted: boolean): Promise<PushTarget[]>;
}

type PushHub = PushHubMethods & Rpc.DurableObjectBranded;

export interface HubPushBindings {
  /**
   * The account hubs. Typed by shape only: a namespace's type is invariant in its class, and the worker's
   * binding names AccountHub, which storage must not import; AccountHub `implements PushHubMethods`.
   */
  readonly ACCOUNT_HUB: { idFromName(name: string): DurableObjectId; get(id: DurableObjectId): unknown };
}

export function hubPushStore(env: HubPushBindings): PushStore {
  const hub = (accountId: AccountId) => env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId)) as DurableObjectStub<PushHub>;
  return {
    async putSubscription({ accountId, ...s }) {
      // A device revoked between the route's session check and this write: its subscription is not kept.
      await hub(accountId).putPushSubscription(accountId, s);
    },
    async deleteSubscription(accountId, deviceId) {
      return (await hub(accountId).deletePushSubscriptions(accountId, [deviceId])) > 0;
    },
    async deleteSubscriptions(accountId, deviceIds) {
      if (deviceIds.length > 0) await hub(accountId).deletePushSubscriptions(accountId, deviceIds);
    },
    async deleteExpired(accountId, deviceId, endpoint) {
      await hub(accountId).deletePushSubscriptions(accountId, [deviceId], endpoint);
    },
    async targets(conversationId, accountIds, o) {
      const each = await Promise.all(
        accountIds.map(async (accountId) => (await hub(accountId).pushTargets(accountId, conversationId, o?.includeMuted === true)).map((t) => ({ ...t, accountId }))),
      );
      return each.flat();
    },
    setMuted: async (accountId, conversationId, muted) => hub(accountId).setPushMuted(accountId, conversationId, muted),
    listMuted: async (accountId, limit) => hub(accountId).listPushMuted(accountId, limit),
  };
}
