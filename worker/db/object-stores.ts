// The conversation store and the message log over ConversationLog Durable Objects (issue 22): each
// conversation's data lives in its own object (conversation-log/object.ts); D1 keeps the directory's index
// of which account is in which conversation (conversations and conversation_members), used to list an
// account's conversations and its peers, and the attachments. docs/SCALE.md says what each part holds.
import type { ConversationId } from "../../protocol/ids.js";
import type { ConversationStore } from "../storage/conversation-store.js";
import type { MessageLog } from "../storage/message-log.js";
import { claimAttachments, claimToken, releaseAttachments } from "./attachment-claims.js";
import type { ConversationLog } from "./conversation-log/object.js";
import { conversationIdsOf, conversationPeers, openDirectConversation } from "./conversations.js";

export interface ObjectBindings {
  readonly DB: D1Database;
  readonly CONVERSATION_LOG: DurableObjectNamespace<ConversationLog>;
}

/** The conversation store and message log of one request, sharing the objects' stubs. */
export function objectConversationStores(env: ObjectBindings): { conversations: ConversationStore; messages: MessageLog } {
  const stubs = new Map<ConversationId, DurableObjectStub<ConversationLog>>();
  const log = (id: ConversationId): DurableObjectStub<ConversationLog> => {
    let stub = stubs.get(id);
    if (!stub) {
      stub = env.CONVERSATION_LOG.get(env.CONVERSATION_LOG.idFromName(id));
      stubs.set(id, stub);
    }
    return stub;
  };
  // Newest seqs learned while listing, so the list's views need no second round of calls.
  const seen = new Map<ConversationId, number>();

  const conversations: ConversationStore = {
    find: (id) => log(id).find(id),
    async listFor(accountId) {
      const ids = await conversationIdsOf(env.DB, accountId);
      const summaries = await Promise.all(ids.map((id) => log(id).summary(id)));
      const out = [];
      for (const s of summaries) {
        // The object's member set is the truth; the index may lag it by an outbox flush.
        if (!s || !s.record.members.includes(accountId)) continue;
        seen.set(s.record.id, s.lastSeq);
        out.push(s.record);
      }
      return out;
    },
    openDirect: (p) => openDirectConversation(env.DB, p),
    peersOf: (accountId) => conversationPeers(env.DB, accountId),
    createGroup: (g) => log(g.id).createGroup(g),
    readMembership: (id) => log(id).readMembership(id),
    lastMembershipEntry: (id) => log(id).lastMembershipEntry(id),
    appendMembership: (a) => log(a.id).appendMembership(a),
    insertEpoch: (e) => log(e.conversationId).insertEpoch(e),
    findEpochKeyId: (id, epoch) => log(id).findEpochKeyId(id, epoch),
    latestEpoch: (id) => log(id).latestEpoch(id),
    listEpochKeyIds: (id) => log(id).listEpochKeyIds(id),
    listEpochs: (id) => log(id).listEpochs(id),
    putGroupMeta: (m) => log(m.id).putGroupMeta(m),
    readHistoryShares: (id, accountId) => log(id).readHistoryShares(id, accountId),
  };

  const messages: MessageLog = {
    async append(m) {
      seen.delete(m.conversationId);
      const { attachments, ...message } = m;
      if (attachments.length === 0) return log(m.conversationId).append(message);
      const claim = claimToken();
      if (!(await claimAttachments(env.DB, { ids: attachments, conversationId: m.conversationId, accountId: m.senderAccountId, claim }))) {
        // Refused as a whole: a retry of a stored message (its blobs are attached already) is still a
        // retry, and a stale epoch is still stale; only a new message is refused for its attachments.
        const probe = await log(m.conversationId).probe(message);
        return probe.kind === "new" ? { kind: "attachments_refused" } : probe;
      }
      try {
        const result = await log(m.conversationId).append(message, { ids: attachments, claim });
        if (result.kind !== "stored") await releaseAttachments(env.DB, claim);
        return result;
      } catch (e) {
        // Not known to be stored: give the blobs back (if it was stored after all, the object's outbox
        // attaches them anyway, since it attaches by id).
        await releaseAttachments(env.DB, claim).catch(() => undefined);
        throw e;
      }
    },
    page: (id, after, limit) => log(id).page(id, after, limit),
    async latestSeqs(ids) {
      const out = new Map<ConversationId, number>();
      await Promise.all(
        ids.map(async (id) => {
          out.set(id, seen.get(id) ?? (await log(id).lastSeq(id)));
        }),
      );
      return out;
    },
  };
  return { conversations, messages };
}
