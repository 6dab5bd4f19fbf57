/** Restores seen in one's own log: "Your account was recovered on a new device". */
import { EntryKind, decodeEntry, findDevice } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { stateOf } from "../identity/logs.js";
import { requireSelf } from "./self.js";

/** Positions of recover (or reset) entries in one's own stored log made after this device joined. */
export async function recoveriesSeen(ctx: ClientContext): Promise<{ seq: number; createdAt: number }[]> {
  const { account, device } = await requireSelf(ctx);
  const state = await stateOf(ctx, account.accountId);
  const joinedAt = findDevice(state, device.deviceId)?.addedAtSeq ?? 0;
  const out: { seq: number; createdAt: number }[] = [];
  account.log.forEach((bytes, seq) => {
    if (seq <= joinedAt) return;
    const entry = decodeEntry(bytes);
    if (entry.kind === EntryKind.recover || entry.kind === EntryKind.reset) out.push({ seq, createdAt: entry.createdAt });
  });
  return out;
}
