// The message log owns each conversation's messages: it assigns their sequence numbers (1, 2, ... with
// no gap, however sends race), makes a retried send idempotent, and serves them back in pages by cursor.
// Today one D1 table (worker/db/d1-message-log.ts); the next engine is an object per conversation.
import type { AttachmentId } from "../../protocol/api.js";
import type { AccountId, ClientMessageId, ConversationId, DeviceId } from "../../protocol/ids.js";

export interface NewMessage {
  readonly conversationId: ConversationId;
  readonly senderAccountId: AccountId;
  readonly senderDeviceId: DeviceId;
  readonly clientMessageId: ClientMessageId;
  /** The epoch the envelope is sealed under: a newer stored epoch of the conversation refuses it. */
  readonly epoch: number;
  /** The key id the envelope names for its epoch: it must be the stored epoch's (checked in the append). */
  readonly keyId: Uint8Array;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
  /**
   * Attachments the message carries: each must be live, complete, unattached and uploaded by the sender's
   * account to this conversation. They are attached to the new seq in the same atomic step as the append.
   */
  readonly attachments: readonly AttachmentId[];
  /**
   * Whether members get a Web Push for it (`notify`) even if they muted the conversation (`mentions`).
   * A store that tells the members itself (`told`) has their hubs push; otherwise the route does.
   */
  readonly alert?: { readonly notify: boolean; readonly mentions: boolean };
}

export type AppendResult =
  /**
   * `told`: the store itself sent the message's realtime frame to every member account (the objects
   * layout: the conversation object, right after the append), so the route sends none.
   */
  | { readonly kind: "stored"; readonly seq: number; readonly told?: boolean }
  | { readonly kind: "duplicate"; readonly seq: number }
  /** The client message id was already used by this device for different bytes. */
  | { readonly kind: "id_reused"; readonly seq: number }
  /** The conversation has an epoch newer than the envelope's: whoever was left out of it must not read it. */
  | { readonly kind: "stale_epoch" }
  /** The envelope's epoch has no bundle stored yet. */
  | { readonly kind: "unknown_epoch" }
  /** The envelope's key id is not its epoch's. */
  | { readonly kind: "epoch_key_mismatch" }
  /** An attachment is not (or no longer) one this message may carry: nothing was stored or attached. */
  | { readonly kind: "attachments_refused" };

export interface StoredMessage {
  readonly seq: number;
  readonly envelope: Uint8Array;
  readonly receivedAt: number;
}

export interface MessagePage {
  readonly messages: StoredMessage[];
  /** Whether messages follow the last one of the page. */
  readonly more: boolean;
}

/**
 * Envelope bytes per page. D1 hands BLOBs to JS as arrays of numbers (several bytes of heap per byte),
 * so 500 envelopes of 70 KiB could exceed a Worker's 128 MB; a page stops early instead, and `more`
 * sends the client back for the rest. A page always holds at least one message.
 */
export const MESSAGE_PAGE_BYTES = 2 * 1024 * 1024;

export interface MessageLog {
  /**
   * Appends a message with the next seq of its conversation, if its epoch is stored under its key id
   * (`unknown_epoch`, `epoch_key_mismatch` otherwise: nothing stored). A retry (same device, same client message
   * id, same bytes) stores nothing and reports the seq stored the first time. A message under an epoch
   * older than the conversation's newest is refused in the same atomic step (`stale_epoch`), so a new
   * epoch posted meanwhile (a removal, a revoked device) cannot be raced. Its attachments are checked
   * and attached in that same step: all of them or none, and only for a newly stored message.
   */
  append(m: NewMessage): Promise<AppendResult>;
  /** Up to `limit` messages after seq `after`, in seq order, within MESSAGE_PAGE_BYTES. */
  page(conversationId: ConversationId, after: number, limit: number): Promise<MessagePage>;
  /** The newest seq of each conversation (0 for one without messages). */
  latestSeqs(conversationIds: readonly ConversationId[]): Promise<Map<ConversationId, number>>;
}
