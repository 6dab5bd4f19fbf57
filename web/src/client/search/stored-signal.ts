import type { ConversationId } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";

/**
 * Who wants to hear that receiving committed a page of a conversation (the search indexer, which then
 * indexes it in the background). Keyed by the operations' context, like sync/stored-hook.ts, so several
 * clients in one process each hear only their own.
 */
type Listener = (conversationId: ConversationId) => void;

const listeners = new WeakMap<ClientContext, Listener>();

export function onPageStored(ctx: ClientContext, listener: Listener): void {
  listeners.set(ctx, listener);
}

export function notifyPageStored(ctx: ClientContext, conversationId: ConversationId): void {
  listeners.get(ctx)?.(conversationId);
}
