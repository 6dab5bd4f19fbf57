import type { RealtimeServerFrame } from "../../protocol/api.js";
import type { AccountId } from "../../protocol/ids.js";
import type { Bindings } from "../env.js";
import type { AccountHub } from "./account-hub.js";

/** The hub of one account: idFromName makes the same account always reach the same object. */
export function accountHub(env: Bindings, accountId: AccountId): DurableObjectStub<AccountHub> {
  return env.ACCOUNT_HUB.get(env.ACCOUNT_HUB.idFromName(accountId));
}

/**
 * Pushes a frame to every connected device of each account. Never rejects: a push is a hint (the data
 * is already stored and clients sync by cursor), so a failing hub is logged and must not fail the
 * request that stored it. Run it under waitUntil so the response does not wait for it.
 */
export async function notifyAccounts(env: Bindings, accountIds: readonly AccountId[], frame: RealtimeServerFrame): Promise<void> {
  const results = await Promise.allSettled(accountIds.map((id) => accountHub(env, id).broadcast(frame)));
  results.forEach((r, i) => {
    if (r.status === "rejected") console.error(`realtime push of ${frame.type} to account ${accountIds[i]} failed`, r.reason);
  });
}
