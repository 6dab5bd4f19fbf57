// What the test push service (push-service.ts, Node) reports, shared with the worker tests (workerd).

/** How the push service answers pushes to one subscription. */
export type PushBehavior = "accept" | "gone" | "fail" | "hang";

/** One push as received: what the checks found, and the decrypted text when they passed. */
export interface ReceivedPush {
  readonly accepted: boolean;
  readonly refusal?: string;
  readonly plaintext?: string;
  readonly claims?: { aud?: unknown; exp?: unknown; sub?: unknown };
  /** The `k=` of the VAPID Authorization: the public key the JWT's signature was checked with. */
  readonly vapidKey?: string;
  readonly headers: { ttl?: string; contentEncoding?: string; urgency?: string; contentType?: string };
}
