import { msg } from "@lit/localize";
// From the small doors, not protocol/index.ts and client/index.ts: the app shell uses this file.
import { isProtocolError } from "../../../protocol/errors.js";
import { isApiError, isClientError } from "../client/shell.js";

/**
 * The one place where error codes become sentences for people (STYLE 7). Raw codes never reach the
 * screen; anything unknown becomes a generic sentence and is logged for developers.
 */
const API_TEXT = (): Record<string, string> => ({
  network: msg("Can't reach the server. Check your connection and try again."),
  username_taken: msg("That username is taken. Try another one."),
  not_found: msg("No one uses that username."),
  unauthenticated: msg("Your session ended. Reload the page to sign in again."),
  login_failed: msg("Signing in failed. Reload the page to try again."),
  too_large: msg("That is too large to send."),
  bad_origin: msg("The request was blocked because it didn't come from this app."),
  forbidden: msg("This device isn't allowed to do that."),
  not_member: msg("You aren't part of that conversation."),
  internal: msg("The server had a problem. Try again in a moment."),
  bad_response: msg("The server sent something unexpected. Try again in a moment."),
  link_taken: msg("Another device already answered this code. Show a fresh code on the new device."),
  link_expired: msg("This link code has expired. Show a fresh code on the new device."),
  invalid_membership: msg("The server refused this change to the group's members."),
  membership_conflict: msg("Someone else changed the group at the same moment. Try again."),
});

const CLIENT_TEXT = (): Record<string, string> => ({
  invalid_username: msg("Usernames are 3–32 characters: letters a–z, digits, “_” or “.”, starting with a letter."),
  self_contact: msg("That's your own username. Enter someone else's."),
  username_mismatch: msg("The server answered with a different account than the one asked for, so it wasn't trusted."),
  contact_blocked: msg("Sending is stopped because this contact's identity changed."),
  unknown_contact: msg("That contact couldn't be verified yet. Try again."),
  unknown_conversation: msg("That conversation isn't on this device."),
  epoch_unavailable: msg("Encryption for this chat isn't ready yet. Try again in a moment."),
  message_empty: msg("Type a message first."),
  message_too_long: msg("That message is too long. Split it into shorter ones."),
  not_signed_up: msg("This device has no account yet."),
  already_signed_up: msg("This device already has an account."),
  corrupt_store: msg("Data stored on this device is damaged and couldn't be read."),
  link_cancelled: msg("Linking was cancelled."),
  account_log_alarm: msg("Sending is stopped because your account's device list failed its security check."),
  keys_pending: msg("Another of your devices just changed this account's keys, and this device is still waiting for them. Try again in a moment, or use that device."),
  bad_secrets: msg("New account keys sent to this device didn't pass their security check, so they were refused."),
  forbidden_self: msg("This device can't remove itself. Remove it from another device."),
  unknown_device: msg("That device is no longer on this account."),
  invalid_device_name: msg("Give the device a name of 1 to 64 characters."),
  epoch_withheld: msg("Sending is paused: the server says this chat has a newer encryption key but doesn't provide a valid one, so your message could reach someone who was removed. Try again later."),
  contact_log_withheld: msg("Sending is paused: this contact's messages mention a newer list of their devices than the server provides, so a removed device could still get your message. Try again in a moment."),
  membership_withheld: msg("Sending is paused: this group's newest key was made for a membership change the server doesn't provide, so a removed member could still get your message. Try again in a moment."),
  not_member: msg("You are no longer a member of this group."),
  not_admin: msg("Only the group's admins can do that."),
  history_not_shared: msg("These messages were written before you joined, and this group doesn't share earlier messages with new members."),
  invalid_group_name: msg("Give the group a name of 1 to 100 characters (emoji count as several), without control characters."),
  invalid_group_members: msg("Add at least one other person, each of them once."),
  unknown_message: msg("That message isn't on this device any more."),
  message_not_sent: msg("That message hasn't been sent yet. Try again once it has."),
  message_deleted: msg("That message was deleted."),
  not_author: msg("You can only edit or delete your own messages."),
  not_editable: msg("Only text messages can be edited."),
  invalid_reaction: msg("A reaction is a single emoji."),
  attachment_corrupt: msg("This file was changed on the server and can't be opened."),
  attachment_unavailable: msg("This file is no longer available."),
  attachment_cancelled: msg("Download cancelled."),
  attachment_too_large: msg("That file is too large to send: files can be up to 100 MB."),
  attachment_empty: msg("That file is empty, so there is nothing to send."),
  attachment_malformed: msg("That photo's file is damaged, so its location and camera details couldn't be removed. It wasn't sent."),
  attachment_failed: msg("The file couldn't be opened. Try again."),
  too_many_pinned: msg("You can pin up to 5 chats. Unpin one to pin this one."),
  chat_blocked: msg("You blocked this contact. Unblock them to send a message."),
  invalid_display_name: msg("A name needs 1 to 64 characters (fewer for some scripts), without control characters."),
  invalid_avatar: msg("That picture couldn't be used. Choose a JPEG, PNG or WebP image."),
  not_implemented: msg("Groups aren't available in this version yet."),
});

export function errorText(e: unknown): string {
  if (isApiError(e)) {
    const known = API_TEXT()[e.code];
    if (known) return known;
    if (e.status >= 500) return API_TEXT().internal!;
  } else if (isClientError(e)) {
    const known = CLIENT_TEXT()[e.code];
    if (known) return known;
  } else if (isProtocolError(e)) {
    return msg("Something received from the server didn't pass its security checks, so it was refused.");
  }
  console.error(e);
  return msg("Something went wrong. Try again.");
}
