import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { MAX_HISTORY_SHARES, conversationResponse, historySharesResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { decodeHistoryShare, encodeHistoryShare, openHistoryShare } from "../../protocol/history-share.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { keyCommitment } from "../../protocol/epoch-bundle.js";
import { storesOf } from "../../worker/db/d1-stores.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { startConversation } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { TestGroup, makeGroupEpoch, makeHistoryShare, postGroup, postMembership } from "../support/group.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime } from "./realtime-socket.js";
import { logCount } from "./conversation-rows.js";

afterEach(closeAllRealtime);

/**
 * History for new members (issue 7): an add entry carries the new member's history shares, checked and
 * stored in the same batch as the entry, and only the new member reads them back.
 */
async function postEpoch(as: LoggedInAccount, id: string, bytes: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/conversations/${id}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
}

/** Alice (admin) and Bob in a group with two epochs; Dave and Erin are outsiders. */
async function groupWithHistory(historyForNewMembers: boolean) {
  const [alice, bob, dave, erin] = await Promise.all(["ha", "hb", "hd", "he"].map((p) => createAccount(api, p)));
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!], historyForNewMembers);
  expect((await postGroup(api, alice!, create)).status).toBe(201);
  await g.accept(create);
  const epochs = [await makeGroupEpoch(alice!, g, [alice!, bob!], 0), await makeGroupEpoch(bob!, g, [alice!, bob!], 1)];
  expect((await postEpoch(alice!, g.id, epochs[0]!.bytes)).status).toBe(201);
  expect((await postEpoch(bob!, g.id, epochs[1]!.bytes)).status).toBe(201);
  return { alice: alice!, bob: bob!, dave: dave!, erin: erin!, g, epochs };
}

async function sharesOf(as: LoggedInAccount, id: string): Promise<Uint8Array[]> {
  const res = await api.call("GET", `/api/conversations/${id}/history-shares`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return historySharesResponse.parse(await res.json()).shares.map(fromBase64url);
}

/**
 * What the server holds of the group: log length, members, share rows in its object, and the members of
 * the directory's index in D1, which must match.
 */
async function stored(id: string) {
  const members = await logCount(id, "members");
  const indexed = await env.DB.prepare("SELECT COUNT(*) AS n FROM conversation_members WHERE conversation_id = ?").bind(id).first<{ n: number }>();
  expect(indexed?.n).toBe(members);
  return { entries: await logCount(id, "membership_entries"), members, shares: await logCount(id, "history_shares") };
}

describe("history shares", () => {
  test("an add with shares stores them with the entry; only the new member reads them, and they open to the committed keys", async () => {
    const { alice, bob, dave, g, epochs } = await groupWithHistory(true);
    const shares = [await makeHistoryShare(alice, epochs[0]!, dave), await makeHistoryShare(alice, epochs[1]!, dave)];
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, add, shares)).status).toBe(201);
    await g.accept(add);

    const got = await sharesOf(dave, g.id);
    expect(got).toEqual(shares);
    for (const [i, bytes] of got.entries()) {
      const ck = await openHistoryShare(testCrypto, epochs[i]!.bundle, decodeHistoryShare(bytes), { accountId: dave.accountId, generation: 0, historyKey: dave.keys.history.privateKey });
      expect(await keyCommitment(testCrypto, ck, g.id, i)).toEqual(epochs[i]!.bundle.commitment);
    }
    expect(await sharesOf(bob, g.id)).toEqual([]);
    expect(await sharesOf(alice, g.id)).toEqual([]);
  });

  test("an add without shares is still fine with history on, and a re-added member's shares replace the old ones", async () => {
    const { alice, dave, g, epochs } = await groupWithHistory(true);
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, add)).status).toBe(201);
    await g.accept(add);
    expect(await sharesOf(dave, g.id)).toEqual([]);
    const remove = await g.entry(alice, { kind: MembershipKind.remove, accountId: dave.accountId });
    expect((await postMembership(api, alice, g.id, remove)).status).toBe(201);
    await g.accept(remove);
    const first = [await makeHistoryShare(alice, epochs[0]!, dave)];
    const again = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, again, first)).status).toBe(201);
    await g.accept(again);
    const removeAgain = await g.entry(alice, { kind: MembershipKind.remove, accountId: dave.accountId });
    expect((await postMembership(api, alice, g.id, removeAgain)).status).toBe(201);
    await g.accept(removeAgain);
    const second = [await makeHistoryShare(alice, epochs[0]!, dave), await makeHistoryShare(alice, epochs[1]!, dave)];
    const third = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, third, second)).status).toBe(201);
    expect(await sharesOf(dave, g.id)).toEqual(second);
  });

  test("each bad share is refused with invalid_history_share, and then nothing is stored: not the entry, not the member, not a share", async () => {
    const { alice, bob, dave, g, epochs } = await groupWithHistory(true);
    const good = [await makeHistoryShare(alice, epochs[0]!, dave), await makeHistoryShare(alice, epochs[1]!, dave)];
    const other = await groupWithHistory(true);
    const forOther = await makeHistoryShare(other.alice, other.epochs[0]!, dave);
    const decoded = decodeHistoryShare(good[0]!);
    const bad: [string, Uint8Array[]][] = [
      ["garbled", [good[0]!, testCrypto.randomBytes(201)]],
      ["unknown version", [Uint8Array.of(2, ...good[0]!.subarray(1))]],
      ["too short", [good[0]!.subarray(0, 100)]],
      ["for another group", [good[0]!, forOther]],
      ["addressed to Bob, not the added Dave", [good[0]!, await makeHistoryShare(alice, epochs[1]!, bob)]],
      ["for an epoch the group does not have", [encodeHistoryShare({ ...decoded, epoch: 5 })]],
      ["under another key id than the epoch's", [good[0]!, encodeHistoryShare({ ...decoded, epoch: 1 })]],
      ["for one epoch twice", [good[0]!, good[1]!, good[0]!]],
    ];
    const before = await stored(g.id);
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    for (const [what, shares] of bad) {
      const message = await expectError(await postMembership(api, alice, g.id, add, shares), 400, "invalid_history_share");
      expect(message, what).toBeTruthy();
      expect(await stored(g.id), what).toEqual(before);
    }
    await expectError(await api.call("GET", `/api/conversations/${g.id}/history-shares`, { cookie: dave.cookie }), 403, "not_member");
    // The position is still free: the same entry with good shares goes in.
    expect((await postMembership(api, alice, g.id, add, good)).status).toBe(201);
    expect(await stored(g.id)).toEqual({ entries: before.entries! + 1, members: before.members! + 1, shares: 2 });
  });

  test("the entry and its shares are one batch: when the entry's position is taken (a race), no share is stored either", async () => {
    const { alice, dave, g, epochs } = await groupWithHistory(true);
    const share = await makeHistoryShare(alice, epochs[0]!, dave);
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    // Position 0 holds the create entry: the batch fails on its first statement.
    const result = await storesOf(env).conversations.appendMembership({ id: g.id, seq: 0, entry: add.bytes, added: [dave.accountId], removed: [], historyShares: { accountId: dave.accountId, shares: [{ epoch: 0, share }], now: Date.now() } });
    expect(result).toBe("position_taken");
    expect(await stored(g.id)).toEqual({ entries: 1, members: 2, shares: 0 });
  });

  test("shares come only with an add, in a group with history on, and at most MAX_HISTORY_SHARES at a time", async () => {
    const off = await groupWithHistory(false);
    const share = await makeHistoryShare(off.alice, off.epochs[0]!, off.dave);
    const addOff = await off.g.entry(off.alice, { kind: MembershipKind.add, accountId: off.dave.accountId, role: GroupRole.member });
    const msg = await expectError(await postMembership(api, off.alice, off.g.id, addOff, [share]), 400, "invalid_history_share");
    expect(msg).toMatch(/does not share history/);
    expect(await stored(off.g.id)).toMatchObject({ entries: 1, members: 2, shares: 0 });

    const on = await groupWithHistory(true);
    const toDave = await makeHistoryShare(on.alice, on.epochs[0]!, on.dave);
    const promote = await on.g.entry(on.alice, { kind: MembershipKind.setRole, accountId: on.bob.accountId, role: GroupRole.admin });
    await expectError(await postMembership(api, on.alice, on.g.id, promote, [toDave]), 400, "invalid_history_share");
    expect(await stored(on.g.id)).toMatchObject({ entries: 1, shares: 0 });

    const add = await on.g.entry(on.alice, { kind: MembershipKind.add, accountId: on.dave.accountId, role: GroupRole.member });
    const tooMany = Array.from({ length: MAX_HISTORY_SHARES + 1 }, () => toDave);
    await expectError(await postMembership(api, on.alice, on.g.id, add, tooMany), 400, "invalid_body");
    expect(await stored(on.g.id)).toMatchObject({ entries: 1, shares: 0 });
  });

  test("only members read shares: outsiders and removed members get 403, a direct conversation 404", async () => {
    const { alice, dave, erin, g, epochs } = await groupWithHistory(true);
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, add, [await makeHistoryShare(alice, epochs[0]!, dave)])).status).toBe(201);
    await g.accept(add);
    await expectError(await api.call("GET", `/api/conversations/${g.id}/history-shares`, { cookie: erin.cookie }), 403, "not_member");
    const remove = await g.entry(alice, { kind: MembershipKind.remove, accountId: dave.accountId });
    expect((await postMembership(api, alice, g.id, remove)).status).toBe(201);
    await expectError(await api.call("GET", `/api/conversations/${g.id}/history-shares`, { cookie: dave.cookie }), 403, "not_member");
    const direct = await startConversation(api, alice, erin);
    await expectError(await api.call("GET", `/api/conversations/${direct.conversationId}/history-shares`, { cookie: alice.cookie }), 404, "not_found");
  });
});

describe("group epochs follow the membership log", () => {
  test("a bundle citing an older membership head is refused with stale_membership; one for the current head is stored", async () => {
    const { alice, bob, dave, g } = await groupWithHistory(false);
    // Made for the group as it stood before Dave joined.
    const stale = await makeGroupEpoch(alice, g, [alice, bob], 2);
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, add)).status).toBe(201);
    await g.accept(add);
    const message = await expectError(await postEpoch(alice, g.id, stale.bytes), 409, "stale_membership");
    expect(message).toMatch(/membership log/);
    const epochs = await api.call("GET", `/api/conversations/${g.id}/epochs`, { cookie: bob.cookie });
    expect(((await epochs.json()) as { epochs: unknown[] }).epochs).toHaveLength(2);
    const current = await makeGroupEpoch(alice, g, [alice, bob, dave], 2);
    expect((await postEpoch(alice, g.id, current.bytes)).status).toBe(201);
    const listed = conversationResponse.parse(await (await api.call("GET", `/api/conversations/${g.id}`, { cookie: dave.cookie })).json()).conversation;
    expect(listed.members).toContain(dave.accountId);
  });

  test("the store refuses the epoch when an entry landed after the head was compared (a race), and the route says stale_membership", async () => {
    const { alice, bob, g } = await groupWithHistory(false);
    const e = await makeGroupEpoch(alice, g, [alice, bob], 2);
    const row = { conversationId: g.id, epoch: 2, keyId: e.keyId, bundle: e.bytes, creatorDeviceId: alice.deviceId, createdAt: Date.now() };
    // The route compared the head of entry 0; by the time it stores, entry 1 exists.
    const setHistory = await g.entry(alice, { kind: MembershipKind.setHistory, historyForNewMembers: true });
    expect((await postMembership(api, alice, g.id, setHistory)).status).toBe(201);
    expect(await storesOf(env).conversations.insertEpoch({ ...row, membershipSeq: 0 })).toBe(false);
    expect(await storesOf(env).conversations.insertEpoch({ ...row, membershipSeq: 1 })).toBe(true);
    // Without a position (a direct chat passes none) the insert is unconditional.
    expect(await storesOf(env).conversations.insertEpoch({ ...row, epoch: 3 })).toBe(true);
    await expectError(await postEpoch(alice, g.id, e.bytes), 409, "stale_membership");
  });
});
