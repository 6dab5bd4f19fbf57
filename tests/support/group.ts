import { toBase64url } from "../../protocol/bytes.js";
import { createEpochBundle, openArchivedKey } from "../../protocol/epoch-bundle.js";
import { sealGroupMeta } from "../../protocol/group-meta.js";
import { createHistoryShare } from "../../protocol/history-share.js";
import { ConversationId, CONVERSATION_ID_BYTES } from "../../protocol/ids.js";
import { GroupRole, decodeMembershipEntry, membershipEntryHash, signMembershipEntry, type MembershipChange } from "../../protocol/membership-log.js";
import type { ApiClient } from "./api-client.js";
import type { LoggedInAccount, TestAccount } from "./account.js";
import type { TestEpoch } from "./conversation.js";
import { testCrypto } from "./crypto-env.js";

/**
 * A group's membership log as a test client keeps it: builds entries signed by a member's device, citing
 * that account's current log head, chained to the last entry. Runtime-neutral like the other builders.
 */
export class TestGroup {
  readonly id = ConversationId.fromBytes(testCrypto.randomBytes(CONVERSATION_ID_BYTES));
  readonly entries: Uint8Array[] = [];
  private prev: Uint8Array = new Uint8Array(32);

  /** The next entry by `author` (not appended until `accept`). `seq` overrides the position. */
  async entry(author: TestAccount, change: MembershipChange, o: { seq?: number } = {}): Promise<{ bytes: Uint8Array; b64: string }> {
    const bytes = await signMembershipEntry(
      testCrypto,
      {
        conversationId: this.id,
        seq: o.seq ?? this.entries.length,
        prev: this.prev,
        createdAt: Date.now(),
        author: { accountId: author.accountId, deviceId: author.deviceId, logSeq: author.state.head.seq, logHead: author.state.head.hash },
        change,
      },
      author.keys.deviceSigning.privateKey,
    );
    return { bytes, b64: toBase64url(bytes) };
  }

  /** Records an entry the server stored. */
  async accept(e: { bytes: Uint8Array }): Promise<void> {
    this.entries.push(e.bytes);
    this.prev = await membershipEntryHash(testCrypto, decodeMembershipEntry(e.bytes).body);
  }

  createEntry(admin: TestAccount, members: readonly TestAccount[], historyForNewMembers = false) {
    return this.entry(admin, {
      kind: 0,
      members: [{ accountId: admin.accountId, role: GroupRole.admin }, ...members.map((m) => ({ accountId: m.accountId, role: GroupRole.member }))],
      historyForNewMembers,
    });
  }
}

/** POST /api/groups with a create entry. */
export function postGroup(api: ApiClient, as: LoggedInAccount, entry: { b64: string }): Promise<Response> {
  return api.call("POST", "/api/groups", { cookie: as.cookie, json: { entry: entry.b64 } });
}

/** POST /api/conversations/:id/membership, with history shares when given. */
export function postMembership(api: ApiClient, as: LoggedInAccount, groupId: string, entry: { b64: string }, historyShares?: readonly Uint8Array[]): Promise<Response> {
  const json = historyShares ? { entry: entry.b64, historyShares: historyShares.map(toBase64url) } : { entry: entry.b64 };
  return api.call("POST", `/api/conversations/${groupId}/membership`, { cookie: as.cookie, json });
}

/**
 * A history share of `epoch` for `to`, made as the adding admin's client makes it: `sharer` (a member when
 * the epoch was made) opens its archived copy of the key as extractable and seals it to `to`'s history key.
 */
export async function makeHistoryShare(sharer: TestAccount, epoch: TestEpoch, to: TestAccount): Promise<Uint8Array> {
  const ck = await openArchivedKey(testCrypto, epoch.bundle, { accountId: sharer.accountId, generation: sharer.state.history.generation, historyKey: sharer.keys.history.privateKey }, true);
  return createHistoryShare(testCrypto, ck, epoch.bundle, { accountId: to.accountId, generation: to.state.history.generation, historyKey: to.state.history.publicKey });
}

/** A group name sealed under `epoch`'s key and signed by `author`'s device. */
export function makeGroupMeta(author: TestAccount, epoch: TestEpoch, name: string): Promise<Uint8Array> {
  return sealGroupMeta(testCrypto, {
    conversationId: epoch.conversationId,
    epoch: epoch.epoch,
    keyId: epoch.keyId,
    author: { accountId: author.accountId, deviceId: author.deviceId, logSeq: author.state.head.seq, logHead: author.state.head.hash },
    createdAt: Date.now(),
    ck: epoch.ck,
    signingKey: author.keys.deviceSigning.privateKey,
    meta: { name },
  });
}

/** PUT /api/conversations/:id/meta. */
export function putGroupMeta(api: ApiClient, as: LoggedInAccount, groupId: string, meta: Uint8Array): Promise<Response> {
  return api.call("PUT", `/api/conversations/${groupId}/meta`, { cookie: as.cookie, json: { meta: toBase64url(meta) } });
}

/** An epoch bundle for a group: CK wrapped to every device and history key of `members`, citing the membership head. */
export async function makeGroupEpoch(creator: TestAccount, group: TestGroup, members: readonly TestAccount[], epoch: number): Promise<TestEpoch> {
  const membershipHead = await membershipEntryHash(testCrypto, decodeMembershipEntry(group.entries.at(-1)!).body);
  const { bytes, bundle, ck } = await createEpochBundle(testCrypto, {
    conversationId: group.id,
    epoch,
    creator: { accountId: creator.accountId, deviceId: creator.deviceId, signingKey: creator.keys.deviceSigning.privateKey },
    membershipHead,
    members: members.map((m) => m.state),
    createdAt: Date.now(),
  });
  return { conversationId: group.id, epoch, keyId: bundle.keyId, ck, bundle, bytes };
}
