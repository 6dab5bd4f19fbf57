import { msg } from "@lit/localize";

/**
 * A failed upload's sentence in the reader's language. The client stores the English sentence with the
 * upload (client/attachments/upload-errors.ts), so it survives a reload; the known ones are shown
 * translated, anything else (a server's own detail) as stored.
 */
export function uploadErrorText(stored: string): string {
  switch (stored) {
    case "This file is too large to send.":
      return msg("This file is too large to send.");
    case "Your space for files is full. Delete some sent files, or wait a day for unsent uploads to expire.":
      return msg("Your space for files is full. Delete some sent files, or wait a day for unsent uploads to expire.");
    case "You can no longer send to this chat.":
      return msg("You can no longer send to this chat.");
    case "This chat is not on the server any more.":
      return msg("This chat is not on the server any more.");
    case "The file could not be encrypted.":
      return msg("The file could not be encrypted.");
    case "The file could not be read. Try again.":
      return msg("The file could not be read. Try again.");
    case "The file could not be sent. Try again.":
      return msg("The file could not be sent. Try again.");
    default:
      return stored;
  }
}
