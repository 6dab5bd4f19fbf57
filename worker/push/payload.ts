import { toBase64url, utf8 } from "../../protocol/bytes.js";
import type { ConversationId } from "../../protocol/ids.js";
import { MAX_PUSH_PLAINTEXT_BYTES, PUSH_PAYLOAD_VERSION, type PushPayload } from "../../protocol/push.js";

/**
 * The plaintext of a push for one stored message (protocol/push.ts): the envelope itself when the JSON
 * fits MAX_PUSH_PLAINTEXT_BYTES, so the service worker can show it without a fetch; otherwise a hint
 * naming the conversation and seq, and the service worker fetches the message.
 */
export function messagePushPlaintext(m: { conversationId: ConversationId; seq: number; envelope: Uint8Array; receivedAt: number }): Uint8Array {
  const full = utf8(
    JSON.stringify({ v: PUSH_PAYLOAD_VERSION, type: "message", conversationId: m.conversationId, seq: m.seq, envelope: toBase64url(m.envelope), receivedAt: m.receivedAt } satisfies PushPayload),
  );
  if (full.length <= MAX_PUSH_PLAINTEXT_BYTES) return full;
  return utf8(JSON.stringify({ v: PUSH_PAYLOAD_VERSION, type: "hint", conversationId: m.conversationId, seq: m.seq } satisfies PushPayload));
}
