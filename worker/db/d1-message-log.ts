// The message log over D1: the messages table (messages.ts), with seq assigned inside one INSERT.
import { bytesEqual } from "../../protocol/bytes.js";
import type { MessageLog } from "../storage/message-log.js";
import { findEpochKeyId } from "./epochs.js";
import { appendMessage, latestSeqs, listMessages } from "./messages.js";

export function d1MessageLog(db: D1Database): MessageLog {
  return {
    async append(m) {
      // Epochs are only ever added, so checking the key before the insert cannot be raced into a wrong answer.
      const keyId = await findEpochKeyId(db, m.conversationId, m.epoch);
      if (!keyId) return { kind: "unknown_epoch" };
      if (!bytesEqual(keyId, m.keyId)) return { kind: "epoch_key_mismatch" };
      return appendMessage(db, m);
    },
    page: (conversationId, after, limit) => listMessages(db, conversationId, after, limit),
    latestSeqs: (ids) => latestSeqs(db, ids),
  };
}
