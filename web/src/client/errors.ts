/**
 * The client's errors, one hierarchy (STYLE 7): `ClientError` is the root, with a code and, when it
 * wraps another error, that error as `cause`. Two subclasses have their own code spaces and names:
 * `ApiError` (transport/api.ts: the server's codes and our transport failures) and `RecoveryError`
 * (recovery/recovery-error.ts). The protocol's ProtocolError stays in protocol/, which imports nothing
 * from here. Each code maps to one sentence for people in ui/error-text.ts (ui/recovery-error-text.ts).
 */
export type ClientErrorCode =
  | "not_signed_up" // no account on this device yet
  | "already_signed_up" // this device already holds an account
  | "invalid_username" // not 3-32 of a-z, 0-9, '_', '.', starting with a letter
  | "message_empty"
  | "message_too_long"
  | "self_contact" // tried to start a chat with oneself
  | "username_mismatch" // the server answered a lookup with another user's log
  | "contact_blocked" // the contact's identity changed: sending stops until re-verified
  | "unknown_contact" // no verified log for this account
  | "unknown_conversation"
  | "unknown_message" // no such (failed) message on this device
  | "epoch_unavailable" // no epoch key could be made or opened yet
  | "corrupt_store" // an IndexedDB row failed its schema
  | "link_cancelled" // linking a device was cancelled on either device
  | "forbidden_self" // a device tried to revoke itself
  | "unknown_device" // no such active device on this account
  | "account_log_alarm" // this account's own device log failed verification: sending is stopped
  | "keys_pending" // another device rotated the account keys; this one has not received them yet
  | "bad_secrets" // a device-secrets package did not open or did not match the verified log
  | "invalid_device_name" // empty or longer than MAX_DEVICE_NAME
  | "epoch_withheld" // the server claims a newer epoch exists but serves no valid bundle for it
  | "contact_log_withheld" // the contact's messages cite a device-log position the server does not serve
  | "membership_withheld" // a group's epoch cites a membership-log entry the server does not serve
  | "not_member" // this account is no longer a member of the group (removed or left)
  | "not_admin" // only the group's admins may do that
  | "history_not_shared" // an epoch of a group from before this account joined, whose key nobody shared
  | "invalid_group_name" // empty, or longer than MAX_GROUP_NAME_BYTES of UTF-8
  | "invalid_group_members" // a group needs at least one other member, each listed once
  | "message_not_sent" // a reply, reaction, edit or delete names a message that was not (yet) sent
  | "message_deleted" // the message was deleted for everyone
  | "not_author" // only a message's author edits or deletes it
  | "not_editable" // only text (and replies) can be edited
  | "invalid_reaction" // a reaction is exactly one emoji
  | "attachment_corrupt" // an attachment blob failed a check (commitment, a chunk, digest, size): refused whole
  | "attachment_unavailable" // the blob is not on the server (deleted, expired, or not this account's to read)
  | "attachment_cancelled" // the download (or encryption) was cancelled
  | "attachment_too_large" // over the blob format's 4 GiB, or over the 100 MiB a file to send may have
  | "attachment_empty" // a file to send has no bytes
  | "attachment_malformed" // a JPEG, PNG or WebP to send whose structure is broken (its metadata cannot be stripped)
  | "unknown_upload" // no upload with that id on this device (sent, or cancelled)
  | "too_many_pinned" // at most MAX_PINNED chats are pinned at once
  | "chat_blocked" // this account blocked the peer of this 1:1 chat: unblock to send
  | "invalid_display_name" // empty after trimming, over 64 bytes, or with control or direction-override characters
  | "invalid_avatar" // a picture that cannot be read as an image, or too large even once made small
  | "attachment_failed"; // anything else that stopped a file's encryption or download

/** What a wrapping error keeps of the error it replaces (ES2022 `Error` options). */
export interface ErrorCause {
  readonly cause?: unknown;
}

/** The root of the client's errors; `C` is the subclass's code space (the core's own by default). */
export class ClientError<C extends string = ClientErrorCode> extends Error {
  override readonly name: string = "ClientError";
  constructor(
    readonly code: C,
    message: string,
    options: ErrorCause = {},
  ) {
    super(message, options);
  }
}

/**
 * One of several usernames a person typed (a new group's members) was refused: `username` says which,
 * `cause` why (an unknown username is the server's not_found; a blocked contact is contact_blocked).
 */
export class MemberRefused extends ClientError<"member_refused"> {
  override readonly name = "MemberRefused";
  constructor(
    readonly username: string,
    cause: unknown,
  ) {
    super("member_refused", `${username} cannot be added: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * An error the client core raised with one of its own codes (not an ApiError or RecoveryError, whose
 * codes are another space: the server's `not_member` is not the core's). Subclasses set their own name.
 */
export function isClientError(e: unknown, code?: ClientErrorCode): e is ClientError {
  return e instanceof ClientError && e.name === "ClientError" && (code === undefined || e.code === code);
}

/** Lower-cases and checks a username typed by a person, as a ClientError the UI can explain. */
export function usernameFrom(input: string, parse: (s: string) => string): string {
  try {
    return parse(input);
  } catch (e) {
    throw new ClientError("invalid_username", "usernames are 3-32 characters: a-z, 0-9, '_' or '.', starting with a letter", { cause: e });
  }
}
