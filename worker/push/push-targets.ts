import type { DeviceId } from "../../protocol/ids.js";
import type { PushTarget } from "../storage/push-store.js";
import { deliverPush, type PushOutcome } from "./deliver.js";
import { endpointRefusal, extraOrigins } from "./endpoint-policy.js";
import type { VapidKeys } from "./vapid.js";

function logOutcome(deviceId: DeviceId, outcome: PushOutcome): void {
  if (outcome.kind === "failed") console.error(`push to device ${deviceId} failed: ${outcome.reason}`);
  if (outcome.kind === "gone") console.log(`push subscription of device ${deviceId} expired (${outcome.status}): deleted`);
}

/**
 * Pushes `plaintext` to each subscription at once; a push service's 404/410 calls `onGone` (delete that
 * subscription). Never rejects for a push that failed: each failure is logged.
 */
export async function pushToTargets<T extends PushTarget>(
  targets: readonly T[],
  plaintext: Uint8Array,
  o: { readonly vapid: VapidKeys; readonly extraOrigins: string | undefined; readonly onGone: (t: T) => Promise<unknown> | unknown },
): Promise<void> {
  const extra = extraOrigins(o.extraOrigins);
  const now = Date.now();
  await Promise.all(
    targets.map(async (t) => {
      // Checked again at send time: PUSH_EXTRA_ORIGINS may have shrunk since the subscription was stored.
      const refused = endpointRefusal(t.endpoint, extra);
      if (refused) return console.error(`push to device ${t.deviceId} skipped: ${refused}`);
      const outcome = await deliverPush(t, plaintext, o.vapid, now);
      logOutcome(t.deviceId, outcome);
      if (outcome.kind === "gone") await o.onGone(t);
    }),
  );
}
