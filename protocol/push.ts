import { z } from "zod";
import { MAX_ENVELOPE_BYTES, b64, conversationIdSchema } from "./api.js";

/**
 * Web Push (issue 19): the API contract between the worker and the device, and the payload the server
 * encrypts per RFC 8291 for one subscription. docs/API.md "Push" lists the endpoints; docs/PROTOCOL.md
 * "Push payload" the bytes.
 */

/** An uncompressed P-256 point (0x04 || X || Y), as PushManager and RFC 8291 use. */
export const P256_POINT_BYTES = 65;
/** RFC 8291 section 3.2: the authentication secret is 16 bytes. */
export const PUSH_AUTH_BYTES = 16;
/** Longest endpoint URL accepted (browsers' endpoints are a few hundred characters). */
export const MAX_PUSH_ENDPOINT_CHARS = 2048;

// GET /api/push/vapid: the server's VAPID public key (RFC 8292), the applicationServerKey to subscribe with.
export const vapidKeyResponse = z.object({ publicKey: b64(P256_POINT_BYTES, P256_POINT_BYTES) });

// PUT /api/push/subscription: this device's subscription (PushSubscription.toJSON() minus expirationTime);
// DELETE /api/push/subscription removes it. One per device: a new PUT replaces the old one.
export const pushSubscriptionRequest = z.strictObject({
  endpoint: z.string().max(MAX_PUSH_ENDPOINT_CHARS).url(),
  keys: z.strictObject({
    p256dh: b64(P256_POINT_BYTES, P256_POINT_BYTES),
    auth: b64(PUSH_AUTH_BYTES, PUSH_AUTH_BYTES),
  }),
});
export type PushSubscriptionRequest = z.infer<typeof pushSubscriptionRequest>;

// PUT /api/push/mutes/:conversationId {muted}: per account (every device of it), so the server does not
// push that conversation to any of the account's devices. The server learns which chats are muted
// (docs/THREAT-MODEL.md "Push").
export const pushMuteRequest = z.strictObject({ muted: z.boolean() });
// GET /api/push/mutes
export const pushMutesResponse = z.object({ muted: z.array(conversationIdSchema).max(10_000) });

/**
 * The plaintext of one push message, JSON in UTF-8, before RFC 8291 encryption. Push services take
 * 4096 bytes of record: 86 bytes of aes128gcm header (with the 65-byte key id), 16 of tag and 1 of
 * padding delimiter leave 3993; the server sends "message" when its JSON fits in MAX_PUSH_PLAINTEXT_BYTES,
 * otherwise "hint" and the service worker fetches the message itself.
 */
export const MAX_PUSH_PLAINTEXT_BYTES = 3_800;
export const PUSH_PAYLOAD_VERSION = 1;

export const pushPayloadSchema = z.discriminatedUnion("type", [
  z.strictObject({
    v: z.literal(PUSH_PAYLOAD_VERSION),
    type: z.literal("message"),
    conversationId: conversationIdSchema,
    seq: z.number().int().positive(),
    envelope: b64(1, MAX_ENVELOPE_BYTES),
    receivedAt: z.number().int(),
  }),
  z.strictObject({
    v: z.literal(PUSH_PAYLOAD_VERSION),
    type: z.literal("hint"),
    conversationId: conversationIdSchema,
    seq: z.number().int().positive(),
  }),
]);
export type PushPayload = z.infer<typeof pushPayloadSchema>;
