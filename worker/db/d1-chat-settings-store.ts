// The chat-settings store over D1: the chat_settings table (chat-settings.ts).
import type { ChatSettingsStore } from "../storage/chat-settings-store.js";
import { listChatSettingsSince, putChatSettings } from "./chat-settings.js";

export function d1ChatSettingsStore(db: D1Database): ChatSettingsStore {
  return {
    put: (p) => putChatSettings(db, p),
    listSince: (accountId, after, limit) => listChatSettingsSince(db, accountId, after, limit),
  };
}
