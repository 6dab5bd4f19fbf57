import { z } from "zod";
import { accountIdSchema, clientMessageIdSchema, conversationIdSchema, deviceIdSchema, usernameSchema } from "../../../../protocol/api.js";
import { ClientError } from "../errors.js";
import { AttachmentId } from "../../../../protocol/index.js";
import { attachmentFields } from "./attachment-row.js";

/**
 * Schemas of every IndexedDB row. Rows are parsed when read back (STYLE: parse at boundaries): a row
 * written by an older version, or edited by anything else in the profile, fails here with a typed error
 * instead of surfacing as a wrong value later.
 */
const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, "must be bytes");
const bytes32 = bytes.refine((b) => b.length === 32, "must be 32 bytes");

/** Only non-extractable keys are ever stored: the schema refuses anything else on the way in and out. */
export const storedKey = z.custom<CryptoKey>((v) => typeof CryptoKey !== "undefined" && v instanceof CryptoKey && v.extractable === false, "must be a non-extractable CryptoKey");

const timestamp = z.number().int().nonnegative();
const logHead = z.object({ seq: z.number().int().nonnegative(), hash: bytes32 });
const logEntries = z.array(bytes).min(1);

/** This device's own keys. DSK, DBK and VK never leave it. */
export const deviceRow = z.object({
  id: z.literal("self"),
  deviceId: deviceIdSchema,
  signingKey: storedKey, // DSK, Ed25519 private
  signingPublic: bytes32,
  boxKey: storedKey, // DBK, X25519 private
  boxPublic: bytes32,
  vaultKey: storedKey, // VK, AES-256-GCM, wraps the account secrets
  createdAt: timestamp,
});
export type DeviceRow = z.infer<typeof deviceRow>;

/** The account this device belongs to, with usable (non-extractable) and wrapped copies of its secrets. */
export const accountRow = z.object({
  id: z.literal("self"),
  accountId: accountIdSchema,
  username: usernameSchema,
  identityKey: storedKey, // AIK usable copy
  identityPublic: bytes32,
  identityWrapped: bytes, // AIK PKCS#8 wrapped under VK (for transfer)
  historyGeneration: z.number().int().nonnegative(),
  historyKey: storedKey, // AHK usable copy
  historyPublic: bytes32,
  historyWrapped: bytes,
  log: logEntries,
  head: logHead,
  recoveryConfirmed: z.boolean(),
  createdAt: timestamp,
});
export type AccountRow = z.infer<typeof accountRow>;

export const contactStatus = z.enum(["verified", "identity_changed"]);
export type ContactStatus = z.infer<typeof contactStatus>;

/** Why a contact is blocked: the protocol code that raised it and when. */
export const contactProblem = z.object({
  code: z.enum(["identity_mismatch", "log_conflict", "invalid_log"]),
  detail: z.string(),
  at: timestamp,
});
export type ContactProblem = z.infer<typeof contactProblem>;

/** A contact's log as first verified (trust on first use) and extended since; never replaced by a fork. */
export const contactRow = z.object({
  accountId: accountIdSchema,
  username: usernameSchema,
  log: logEntries,
  head: logHead,
  status: contactStatus,
  problem: contactProblem.optional(),
  /**
   * The newest position of this contact's log that one of its envelopes or bundles cited, when that is
   * beyond the verified head and the server would not serve it: a change (a removed device) may be
   * withheld, so sending waits until the log catches up.
   */
  citedSeq: z.number().int().nonnegative().optional(),
  /**
   * Marked verified on this device (a scanned code or by hand): the identity key and log position it
   * verified. Kept across entries the identity key vouches for; dropped by a reset (identity/verification.ts).
   */
  verified: z.object({ identityKey: bytes32, seq: z.number().int().nonnegative(), at: timestamp }).optional(),
  /** A reset replaced this contact's identity key since it was last acknowledged: the chat warns until re-trusted. */
  keyChanged: z.object({ seq: z.number().int().nonnegative(), at: timestamp }).optional(),
  addedAt: timestamp,
});
export type ContactRow = z.infer<typeof contactRow>;

const conversationCommon = {
  id: conversationIdSchema,
  createdAt: timestamp,
  /** The server's last sequence number when the list was last synced. */
  lastSeq: z.number().int().nonnegative(),
  /** Sort key for the conversation list: the newest message's time, or the creation time. */
  updatedAt: timestamp,
  /** Messages refused on receipt (bad signature, replay, ...): counted and shown, never displayed. */
  rejected: z.number().int().nonnegative(),
  /**
   * For each member device this client saw active and then verified removed (revoke or reset), this
   * conversation's cursor at that moment: nothing the device sent after it is shown (identity/removals.ts).
   */
  removedAfter: z.record(deviceIdSchema, z.number().int().nonnegative()).optional(),
  /**
   * The newest server position this account has read here: set when the chat is seen on this device,
   * and raised by a read mark or a sealed read state (sync/read-state.ts) from one of this account's other
   * devices (unread is the same everywhere).
   */
  readUpTo: z.number().int().nonnegative().optional(),
};

/** A 1:1 chat, or a group whose members live in its verified membership log (the `groups` table). */
export const conversationRow = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("direct"), peer: accountIdSchema, ...conversationCommon }),
  z.object({ kind: z.literal("group"), ...conversationCommon }),
]);
export type ConversationRow = z.infer<typeof conversationRow>;
export type DirectConversationRow = Extract<ConversationRow, { kind: "direct" }>;

const groupMember = z.object({ accountId: accountIdSchema, role: z.union([z.literal(0), z.literal(1)]), addedAtSeq: z.number().int().nonnegative() });

/**
 * A group's membership log as verified (protocol/membership-log.ts) and extended since, never replaced
 * by a fork; with what it says now, the decrypted group name and any refusal to show.
 */
export const groupRow = z.object({
  conversationId: conversationIdSchema,
  entries: logEntries,
  /** The hash of each entry (the membership head a bundle cites is one of them). */
  hashes: z.array(bytes32).min(1),
  head: logHead,
  members: z.array(groupMember),
  historyForNewMembers: z.boolean(),
  /** The group name, decrypted from the newest sealed group meta this device could open. */
  name: z.string().optional(),
  /** The epoch of the meta `name` came from: an older one never replaces it. */
  metaEpoch: z.number().int().nonnegative().optional(),
  /** When that meta was sealed: a rename under the same epoch replaces it only if newer. */
  metaAt: timestamp.optional(),
  /** Who last renamed the group, and when, as this device saw it happen (group-meta.ts withName). */
  namedBy: accountIdSchema.optional(),
  namedAt: timestamp.optional(),
  /** The server served a membership log that does not verify or does not extend this one. */
  problem: z.object({ code: z.string().max(64), detail: z.string(), at: timestamp }).optional(),
  /** When the server started refusing this account as a member (403): it was removed, or the server says so. */
  refusedAt: timestamp.optional(),
  /**
   * A membership head an epoch bundle cited that the served log does not hold: the server may be hiding
   * a change (a removal), so sending in the group waits until the log holds it (epochs.ts).
   */
  withheldHead: z.object({ hash: bytes32, at: timestamp }).optional(),
});
export type GroupRow = z.infer<typeof groupRow>;

export const epochRow = z.object({
  conversationId: conversationIdSchema,
  epoch: z.number().int().nonnegative(),
  keyId: bytes32,
  ck: storedKey,
  bundle: bytes,
  /** When this device stored it: with the bundle's own time, what bounds the epoch's lifetime (epochs.ts). */
  storedAt: timestamp.optional(),
});
export type EpochRow = z.infer<typeof epochRow>;

export const envelopeRow = z.object({
  conversationId: conversationIdSchema,
  seq: z.number().int().positive(),
  envelope: bytes,
  receivedAt: z.number().int(),
});
export type EnvelopeRow = z.infer<typeof envelopeRow>;

/**
 * `pending`: sealed, waiting in the outbox. `sent`: the server holds it (it has a seq). `failed`: the
 * server refused these exact bytes for good (a 4xx other than 401), so they were not stored and are never
 * posted again; the user may retry, which seals the text anew as a new message.
 */
export const messageStatus = z.enum(["sent", "pending", "failed"]);
export type MessageStatus = z.infer<typeof messageStatus>;

/** Why the server refused a message: its error code and HTTP status. */
export const sendFailure = z.object({ code: z.string().max(64), status: z.number().int(), at: timestamp });
export type SendFailure = z.infer<typeof sendFailure>;

/** A message's stable id on every device: its sender device and client message id (protocol MessageRef). */
export const messageRefSchema = z.object({ deviceId: deviceIdSchema, clientMessageId: clientMessageIdSchema });

/** One @mention of a text, reply or edit (protocol/mentions.ts): a UTF-16 range of `text` naming an account. */
export const mentionFields = z.object({ accountId: accountIdSchema, start: z.number().int().nonnegative(), length: z.number().int().positive() });

/** A receipt's mark and the server position it covers (protocol ReceiptMark; the envelope there is `ref`). */
export const receiptFields = z.object({ mark: z.enum(["delivered", "read"]), position: z.number().int().positive() });

/**
 * The decrypted-message cache, and the outbox: a pending row carries its sealed envelope until posted.
 * Every opened envelope has one row, whatever its kind (the chain and duplicate checks need them all);
 * conversations/content-rows.ts maps a body to the row's content fields and back (for resealing).
 */
export const messageRow = z.object({
  conversationId: conversationIdSchema,
  clientMessageId: clientMessageIdSchema,
  seq: z.number().int().positive().optional(),
  senderAccountId: accountIdSchema,
  senderDeviceId: deviceIdSchema,
  counter: z.number().int().positive(),
  /** The text of a text, reply or edit; empty for every other kind, and once deleted for everyone. */
  text: z.string(),
  /**
   * The content kind number (protocol/content.ts) when it is not text: absent on text rows, and on every
   * row written before kinds existed. A kind this version cannot show keeps its number, so a later
   * version can find these rows and open their stored envelopes again.
   */
  kindNumber: z.number().int().min(2).max(255).optional(),
  /** The message a reply, reaction, edit or delete is about; for a receipt, the envelope at its position. */
  ref: messageRefSchema.optional(),
  /**
   * The @mentions of a text, reply or edit, as it arrived (content kind 8); absent when it mentions
   * nobody. Checked against `text` when decoded; an edit's own list replaces the message's when folded.
   */
  mentions: z.array(mentionFields).max(32).optional(),
  /** A reaction's emoji; null when the reaction removes the sender's earlier one. */
  emoji: z.string().min(1).max(64).nullable().optional(),
  /** A receipt's mark. */
  receipt: receiptFields.optional(),
  /** A profile message's key and blob digest (kind 9, protocol/profile.ts); never shown. */
  profile: z.object({ generation: z.number().int().nonnegative(), key: bytes32, digest: bytes32 }).optional(),
  /** An attachment message's file (kind 7; store/attachment-row.ts); gone once deleted for everyone. */
  attachment: attachmentFields.optional(),
  /**
   * A pending delete for everyone of this device's own attachment message: the blob to delete on the
   * server (best effort) before the delete is posted, so it is retried with the outbox.
   */
  deletesAttachment: z.string().refine(AttachmentId.is, "must be an attachment id").transform((s) => s as AttachmentId).optional(),
  /**
   * Set on a message its author deleted for everyone (a tombstone): its text, its edits' texts and its
   * stored envelope are gone from this device; when the delete was applied.
   */
  deletedAt: timestamp.optional(),
  /** Stored before its kind was applied: its envelope is to be opened again (store/db.ts version 4, sync/reopen.ts). */
  reopen: z.literal(1).optional(),
  /**
   * A later stored row of the same sender says what this one said (its next reaction to the same message,
   * the author's next edit, a further receipt mark): the timeline no longer reads it (store/fold-keys.ts).
   */
  superseded: z.literal(1).optional(),
  sentAt: timestamp,
  status: messageStatus,
  envelope: bytes.optional(),
  /** Messages of this sender's chain that never arrived before this one. */
  missingBefore: z.number().int().nonnegative().optional(),
  /** The previous-hash link did not match: the server altered or reordered this sender's messages. */
  chainBroken: z.boolean().optional(),
  /** Set with status `failed`. */
  failure: sendFailure.optional(),
});
export type MessageRow = z.infer<typeof messageRow>;

/** The last envelope seen from one sending device in one conversation (replays and gaps). */
export const chainRow = z.object({
  conversationId: conversationIdSchema,
  deviceId: deviceIdSchema,
  counter: z.number().int().nonnegative(),
  hash: bytes32,
});
export type ChainRow = z.infer<typeof chainRow>;

/** This device's own outgoing chain per conversation: the counter and hash the next envelope extends. */
export const sendChainRow = z.object({
  conversationId: conversationIdSchema,
  counter: z.number().int().nonnegative(),
  hash: bytes32,
});
export type SendChainRow = z.infer<typeof sendChainRow>;

export const cursorRow = z.object({
  conversationId: conversationIdSchema,
  after: z.number().int().nonnegative(),
});
export type CursorRow = z.infer<typeof cursorRow>;

/**
 * A read position this device still has to share with the account's other devices (sync/read-state.ts):
 * the newest one per conversation, deleted once the server stored it.
 */
export const readShareRow = z.object({
  conversationId: conversationIdSchema,
  position: z.number().int().positive(),
});
export type ReadShareRow = z.infer<typeof readShareRow>;

/** A cursor over an account-wide list of the server ("read-state", "chat-settings"): the version last applied. */
export const accountCursorRow = z.object({
  name: z.enum(["read-state", "chat-settings"]),
  after: z.number().int().nonnegative(),
});
export type AccountCursorRow = z.infer<typeof accountCursorRow>;

/** Parses a row read from IndexedDB; a row that fails is reported as a corrupt store, naming the table. */
export function parseRow<S extends z.ZodType>(schema: S, table: string, row: unknown): z.output<S> {
  const r = schema.safeParse(row);
  if (!r.success) throw new ClientError("corrupt_store", `${table}: stored row is invalid (${r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  return r.data;
}

export function parseRows<S extends z.ZodType>(schema: S, table: string, rows: readonly unknown[]): z.output<S>[] {
  return rows.map((r) => parseRow(schema, table, r));
}
