import type { DeviceId } from "../../protocol/ids.js";
import type { HubMessagePush, HubPushTable } from "../storage/push-store.js";
import { messagePushPlaintext } from "./payload.js";
import { pushToTargets } from "./push-targets.js";
import { vapidKeys, type VapidEnv } from "./vapid.js";

export interface HubPushEnv extends VapidEnv {
  readonly PUSH_EXTRA_ORIGINS?: string;
}

/**
 * Web Push of a stored message by the account's own hub (issue 22): to each subscribed device of the
 * account with no open socket (`connected` got the realtime frame), unless the account muted the
 * conversation and the message mentions nobody. Reads only the hub's own storage. Never rejects: failures
 * are logged, and a push service's 404/410 deletes that subscription.
 */
export async function pushFromHub(env: HubPushEnv, table: () => Promise<HubPushTable>, connected: ReadonlySet<DeviceId>, m: HubMessagePush): Promise<void> {
  try {
    const vapid = await vapidKeys(env);
    if (!vapid) return;
    const subs = await table();
    const targets = subs.targets(m.conversationId, m.includeMuted).filter((t) => !connected.has(t.deviceId));
    if (targets.length === 0) return;
    await pushToTargets(targets, messagePushPlaintext(m), { vapid, extraOrigins: env.PUSH_EXTRA_ORIGINS, onGone: (t) => subs.delete([t.deviceId], t.endpoint) });
  } catch (e) {
    console.error(`push for message ${m.seq} of ${m.conversationId} to account ${m.accountId} failed`, e);
  }
}
