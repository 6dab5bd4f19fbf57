// The conversation store over D1: conversations and conversation_members (conversations.ts), groups'
// membership_entries (groups.ts), epochs (epochs.ts), group_meta (group-meta.ts) and history_shares
// (history-shares.ts).
import type { ConversationStore } from "../storage/conversation-store.js";
import { conversationPeers, findConversation, listConversations, openDirectConversation } from "./conversations.js";
import { findEpochKeyId, insertEpoch, latestEpoch, listEpochKeyIds, listEpochs } from "./epochs.js";
import { putGroupMeta } from "./group-meta.js";
import { appendMembership, insertGroup, readLastMembershipEntry, readMembership } from "./groups.js";
import { readHistoryShares } from "./history-shares.js";

export function d1ConversationStore(db: D1Database): ConversationStore {
  return {
    find: (id) => findConversation(db, id),
    listFor: (accountId) => listConversations(db, accountId),
    openDirect: (p) => openDirectConversation(db, p),
    peersOf: (accountId) => conversationPeers(db, accountId),
    createGroup: (g) => insertGroup(db, g),
    readMembership: (id) => readMembership(db, id),
    lastMembershipEntry: (id) => readLastMembershipEntry(db, id),
    appendMembership: (a) => appendMembership(db, a),
    insertEpoch: (e) => insertEpoch(db, e),
    findEpochKeyId: (id, epoch) => findEpochKeyId(db, id, epoch),
    latestEpoch: (id) => latestEpoch(db, id),
    listEpochKeyIds: (id) => listEpochKeyIds(db, id),
    listEpochs: (id) => listEpochs(db, id),
    putGroupMeta: (m) => putGroupMeta(db, m),
    readHistoryShares: (id, accountId) => readHistoryShares(db, id, accountId),
  };
}
