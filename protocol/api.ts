import { z } from "zod";
import { MAX_ATTACHMENT_PLAINTEXT_BYTES, encryptedSize } from "./attachment-format.js";
import { base64urlByteLength, fromBase64url } from "./bytes.js";
import { AccountId, ClientMessageId, ConversationId, DeviceId, USERNAME_PATTERN, type Brand } from "./ids.js";
import { MAX_GROUP_MEMBERS } from "./membership-log.js";
import { HISTORY_SHARE_BYTES } from "./history-share.js";
import { MAX_SEALED_GROUP_META_BYTES } from "./group-meta.js";
import { LINK_ID_BYTES, MAX_LINK_FRAME_BYTES } from "./link.js";
import { PUBLIC_KEY_BYTES } from "./primitives.js";
import { READ_STATE_BYTES } from "./read-state.js";
import { MAX_CHAT_SETTINGS_BYTES, MIN_CHAT_SETTINGS_BYTES } from "./chat-settings.js";
import { MAX_PROFILE_BLOB_BYTES, MIN_PROFILE_BLOB_BYTES } from "./profile.js";
import { TYPING_FRAME_BYTES } from "./typing.js";

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
          const n = base64urlByteLength(s);
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
/** What a username must be, as errors say it. */
export const USERNAME_RULE = "3-32 characters: a-z, 0-9, '_' or '.', starting with a letter";
export const usernameSchema = z.string().regex(USERNAME_PATTERN, USERNAME_RULE);

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
  "invalid_entry", // 400: the device-log entry does not decode, or the log with it does not verify
  "unauthenticated", // 401: no valid session (missing, expired, logged out, or device revoked)
  "login_failed", // 401: the login nonce is unknown, used or expired, or the signature is bad or expired
  "bad_origin", // 403: a state-changing request without this server's Origin
  "not_member", // 403: the conversation exists but the caller is not a member
  "forbidden", // 403: acting as another account or device, or with a revoked device
  "not_found", // 404: no such route, account, device or conversation
  "username_taken", // 409
  "device_exists", // 409: the genesis device key is already registered
  "epoch_exists", // 409: that epoch of the conversation already has a bundle
  "invalid_epoch", // 400: an epoch bundle whose number is not the conversation's next (epochs advance by one)
  "stale_epoch", // 409: the envelope's epoch is older than the conversation's newest: seal it under the newest
  "unknown_epoch", // 409: the envelope names an epoch with no bundle yet
  "epoch_key_mismatch", // 409: the envelope's key id is not the stored epoch's
  "message_id_reused", // 409: the client message id was used for a different envelope
  "log_conflict", // 409: another entry already holds that position of the device log
  "link_taken", // 409: another device already answered this link
  "link_not_answered", // 409: no existing device has answered the link yet
  "link_full", // 409: the link holds MAX_LINK_FRAMES frames from this side already
  "link_expired", // 410: the link's lifetime is over; start a new one
  "too_large", // 413
  "unsupported_media_type", // 415: a body that is not application/json
  "upgrade_required", // 426: GET /api/realtime without a WebSocket upgrade
  "rate_limited", // 429: too many requests of this kind from this client; see Retry-After
  "invalid_membership", // 400: a membership entry does not decode, is not by the caller's device, or the group log with it does not verify
  "membership_conflict", // 409: another membership entry holds that position, or the group id is taken
  "invalid_history_share", // 400: history shares sent with an entry that is not an add, in a group with history off, or one that does not decode, names another conversation or account, cites an epoch not stored with that key id, or repeats an epoch
  "stale_membership", // 409: a group epoch bundle cites a membership head that is not the group's current one
  "invalid_meta", // 400: a group meta does not decode, or is for another conversation
  "stale_meta", // 409: the group meta is sealed under an older epoch than the stored one
  "invalid_package", // 400: a device-secrets package does not decode, or names another account, sender, recipient or head
  "stale_package", // 409: a package for an older log position than the one stored for that device
  "invalid_read_state", // 400: a sealed read state does not decode (size or version)
  "invalid_chat_settings", // 400: sealed chat settings do not decode (size, version, revision or padding bucket)
  "stale_chat_settings", // 409: the chat settings' revision is not above the stored one (the body says which is stored)
  "invalid_profile", // 400: a sealed profile does not decode (size, version or padding bucket)
  "invalid_blob", // 400: a recovery or passphrase blob does not decode, is out of bounds, or is for another account
  "stale_blob", // 409: the recovery blob's counter is not above the stored one
  "wrong_passphrase", // 403: the passphrase access token does not match
  "quota_exceeded", // 413: a new attachment upload would take the account's stored attachments over its quota
  "length_required", // 411: an attachment part sent without Content-Length
  "invalid_length", // 400: an attachment part whose Content-Length (or actual length) is not the part's length
  "incomplete", // 409: completing an upload with parts missing, or attaching a blob whose upload is not complete
  "upload_complete", // 409: a part for an attachment whose upload was already completed
  "invalid_attachment", // 400: an attached id that names no live blob uploaded by the sender's account to this conversation
  "already_attached", // 409: an attached id that is already attached to another message
  "deleted", // 404: the attachment was deleted by its uploader (to callers who could see it)
  "range_not_satisfiable", // 416: a Range that starts past the end of the blob; see Content-Range
  "push_endpoint_refused", // 400: a push subscription whose endpoint is not https on a known push service
  "push_unavailable", // 503: this server has no (valid) VAPID key pair, so it sends no Web Push
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

/** GET /api/users?username=: a search, so an unknown name is an empty list (200), not a 404 the browser logs as an error. */
export const userSearchResponse = z.object({ users: z.array(accountLogResponse).max(1) });

/** GET /api/usernames/:username: whether sign-up can take it now (sign-up still answers 409 if another takes it first). */
export const usernameAvailabilityResponse = z.object({ username: usernameSchema, available: z.boolean() });

export const conversationSchema = z.discriminatedUnion("kind", [
  z.object({
    id: conversationIdSchema,
    kind: z.literal("direct"),
    members: z.array(accountIdSchema).min(2).max(2),
    createdAt: z.number().int(),
    lastSeq: z.number().int().nonnegative(),
  }),
  /** A group: members as the server's copy of its membership log says; clients verify the log itself. */
  z.object({
    id: conversationIdSchema,
    kind: z.literal("group"),
    members: z.array(accountIdSchema).min(1).max(MAX_GROUP_MEMBERS),
    createdAt: z.number().int(),
    lastSeq: z.number().int().nonnegative(),
    /** The newest sealed group meta (docs/PROTOCOL.md "Group metadata"), null until a member names the group. */
    meta: b64(1, MAX_SEALED_GROUP_META_BYTES).nullable(),
  }),
]);
export type Conversation = z.infer<typeof conversationSchema>;

// POST /api/conversations
export const createConversationRequest = z.strictObject({ peer: accountIdSchema });
export const conversationResponse = z.object({ conversation: conversationSchema });
// GET /api/conversations
export const conversationListResponse = z.object({ conversations: z.array(conversationSchema) });

// Groups (docs/API.md "Groups"). POST /api/groups creates one from its signed create entry; its
// membership log is read and extended at /api/conversations/:id/membership.
/** A membership entry's largest size: a create entry naming MAX_GROUP_MEMBERS members, plus header and signature. */
export const MAX_MEMBERSHIP_ENTRY_BYTES = 2 + 16 + 4 + 32 + 8 + 32 + 16 + 4 + 32 + 4 + (2 + MAX_GROUP_MEMBERS * 33 + 1) + 64;
export const membershipEntryRequest = z.strictObject({ entry: b64(1, MAX_MEMBERSHIP_ENTRY_BYTES) });
/** History shares one add entry may carry: one per earlier epoch of the group. */
export const MAX_HISTORY_SHARES = 10_000;
// POST /api/conversations/:id/membership: the entry, and with an add in a group with history on, the
// new member's history shares (docs/PROTOCOL.md "History share"), stored in the same batch as the entry.
export const appendMembershipRequest = z.strictObject({
  entry: b64(1, MAX_MEMBERSHIP_ENTRY_BYTES),
  historyShares: z.array(b64(1, HISTORY_SHARE_BYTES)).max(MAX_HISTORY_SHARES).optional(),
});
export const membershipLogResponse = z.object({ entries: z.array(b64(1, MAX_MEMBERSHIP_ENTRY_BYTES)).min(1) });
export const appendMembershipResponse = z.object({ seq: z.number().int().positive() });
// GET /api/conversations/:id/history-shares: the calling account's shares for that group, oldest epoch first.
export const historySharesResponse = z.object({ shares: z.array(b64(HISTORY_SHARE_BYTES, HISTORY_SHARE_BYTES)).max(MAX_HISTORY_SHARES) });
// PUT /api/conversations/:id/meta (204): the group's new sealed meta.
export const putGroupMetaRequest = z.strictObject({ meta: b64(1, MAX_SEALED_GROUP_META_BYTES) });

// POST /api/conversations/:id/epochs
export const postEpochRequest = z.strictObject({ bundle: b64(1, MAX_BUNDLE_BYTES) });
export const postEpochResponse = z.object({ epoch: z.number().int().nonnegative() });
// GET /api/conversations/:id/epochs
export const epochListResponse = z.object({ epochs: z.array(z.object({ epoch: z.number().int().nonnegative(), bundle: b64(1, MAX_BUNDLE_BYTES) })) });

// Attachments (docs/API.md "Attachments"): encrypted blobs the client uploads in parts to R2 and then
// names in a message. The server sees only ciphertext sizes; names, types and keys travel inside the
// message envelope (docs/PROTOCOL.md "Attachment").

export const ATTACHMENT_ID_BYTES = 16;

/** 16 random bytes chosen by the server, base64url. */
export type AttachmentId = Brand<string, "AttachmentId">;

export function isAttachmentId(text: unknown): text is AttachmentId {
  if (typeof text !== "string") return false;
  try {
    return fromBase64url(text).length === ATTACHMENT_ID_BYTES;
  } catch {
    return false;
  }
}

export const attachmentIdSchema = z.string().refine(isAttachmentId, "must be an attachment id").transform((s) => s as AttachmentId);

/**
 * Every part of an upload but the last has exactly this many bytes (R2 refuses non-final parts under
 * 5 MiB, and wants them all the same size).
 */
export const ATTACHMENT_PART_BYTES = 8 * 1024 * 1024;
/**
 * The largest ciphertext the schema accepts: the blob of a file at the format's 4 GiB bound. The
 * server's own limit (ATTACHMENT_MAX_BYTES, 100 MiB by default) is far below and is a 413.
 */
export const MAX_ATTACHMENT_CIPHERTEXT_BYTES = encryptedSize(MAX_ATTACHMENT_PLAINTEXT_BYTES);
/** Attachments one message may carry. */
export const MAX_MESSAGE_ATTACHMENTS = 10;

// POST /api/conversations/:id/attachments
export const createAttachmentRequest = z.strictObject({ size: z.number().int().positive().max(MAX_ATTACHMENT_CIPHERTEXT_BYTES) });
export const createAttachmentResponse = z.object({ id: attachmentIdSchema, partSize: z.number().int().positive(), parts: z.number().int().positive() });
// PUT /api/attachments/:id/parts/:n (raw body)
export const putAttachmentPartResponse = z.object({ n: z.number().int().positive() });
// GET /api/attachments/:id/upload
export const attachmentUploadResponse = z.object({
  size: z.number().int().positive(),
  partSize: z.number().int().positive(),
  parts: z.number().int().positive(),
  /** Part numbers stored so far, ascending (every part once complete). */
  received: z.array(z.number().int().positive()),
  complete: z.boolean(),
});
// POST /api/attachments/:id/complete (no body)
export const completeAttachmentResponse = z.object({ id: attachmentIdSchema, size: z.number().int().positive() });
/** The optional list of attachments next to an envelope (POST /api/conversations/:id/messages). */
export const messageAttachmentsSchema = z
  .array(attachmentIdSchema)
  .max(MAX_MESSAGE_ATTACHMENTS)
  .refine((ids) => new Set(ids).size === ids.length, "must not name an attachment twice");

// POST /api/conversations/:id/messages
export const postMessageRequest = z.strictObject({
  envelope: b64(1, MAX_ENVELOPE_BYTES),
  /** Blobs this message carries (docs/API.md "Attachments"); each is attached to the message's seq. */
  attachments: messageAttachmentsSchema.optional(),
  /**
   * false: store and relay as usual but send no Web Push for it (receipts, edits, deletions: nothing a
   * person is alerted to). The server learns this one bit per message, as Signal's server learns its
   * "urgent" flag (docs/THREAT-MODEL.md "Push"). Absent means true.
   */
  notify: z.boolean().optional(),
  /**
   * true: the message mentions members (content kind 8), so it is pushed also to the devices of members
   * who muted the chat; each device shows it only if it mentions its own account (docs/decisions.md
   * "Mentions"). The server learns this one bit per message, never who is mentioned. Ignored with
   * notify:false.
   */
  mentions: z.literal(true).optional(),
});
export const postMessageResponse = z.object({ seq: z.number().int().positive(), duplicate: z.boolean() });
// GET /api/conversations/:id/messages?after=N&limit=M
export const storedMessageSchema = z.object({ seq: z.number().int().positive(), envelope: b64(1, MAX_ENVELOPE_BYTES), receivedAt: z.number().int() });
export const messageListResponse = z.object({ messages: z.array(storedMessageSchema), more: z.boolean() });
export type StoredMessage = z.infer<typeof storedMessageSchema>;

// POST /api/accounts/:accountId/log
export const appendLogRequest = z.strictObject({ entry: b64(1, MAX_ENTRY_B64_BYTES) });
/** 201 for a new entry; 200 when the identical entry was already stored there (a retry). */
export const appendLogResponse = z.object({ seq: z.number().int().nonnegative() });

// Devices. A device's name is sealed by the client under the account history key; the server stores it opaque.
export const MAX_SEALED_NAME_BYTES = 512;
// PUT /api/devices/:deviceId/name
export const deviceNameRequest = z.strictObject({ sealedName: b64(1, MAX_SEALED_NAME_BYTES) });
export const deviceSchema = z.object({
  deviceId: deviceIdSchema,
  /** Position of the log entry that added the device (0 for the genesis device). */
  addedAtSeq: z.number().int().nonnegative(),
  /** When the server stored the device. */
  createdAt: z.number().int(),
  /** The device's last authenticated request, to the minute; null until it first logs in. */
  lastSeenAt: z.number().int().nullable(),
  /** When a revoke entry removed it; null while active. */
  revokedAt: z.number().int().nullable(),
  sealedName: b64(1, MAX_SEALED_NAME_BYTES).nullable(),
});
export type DeviceInfo = z.infer<typeof deviceSchema>;
// PUT /api/devices/:deviceId/secrets: the account's new secrets sealed to that device (docs/PROTOCOL.md
// "Device-secrets package"). GET /api/devices/self/secrets: the newest package sealed to the caller.
export const MAX_DEVICE_SECRETS_BYTES = 1024;
export const deviceSecretsRequest = z.strictObject({ package: b64(1, MAX_DEVICE_SECRETS_BYTES) });
export const deviceSecretsResponse = z.object({ headSeq: z.number().int().nonnegative(), package: b64(1, MAX_DEVICE_SECRETS_BYTES) });
// GET /api/devices: the caller's account's devices, revoked ones included, in the order they were added.
export const deviceListResponse = z.object({ devices: z.array(deviceSchema) });

// Read state (docs/PROTOCOL.md "Read state"): PUT /api/me/read-state/:conversationId stores the caller's
// account's sealed read state of a conversation it is a member of; GET /api/me/read-state?after=V lists
// the account's blobs written after version V, oldest first.
export const putReadStateRequest = z.strictObject({ sealed: b64(READ_STATE_BYTES, READ_STATE_BYTES) });
export const putReadStateResponse = z.object({ version: z.number().int().positive() });
export const MAX_READ_STATE_PAGE = 200;
export const readStateListResponse = z.object({
  states: z.array(z.object({ conversationId: conversationIdSchema, sealed: b64(READ_STATE_BYTES, READ_STATE_BYTES), version: z.number().int().positive() })).max(MAX_READ_STATE_PAGE),
  more: z.boolean(),
});

// Chat settings (docs/PROTOCOL.md "Chat settings"): PUT /api/me/chat-settings/:conversationId stores the
// caller's account's sealed settings of a conversation it is a member of, if its revision is above the
// stored one; GET /api/me/chat-settings?after=V lists the account's blobs written after version V.
export const putChatSettingsRequest = z.strictObject({ sealed: b64(MIN_CHAT_SETTINGS_BYTES, MAX_CHAT_SETTINGS_BYTES) });
export const putChatSettingsResponse = z.object({ version: z.number().int().positive(), revision: z.number().int().positive() });
/** The 409 `stale_chat_settings` body: the error and the revision the server holds. */
export const staleChatSettingsBody = errorBody.extend({ revision: z.number().int().positive() });
export const MAX_CHAT_SETTINGS_PAGE = 100;
export const chatSettingsListResponse = z.object({
  settings: z
    .array(z.object({ conversationId: conversationIdSchema, sealed: b64(MIN_CHAT_SETTINGS_BYTES, MAX_CHAT_SETTINGS_BYTES), version: z.number().int().positive() }))
    .max(MAX_CHAT_SETTINGS_PAGE),
  more: z.boolean(),
});

// Linking a device (docs/PROTOCOL.md "Linking a device"). The server relays frames it cannot read between
// the new device N, which has no account and proves itself with the link token, and the existing device
// O, which proves itself with its session.

/** An unanswered link lives this long; answering it restarts the clock once (docs/API.md). */
export const LINK_LIFETIME_MS = 120_000;
/** Frames the relay holds per link and side: a linking needs three from O and two from N. */
export const MAX_LINK_FRAMES = 16;
export const LINK_TOKEN_BYTES = 32;
/** Header carrying N's link token on the frames routes. */
export const LINK_TOKEN_HEADER = "X-Link-Token";

/** 16-byte random link id chosen by the server, base64url; it travels in the QR code. */
export type LinkId = Brand<string, "LinkId">;

export function isLinkId(text: unknown): text is LinkId {
  if (typeof text !== "string") return false;
  try {
    return fromBase64url(text).length === LINK_ID_BYTES;
  } catch {
    return false;
  }
}

export const linkIdSchema = z.string().refine(isLinkId, "must be a link id").transform((s) => s as LinkId);
export const linkSideSchema = z.enum(["new", "existing"]);
export type LinkSide = z.infer<typeof linkSideSchema>;

/** Base64url characters of the largest frame: a longer string cannot hold MAX_LINK_FRAME_BYTES or fewer. */
const MAX_LINK_FRAME_CHARS = Math.ceil((MAX_LINK_FRAME_BYTES * 4) / 3);

/**
 * An opaque link frame, base64url of 1..MAX_LINK_FRAME_BYTES. Its size issue carries `params.tooLarge`
 * so the worker answers 413 rather than 400 (the one field whose size bound is an HTTP 413, docs/API.md).
 */
export const linkFrameSchema = z.string().superRefine((s, ctx) => {
  if (s.length > MAX_LINK_FRAME_CHARS) {
    ctx.addIssue({ code: "custom", message: `must be at most ${MAX_LINK_FRAME_BYTES} bytes`, params: { tooLarge: true } });
    return;
  }
  let n: number;
  try {
    n = fromBase64url(s).length;
  } catch {
    ctx.addIssue({ code: "custom", message: "must be base64url" });
    return;
  }
  if (n < 1) ctx.addIssue({ code: "custom", message: "must not be empty" });
});

// POST /api/link (no session: N has no account yet)
export const createLinkResponse = z.object({
  linkId: linkIdSchema,
  /** N's capability for this link, sent back as X-Link-Token; only its hash is stored. */
  newToken: b64(LINK_TOKEN_BYTES, LINK_TOKEN_BYTES),
  expiresAt: z.number().int(),
});
// POST /api/link/:linkId/respond (O's session)
export const respondLinkRequest = z.strictObject({ ephemeralKey: b64(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES) });
export const respondLinkResponse = z.object({ expiresAt: z.number().int() });
// POST /api/link/:linkId/frames (N with X-Link-Token, or O's session)
export const postLinkFrameRequest = z.strictObject({ from: linkSideSchema, frame: linkFrameSchema });
export const postLinkFrameResponse = z.object({ seq: z.number().int().positive() });
// GET /api/link/:linkId/frames?from=new|existing&after=N (the other side reads)
export const linkFramesResponse = z.object({
  frames: z.array(z.object({ seq: z.number().int().positive(), frame: linkFrameSchema })),
  /** O's ephemeral key once O answered, so N can derive the channel. */
  responder: z.object({ ephemeralKey: b64(PUBLIC_KEY_BYTES, PUBLIC_KEY_BYTES) }).nullable(),
  expiresAt: z.number().int(),
});

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
  "not_member", // a typing frame for a conversation this account is not in (or that does not exist)
  "wrong_sender", // a typing frame whose header names another conversation, account or device than the socket's
  "rate_limited", // more typing frames than the socket's budget (TYPING_RELAY_BURST, then TYPING_RELAY_PER_SECOND)
  "unavailable", // the server could not check the frame now (storage failed); nothing was relayed
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
  /** An entry was appended at `seq` to the device log of this account or of one it shares a conversation with. */
  z.object({ type: z.literal("log"), accountId: accountIdSchema, seq: z.number().int().positive() }),
  /** Another device of this account sealed new account secrets to this device (sent to that device only). */
  z.object({ type: z.literal("secrets"), headSeq: z.number().int().nonnegative() }),
  /** An entry was appended at `seq` to a group's membership log (sent to members before and after it). */
  z.object({ type: z.literal("membership"), conversationId: conversationIdSchema, seq: z.number().int().nonnegative() }),
  /**
   * Another device of this account stored a read state (version `version`): fetch GET /api/me/read-state.
   * Sent to the account's other devices, not to the one that wrote it.
   */
  z.object({ type: z.literal("read-state"), version: z.number().int().positive() }),
  /** Another device of this account stored chat settings (version `version`): fetch GET /api/me/chat-settings. */
  z.object({ type: z.literal("chat-settings"), version: z.number().int().positive() }),
  /** The new device posted a frame to a link this device answered (sent to that device only). */
  z.object({ type: z.literal("link"), linkId: linkIdSchema }),
  /**
   * Another member's device is typing (or stopped): a typing frame (docs/PROTOCOL.md "Typing frame")
   * relayed as it came, never stored. Not sent to the sender's own account.
   */
  z.object({ type: z.literal("typing"), conversationId: conversationIdSchema, frame: b64(TYPING_FRAME_BYTES, TYPING_FRAME_BYTES) }),
  /** The last client frame was refused; the socket stays open. */
  z.object({ type: z.literal("error"), code: z.string(), message: z.string() }),
]);
export type RealtimeServerFrame = z.infer<typeof realtimeServerFrame>;

/**
 * Close code of a socket whose device was revoked (its sessions are gone too): do not reconnect. In the
 * 4000-4999 range RFC 6455 section 7.4.2 leaves to applications; 4401 echoes HTTP 401.
 */
export const REALTIME_CLOSE_REVOKED = 4401;

/**
 * Client -> server. `ping` is the keep-alive (answered `{type:"pong"}`); `typing` asks the server to relay
 * a typing frame to the other members of the conversation (no answer unless refused).
 */
export const realtimeClientFrame = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("ping") }),
  z.strictObject({ type: z.literal("typing"), conversationId: conversationIdSchema, frame: b64(TYPING_FRAME_BYTES, TYPING_FRAME_BYTES) }),
]);

/** Typing frames a socket may send at once, and then per second on average (a token bucket). */
export const TYPING_RELAY_BURST = 3;
export const TYPING_RELAY_PER_SECOND = 2;
export type RealtimeClientFrame = z.infer<typeof realtimeClientFrame>;

// Recovery (docs/API.md "Recovery"). The server keeps the newest recovery blob (sealed to the account's
// recovery box key, so safe to serve to anyone who names the username), and optionally a passphrase blob
// released only to the right access token.
export const MAX_RECOVERY_BLOB_BYTES = 2048;
export const MAX_PASSPHRASE_BLOB_BYTES = 512;
export const ACCESS_TOKEN_BYTES = 32;

// PUT /api/recovery/blob (session)
export const putRecoveryBlobRequest = z.strictObject({ blob: b64(1, MAX_RECOVERY_BLOB_BYTES) });
// PUT /api/recovery/passphrase (session)
export const putPassphraseRequest = z.strictObject({ blob: b64(1, MAX_PASSPHRASE_BLOB_BYTES), accessToken: b64(ACCESS_TOKEN_BYTES, ACCESS_TOKEN_BYTES) });
// POST /api/recovery/:username/passphrase (no session)
export const unlockPassphraseRequest = z.strictObject({ accessToken: b64(ACCESS_TOKEN_BYTES, ACCESS_TOKEN_BYTES) });
export const unlockPassphraseResponse = z.object({ blob: b64(1, MAX_PASSPHRASE_BLOB_BYTES) });

/** The public Argon2id parameters of the passphrase blob; the client re-checks them against its bounds. */
export const kdfParamsSchema = z.object({
  memoryKiB: z.number().int().positive(),
  iterations: z.number().int().positive(),
  parallelism: z.number().int().positive(),
  salt: b64(16, 16),
});
// GET /api/recovery/:username (no session)
export const recoveryLookupResponse = z.object({
  accountId: accountIdSchema,
  blob: b64(1, MAX_RECOVERY_BLOB_BYTES),
  passphrase: kdfParamsSchema.nullable(),
  lastUsedAt: z.number().int().nullable(),
  /** The account's device log: the restoring client verifies it (genesis hashes to accountId) and builds on its head. */
  log: z.array(b64(1, MAX_ENTRY_B64_BYTES)).min(1).max(10_000),
});
// GET /api/recovery (session): what the settings screen shows and the key file holds.
export const recoveryStatusResponse = z.object({
  blob: b64(1, MAX_RECOVERY_BLOB_BYTES).nullable(),
  counter: z.number().int().nonnegative(),
  passphraseBlob: b64(1, MAX_PASSPHRASE_BLOB_BYTES).nullable(),
  lastUsedAt: z.number().int().nullable(),
});


// PUT /api/profile, GET /api/accounts/:accountId/profile (docs/API.md "Profiles")
export const sealedProfileSchema = b64(MIN_PROFILE_BLOB_BYTES, MAX_PROFILE_BLOB_BYTES);
export const putProfileRequest = z.strictObject({ sealed: sealedProfileSchema });
/** GET /api/accounts/:id/profile: `sealed` null when the account has stored none (an expected answer, not a 404). */
export const profileResponse = z.object({ sealed: sealedProfileSchema.nullable(), updatedAt: z.number().int().nonnegative().nullable() });
