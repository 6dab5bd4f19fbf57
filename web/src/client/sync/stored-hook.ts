import type { ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";

/**
 * Who wants to hear that receiving stored new messages from other accounts in a conversation (the
 * receipt sender, sync/receipts.ts). Keyed by the operations' context, so several clients in one process
 * (tests, the headless client) each hear only their own; receive.ts calls it after its transaction
 * committed, whichever path fetched the messages (a poll, a push, opening a chat, loading history).
 */
type Listener = (conversationId: ConversationId) => void;

const listeners = new WeakMap<ClientContext, Listener>();

export function onStoredFromOthers(ctx: ClientContext, listener: Listener): void {
  listeners.set(ctx, listener);
}

export function notifyStoredFromOthers(ctx: ClientContext, conversationId: ConversationId): void {
  listeners.get(ctx)?.(conversationId);
}
