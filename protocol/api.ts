import { z } from "zod";
import { fromBase64url } from "./bytes.js";
import { AccountId, ClientMessageId, ConversationId, DeviceId, USERNAME_PATTERN } from "./ids.js";

/**
 * The HTTP API contract shared by worker and web: every request body and response body is parsed with
 * these schemas at the boundary. docs/API.md lists the endpoints.
 */

/** base64url bytes with a decoded-length bound, checked strictly. */
export function b64(minBytes: number, maxBytes: number) {
  return z
    .string()
    .max(Math.ceil((maxBytes * 4) / 3) + 2)
    .refine(
      (s) => {
        try {
          const n = fromBase64url(s).length;
          return n >= minBytes && n <= maxBytes;
        } catch {
          return false;
        }
      },
      { message: `must be base64url of ${minBytes === maxBytes ? minBytes : `${minBytes}-${maxBytes}`} bytes` },
    );
}

export const accountIdSchema = z.string().refine(AccountId.is, "must be an account id").transform((s) => s as AccountId);
export const deviceIdSchema = z.string().refine(DeviceId.is, "must be a device id").transform((s) => s as DeviceId);
export const conversationIdSchema = z.string().refine(ConversationId.is, "must be a conversation id").transform((s) => s as ConversationId);
export const clientMessageIdSchema = z.string().refine(ClientMessageId.is, "must be a client message id").transform((s) => s as ClientMessageId);
export const usernameSchema = z.string().regex(USERNAME_PATTERN, "3-32 characters: a-z, 0-9, '_' or '.', starting with a letter");

export const MAX_ENTRY_B64_BYTES = 8 * 1024;
export const MAX_BUNDLE_BYTES = 1024 * 1024;
export const MAX_ENVELOPE_BYTES = 70 * 1024;
export const MAX_PAGE = 500;
/** Messages per page when the request names no limit. */
export const DEFAULT_PAGE = 100;

/** Every error body: a stable machine code and a sentence for people. */
export const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
export type ErrorBody = z.infer<typeof errorBody>;

/**
 * The error codes the worker sends (docs/API.md says when). `errorBody` keeps `code` a plain string so
 * an older client still parses a code added later; map known codes to text and treat others by status.
 */
export const API_ERROR_CODES = [
  "invalid_body", // 400: not JSON, or a field is missing, extra, of the wrong type or out of range
  "invalid_query", // 400: a query parameter is malformed or out of range
  "invalid_genesis", // 400: the genesis entry does not decode or verify, or names another username
  "invalid_bundle", // 400: the epoch bundle does not decode, or is for another conversation or non-members
  "invalid_envelope", // 400: the envelope does not decode, or is for another conversation
  "bad_signature", // 400: a bundle or envelope signature does not verify with the device's key
  "unauthenticated", // 401: no valid session (missing, expired, logged out, or device revoked)
  "login_failed", // 401: the login nonce is unknown, used or expired, or the signature is bad or expired
  "bad_origin", // 403: a state-changing request without this server's Origin
  "not_member", // 403: the conversation exists but the caller is not a member
  "forbidden", // 403: acting as another account or device, or with a revoked device
  "not_found", // 404: no such route, account, device or conversation
  "username_taken", // 409
  "device_exists", // 409: the genesis device key is already registered
  "epoch_exists", // 409: that epoch of the conversation already has a bundle
  "unknown_epoch", // 409: the envelope names an epoch with no bundle yet
  "epoch_key_mismatch", // 409: the envelope's key id is not the stored epoch's
  "message_id_reused", // 409: the client message id was used for a different envelope
  "too_large", // 413
  "unsupported_media_type", // 415: a body that is not application/json
  "upgrade_required", // 426: GET /api/realtime without a WebSocket upgrade
  "internal", // 500: a server fault, never the caller's input
] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

// POST /api/accounts
export const signUpRequest = z.strictObject({ username: usernameSchema, genesis: b64(1, MAX_ENTRY_B64_BYTES) });
export const signUpResponse = z.object({ accountId: accountIdSchema });

// POST /api/session/challenge
export const challengeRequest = z.strictObject({ accountId: accountIdSchema, deviceId: deviceIdSchema });
export const challengeResponse = z.object({ nonce: b64(32, 32) });

// POST /api/session
export const loginRequest = z.strictObject({
  accountId: accountIdSchema,
  deviceId: deviceIdSchema,
  nonce: b64(32, 32),
  expiresAt: z.number().int().nonnegative(),
  signature: b64(64, 64),
});
export const sessionResponse = z.object({ accountId: accountIdSchema, deviceId: deviceIdSchema, username: usernameSchema });

// GET /api/users/:username and GET /api/accounts/:accountId/log
export const accountLogResponse = z.object({ username: usernameSchema, accountId: accountIdSchema, log: z.array(b64(1, MAX_ENTRY_B64_BYTES)).min(1).max(10_000) });

export const conversationSchema = z.object({
  id: conversationIdSchema,
  kind: z.literal("direct"),
  members: z.array(accountIdSchema).min(2).max(2),
  createdAt: z.number().int(),
  lastSeq: z.number().int().nonnegative(),
});
export type Conversation = z.infer<typeof conversationSchema>;

// POST /api/conversations
export const createConversationRequest = z.strictObject({ peer: accountIdSchema });
export const conversationResponse = z.object({ conversation: conversationSchema });
// GET /api/conversations
export const conversationListResponse = z.object({ conversations: z.array(conversationSchema) });

// POST /api/conversations/:id/epochs
export const postEpochRequest = z.strictObject({ bundle: b64(1, MAX_BUNDLE_BYTES) });
export const postEpochResponse = z.object({ epoch: z.number().int().nonnegative() });
// GET /api/conversations/:id/epochs
export const epochListResponse = z.object({ epochs: z.array(z.object({ epoch: z.number().int().nonnegative(), bundle: b64(1, MAX_BUNDLE_BYTES) })) });

// POST /api/conversations/:id/messages
export const postMessageRequest = z.strictObject({ envelope: b64(1, MAX_ENVELOPE_BYTES) });
export const postMessageResponse = z.object({ seq: z.number().int().positive(), duplicate: z.boolean() });
// GET /api/conversations/:id/messages?after=N&limit=M
export const storedMessageSchema = z.object({ seq: z.number().int().positive(), envelope: b64(1, MAX_ENVELOPE_BYTES), receivedAt: z.number().int() });
export const messageListResponse = z.object({ messages: z.array(storedMessageSchema), more: z.boolean() });
export type StoredMessage = z.infer<typeof storedMessageSchema>;

// GET /api/realtime (WebSocket): one socket per device carries pushes for every conversation of the
// account. Frames are JSON text. Server frames are plain (non-strict) objects so a field added later
// does not break an older client; a client ignores a frame that does not parse (a type added later).

/** Largest client frame the server reads, in UTF-8 bytes; bigger ones get an error frame. */
export const MAX_REALTIME_CLIENT_FRAME_BYTES = 4 * 1024;

/** Codes of `{type:"error"}` frames. Like `errorBody`, the frame keeps `code` a plain string. */
export const REALTIME_ERROR_CODES = [
  "binary_frame", // a binary frame: the protocol is JSON text only
  "too_large", // a text frame over MAX_REALTIME_CLIENT_FRAME_BYTES
  "invalid_json", // a text frame that is not JSON
  "invalid_frame", // JSON that is not a known client frame (unknown type, missing or extra fields)
] as const;
export type RealtimeErrorCode = (typeof REALTIME_ERROR_CODES)[number];

/** Server -> client. `message` carries the same fields as one entry of `messageListResponse`. */
export const realtimeServerFrame = z.discriminatedUnion("type", [
  /** First frame on every socket: the connection is live and authenticated as this device. */
  z.object({ type: z.literal("hello"), deviceId: deviceIdSchema }),
  z.object({ type: z.literal("pong") }),
  /** A message was stored (never sent for a deduplicated retry). */
  z.object({ type: z.literal("message"), conversationId: conversationIdSchema, ...storedMessageSchema.shape }),
  /** An epoch bundle was stored; fetch it with GET /api/conversations/:id/epochs (bundles can be 1 MiB). */
  z.object({ type: z.literal("epoch"), conversationId: conversationIdSchema, epoch: z.number().int().nonnegative() }),
  /** A conversation with this account was created. */
  z.object({ type: z.literal("conversation"), conversationId: conversationIdSchema }),
  /** The last client frame was refused; the socket stays open. */
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type RealtimeServerFrame = z.infer<typeof realtimeServerFrame>;

/** Client -> server. Only a keep-alive for now; the server answers `{type:"pong"}`. */
export const realtimeClientFrame = z.discriminatedUnion("type", [z.strictObject({ type: z.literal("ping") })]);
export type RealtimeClientFrame = z.infer<typeof realtimeClientFrame>;
