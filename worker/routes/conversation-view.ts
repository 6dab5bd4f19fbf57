import type { Conversation } from "../../protocol/api.js";
import type { Ctx } from "../env.js";
import { ServerFault } from "../errors.js";
import type { ConversationRecord } from "../storage/conversation-store.js";

/**
 * Conversations as the API shows them: the conversation store's records with each one's last seq, which
 * the message log owns. One call to the log for the whole list.
 */
export async function conversationViews(c: Ctx, records: readonly ConversationRecord[]): Promise<Conversation[]> {
  const latest = await c.var.stores.messages.latestSeqs(records.map((r) => r.id));
  return records.map((r) => ({ ...r, lastSeq: latest.get(r.id) ?? 0 }));
}

/** One conversation as the API shows it. */
export async function conversationView(c: Ctx, record: ConversationRecord): Promise<Conversation> {
  const [view] = await conversationViews(c, [record]);
  if (!view) throw new ServerFault("a conversation view went missing");
  return view;
}
