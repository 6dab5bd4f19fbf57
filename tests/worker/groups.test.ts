import { env } from "cloudflare:workers";
import { afterEach, describe, expect, test } from "vitest";
import { conversationListResponse, conversationResponse, membershipLogResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope } from "../support/conversation.js";
import { TestGroup, makeGroupEpoch, postGroup, postMembership } from "../support/group.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";
import { logCount } from "./conversation-rows.js";

afterEach(closeAllRealtime);

/** Alice (admin) creates a group with Bob and Carol; Dave and Erin are outsiders. */
async function aliceGroup() {
  const [alice, bob, carol, dave, erin] = await Promise.all(["ga", "gb", "gc", "gd", "ge"].map((p) => createAccount(api, p)));
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!, carol!]);
  const res = await postGroup(api, alice!, create);
  expect(res.status).toBe(201);
  await g.accept(create);
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave!, erin: erin!, g, created: conversationResponse.parse(await res.json()).conversation };
}

async function membersOf(as: LoggedInAccount, id: string): Promise<string[]> {
  const res = await api.call("GET", `/api/conversations/${id}`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  return conversationResponse.parse(await res.json()).conversation.members;
}

async function postEpoch(as: LoggedInAccount, id: string, bytes: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/conversations/${id}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
}

describe("groups", () => {
  test("creating one: members listed, told in realtime, and only they can read it", async () => {
    const [alice, bob, carol, dave] = await Promise.all(["ga", "gb", "gc", "gd"].map((p) => createAccount(api, p)));
    const bobSocket = await connectRealtime(bob!);
    const g = new TestGroup();
    const create = await g.createEntry(alice!, [bob!, carol!]);
    const res = await postGroup(api, alice!, create);
    expect(res.status).toBe(201);
    const conversation = conversationResponse.parse(await res.json()).conversation;
    expect(conversation).toMatchObject({ id: g.id, kind: "group", lastSeq: 0 });
    expect([...conversation.members].sort()).toEqual([alice!.accountId, bob!.accountId, carol!.accountId].sort());
    expect(await bobSocket.inbox.next()).toEqual({ type: "conversation", conversationId: g.id });
    const listed = conversationListResponse.parse(await (await api.call("GET", "/api/conversations", { cookie: bob!.cookie })).json()).conversations;
    expect(listed.map((c) => c.id)).toContain(g.id);
    const log = membershipLogResponse.parse(await (await api.call("GET", `/api/conversations/${g.id}/membership`, { cookie: carol!.cookie })).json());
    expect(log.entries).toEqual([create.b64]);
    await expectError(await api.call("GET", `/api/conversations/${g.id}/membership`, { cookie: dave!.cookie }), 403, "not_member");
    await expectError(await api.call("GET", `/api/conversations/${g.id}/messages`, { cookie: dave!.cookie }), 403, "not_member");
    // The same id twice is a conflict; a create naming a stranger account is 404.
    await expectError(await postGroup(api, alice!, create), 409, "membership_conflict");
    const ghost = new TestGroup();
    const withGhost = await ghost.entry(alice!, { kind: MembershipKind.create, members: [{ accountId: alice!.accountId, role: GroupRole.admin }, { accountId: "A".repeat(43) as never, role: GroupRole.member }], historyForNewMembers: false });
    await expectError(await postGroup(api, alice!, withGhost), 404, "not_found");
  });

  test("only an admin's entries are accepted, and only from the device that posts them", async () => {
    const { alice, bob, dave, erin, g } = await aliceGroup();
    // Bob is a member, not an admin.
    await expectError(await postMembership(api, bob, g.id, await g.entry(bob, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member })), 400, "invalid_membership");
    // Alice's entry posted with Bob's session: not the posting device's work (a replaying server or member).
    await expectError(await postMembership(api, bob, g.id, await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member })), 400, "invalid_membership");
    // A garbled entry, and one at a position that skips ahead.
    await expectError(await postMembership(api, alice, g.id, { b64: toBase64url(new Uint8Array(40)) }), 400, "invalid_membership");
    await expectError(await postMembership(api, alice, g.id, await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member }, { seq: 5 })), 400, "invalid_membership");
    expect(await membersOf(alice, g.id)).toHaveLength(3);

    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    const res = await postMembership(api, alice, g.id, add);
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ seq: 1 });
    await g.accept(add);
    expect(await membersOf(dave, g.id)).toContain(dave.accountId);
    // A second entry for position 1 (a race) is a conflict.
    await expectError(await postMembership(api, alice, g.id, await g.entry(alice, { kind: MembershipKind.add, accountId: erin.accountId, role: GroupRole.member }, { seq: 1 })), 409, "membership_conflict");
    expect(await logCount(g.id, "membership_entries")).toBe(2);
  });

  test("a removed member is told, then gets 403 for everything; the others go on", async () => {
    const { alice, bob, carol, g } = await aliceGroup();
    const epoch0 = await makeGroupEpoch(alice, g, [alice, bob, carol], 0);
    expect((await postEpoch(alice, g.id, epoch0.bytes)).status).toBe(201);
    expect((await postEnvelope(api, carol, g.id, await makeEnvelope(carol, epoch0, "hi from carol"))).status).toBe(201);
    const carolSocket = await connectRealtime(carol);

    const remove = await g.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId });
    expect((await postMembership(api, alice, g.id, remove)).status).toBe(201);
    await g.accept(remove);
    const frames = [await carolSocket.inbox.next()];
    expect(frames).toContainEqual({ type: "membership", conversationId: g.id, seq: 1 });

    for (const [method, path] of [["GET", "messages"], ["GET", "epochs"], ["GET", "membership"], ["GET", ""]] as const) {
      await expectError(await api.call(method, `/api/conversations/${g.id}${path ? `/${path}` : ""}`, { cookie: carol.cookie }), 403, "not_member");
    }
    await expectError(await postEnvelope(api, carol, g.id, await makeEnvelope(carol, epoch0, "still here?")), 403, "not_member");
    await expectError(await postMembership(api, carol, g.id, await g.entry(carol, { kind: MembershipKind.leave })), 403, "not_member");
    // The next epoch names only the remaining members; one naming Carol is refused.
    const withCarol = await makeGroupEpoch(alice, g, [alice, bob, carol], 1);
    await expectError(await postEpoch(alice, g.id, withCarol.bytes), 400, "invalid_bundle");
    const epoch1 = await makeGroupEpoch(alice, g, [alice, bob], 1);
    expect((await postEpoch(alice, g.id, epoch1.bytes)).status).toBe(201);
    expect((await postEnvelope(api, bob, g.id, await makeEnvelope(bob, epoch1, "carol is gone"))).status).toBe(201);
  });

  test("anyone can leave; the last admin leaving hands the role on, as the log says", async () => {
    const { alice, bob, carol, dave, g } = await aliceGroup();
    const leave = await g.entry(alice, { kind: MembershipKind.leave });
    expect((await postMembership(api, alice, g.id, leave)).status).toBe(201);
    await g.accept(leave);
    expect(await membersOf(bob, g.id)).not.toContain(alice.accountId);
    // Bob joined first after Alice, so he is the admin now and may add Dave; Carol may not.
    await expectError(await postMembership(api, carol, g.id, await g.entry(carol, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member })), 400, "invalid_membership");
    expect((await postMembership(api, bob, g.id, await g.entry(bob, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member }))).status).toBe(201);
  });

  test("a direct conversation has no membership log", async () => {
    const [a, b] = await Promise.all([createAccount(api, "da"), createAccount(api, "db")]);
    const res = await api.call("POST", "/api/conversations", { cookie: a!.cookie, json: { peer: b!.accountId } });
    const id = conversationResponse.parse(await res.json()).conversation.id;
    await expectError(await api.call("GET", `/api/conversations/${id}/membership`, { cookie: a!.cookie }), 404, "not_found");
  });
});
