// The message log over D1: the messages table (messages.ts), with seq assigned inside one INSERT.
import type { MessageLog } from "../storage/message-log.js";
import { appendMessage, latestSeqs, listMessages } from "./messages.js";

export function d1MessageLog(db: D1Database): MessageLog {
  return {
    append: (m) => appendMessage(db, m),
    page: (conversationId, after, limit) => listMessages(db, conversationId, after, limit),
    latestSeqs: (ids) => latestSeqs(db, ids),
  };
}
