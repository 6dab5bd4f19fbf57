import type { AccountId, AccountState } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getCursor, getGroup, listConversations, putConversation } from "../store/db.js";

/**
 * Devices this client saw removed (docs/PROTOCOL.md "Receiving a message", step 3). When a verified log
 * that this client held with a device active is extended by an entry removing it, every conversation
 * the account shares with this one records its cursor at that moment. Messages from the device at
 * server positions after it are not shown: the device could have written them only after its removal
 * (the server numbers messages in arrival order and the cursor never moves back), so they are either a
 * revoked device's late words or the server's. Those stored before stay readable, and a device that first
 * sees the log with the removal already in it judges the old messages by their cited head, as history.
 */
export async function noteRemovedDevices(ctx: ClientContext, accountId: AccountId, before: AccountState, after: AccountState): Promise<void> {
  const removed = before.devices.filter((d) => !after.devices.some((a) => a.deviceId === d.deviceId)).map((d) => d.deviceId);
  if (removed.length === 0) return;
  const own = (await getAccount(ctx.db))?.accountId === accountId;
  for (const conv of await listConversations(ctx.db)) {
    const shared = own || (conv.kind === "direct" ? conv.peer === accountId : (await getGroup(ctx.db, conv.id))?.members.some((m) => m.accountId === accountId));
    if (!shared) continue;
    const fresh = removed.filter((d) => conv.removedAfter?.[d] === undefined);
    if (fresh.length === 0) continue;
    const cursor = await getCursor(ctx.db, conv.id);
    await putConversation(ctx.db, { ...conv, removedAfter: { ...conv.removedAfter, ...Object.fromEntries(fresh.map((d) => [d, cursor])) } });
  }
}

/** True when `seq` is past the point where this client verified the device's removal in this conversation. */
export function isAfterRemoval(removedAfter: Readonly<Record<string, number>> | undefined, deviceId: string, seq: number): boolean {
  const at = removedAfter?.[deviceId];
  return at !== undefined && seq > at;
}
