import { z } from "zod";
import { conversationIdSchema, deviceIdSchema } from "../../../../protocol/api.js";

/** At most this many chats are pinned at once (as in WhatsApp). */
export const MAX_PINNED = 5;

const seq = z.number().int().nonnegative();

/**
 * This device's chat-list settings for one conversation (docs/decisions.md "Chat list controls"): kept
 * in their own table so that no sync path that rewrites the conversation row can drop them.
 * - `pinOrder`: set while pinned; a larger number was pinned later (pinned chats show in pin order).
 * - `archivedAt`: set while archived: the position of the newest shown message then. A newer message of
 *   someone else brings the chat back, unless the chat is muted.
 * - `markedUnread`: "Mark as unread": a dot, no count; opening the chat clears it.
 * - `blockedSince`: a 1:1 chat whose peer this account blocked, at the newest position known then; the
 *   peer's messages past it are not shown or notified. `hidden`: the spans of earlier blocks, kept hidden
 *   after an unblock (as in Signal: what arrived while blocked is not delivered).
 * - `deletedUpTo`: "Delete chat" removed this device's messages up to this position.
 * Shared with the account's other devices (sync/chat-settings.ts, docs/PROTOCOL.md "Chat settings"):
 * - `revision` and `writer`: the Lamport revision of these settings and the device that wrote it (this
 *   device when changed here; another when applied from a fetched record). `generation`: the AHK
 *   generation they were last sealed under (here or by the writer), so they are sealed again after a
 *   rotation.
 * - `trustedIdentity`: a 1:1 chat's peer identity key whose change this account acknowledged.
 */
export const chatPrefsRow = z.object({
  conversationId: conversationIdSchema,
  pinOrder: z.number().int().positive().optional(),
  archivedAt: seq.optional(),
  markedUnread: z.literal(true).optional(),
  blockedSince: seq.optional(),
  hidden: z.array(z.object({ after: seq, upTo: seq })).max(1000).optional(),
  deletedUpTo: seq.optional(),
  revision: z.number().int().positive().optional(),
  writer: deviceIdSchema.optional(),
  generation: z.number().int().nonnegative().optional(),
  trustedIdentity: z.custom<Uint8Array>((v) => v instanceof Uint8Array && v.length === 32, "must be 32 bytes").optional(),
});
export type ChatPrefsRow = z.infer<typeof chatPrefsRow>;

/** A conversation whose settings this device changed and still has to share, at that revision (Dexie v15). */
export const settingsShareRow = z.object({
  conversationId: conversationIdSchema,
  revision: z.number().int().positive(),
});
export type SettingsShareRow = z.infer<typeof settingsShareRow>;
