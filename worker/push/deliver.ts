import { encryptPushPayload } from "../../protocol/web-push.js";
import { cryptoEnv } from "../crypto-env.js";
import type { PushTarget } from "../storage/push-store.js";
import { vapidAuthorization, type VapidKeys } from "./vapid.js";

/** How long a push service may take to answer before the push is given up (it runs under waitUntil). */
export const PUSH_TIMEOUT_MS = 10_000;
/** RFC 8030 section 5.2: how long the push service keeps an undelivered message; a day, as Signal's web clients. */
export const PUSH_TTL_SECONDS = 86_400;

/** What became of one push: delivered (2xx), gone (404/410: the subscription expired), or failed. */
export type PushOutcome = { readonly kind: "delivered" } | { readonly kind: "gone"; readonly status: number } | { readonly kind: "failed"; readonly reason: string };

/**
 * Encrypts `plaintext` for one subscription (RFC 8291) and POSTs it to its endpoint (RFC 8030 section 5)
 * with the VAPID Authorization. Never throws: every failure is an outcome. The body is only ciphertext.
 */
export async function deliverPush(sub: PushTarget, plaintext: Uint8Array, vapid: VapidKeys, now: number, timeoutMs = PUSH_TIMEOUT_MS): Promise<PushOutcome> {
  try {
    const body = await encryptPushPayload(cryptoEnv, plaintext, { p256dh: sub.p256dh, auth: sub.auth });
    const res = await fetch(sub.endpoint, {
      method: "POST",
      headers: {
        Authorization: await vapidAuthorization(vapid, sub.endpoint, now),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        TTL: String(PUSH_TTL_SECONDS),
        Urgency: "high",
      },
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    // Nothing from the push service is read but its status.
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410) return { kind: "gone", status: res.status };
    if (res.status < 200 || res.status >= 300) return { kind: "failed", reason: `the push service answered ${res.status}` };
    return { kind: "delivered" };
  } catch (e) {
    return { kind: "failed", reason: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}
