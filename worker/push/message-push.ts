import type { AccountId, ConversationId, DeviceId } from "../../protocol/ids.js";
import type { Bindings } from "../env.js";
import { accountHub } from "../realtime/notify.js";
import type { Stores } from "../storage/stores.js";
import { messagePushPlaintext } from "./payload.js";
import { pushToTargets } from "./push-targets.js";
import { vapidKeys } from "./vapid.js";

export interface NewMessage {
  readonly conversationId: ConversationId;
  readonly members: readonly AccountId[];
  readonly senderAccountId: AccountId;
  readonly seq: number;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
  /** The sender says it mentions members: muted members' devices get it too (they decide whether to show it). */
  readonly mentions?: boolean;
}

/** The devices of `accountId` with an open realtime socket; on a hub failure none (a push too many beats none). */
async function connectedDevices(env: Bindings, accountId: AccountId): Promise<ReadonlySet<DeviceId>> {
  try {
    return new Set(await accountHub(env, accountId).connectedDevices());
  } catch (e) {
    console.error(`push: could not ask account ${accountId}'s hub for its sockets`, e);
    return new Set();
  }
}

/**
 * Web Push for a newly stored message (issue 19), for a message store that does not tell the members
 * itself (the D1 layout; in the objects layout each member's hub pushes: AccountHub.deliverMessage): to
 * every device of every other member account that has a subscription, has not muted the conversation (per
 * account; a message that mentions members goes to muted ones too) and has no open realtime socket (that
 * one gets the realtime frame). Never rejects and never throws: run it under waitUntil, after the
 * answer; failures are logged, and a push service's 404/410 deletes that subscription.
 */
export async function pushNewMessage(env: Bindings, stores: Stores, m: NewMessage): Promise<void> {
  try {
    const vapid = await vapidKeys(env);
    if (!vapid) return;
    const recipients = m.members.filter((a) => a !== m.senderAccountId);
    const subs = await stores.push.targets(m.conversationId, recipients, { includeMuted: m.mentions === true });
    if (subs.length === 0) return;
    const accounts = [...new Set(subs.map((s) => s.accountId))];
    const sockets = new Map(await Promise.all(accounts.map(async (a) => [a, await connectedDevices(env, a)] as const)));
    const plaintext = messagePushPlaintext(m);
    const targets = subs.filter((s) => !sockets.get(s.accountId)?.has(s.deviceId));
    await pushToTargets(targets, plaintext, {
      vapid,
      extraOrigins: env.PUSH_EXTRA_ORIGINS,
      onGone: (t) => stores.push.deleteExpired(t.accountId, t.deviceId, t.endpoint),
    });
  } catch (e) {
    console.error(`push for message ${m.seq} of ${m.conversationId} failed`, e);
  }
}
