import { msg, str } from "@lit/localize";
import type { ChatClient, ConversationView } from "../client/index.js";
import type { SealedConfirmDialog } from "./sealed-confirm-dialog.js";
import type { ChatAction } from "./sealed-chat-menu.js";

/**
 * Carries out one chat-menu action (docs/decisions.md "Chat list controls"). Delete and block ask first
 * (in-app, sealed-confirm-dialog); a refusal (too many pinned) is thrown for the list to say.
 */
export async function runChatAction(client: ChatClient, confirm: SealedConfirmDialog, action: ChatAction, c: ConversationView): Promise<void> {
  const chats = client.chats;
  switch (action) {
    case "pin":
    case "unpin":
      await chats.pin(c.id, action === "pin");
      return;
    case "archive":
    case "unarchive":
      await chats.archive(c.id, action === "archive");
      return;
    case "mark-unread":
    case "mark-read":
      await chats.markUnread(c.id, action === "mark-unread");
      return;
    case "delete": {
      const yes = await confirm.ask({
        title: msg(str`Delete this chat with ${c.title}?`),
        body: msg("Its messages are deleted from this device only. The others in the chat keep theirs, and new messages will appear here again."),
        confirm: msg("Delete chat"),
        danger: true,
      });
      if (yes) await chats.deleteLocally(c.id);
      return;
    }
    case "block": {
      const yes = await confirm.ask({
        title: msg(str`Block ${c.title}?`),
        body: msg(str`You won't see or be notified of ${c.title}'s messages, and you can't send to them until you unblock. ${c.title} isn't told, and the server isn't either.`),
        confirm: msg("Block"),
        danger: true,
      });
      if (yes) await chats.block(c.id, true);
      return;
    }
    case "unblock":
      await chats.block(c.id, false);
      return;
  }
}
