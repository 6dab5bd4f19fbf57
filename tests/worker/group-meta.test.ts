import { afterEach, describe, expect, test } from "vitest";
import { conversationListResponse, conversationResponse } from "../../protocol/api.js";
import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { openGroupMeta } from "../../protocol/group-meta.js";
import { MembershipKind } from "../../protocol/membership-log.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { startConversation, type TestEpoch } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { TestGroup, makeGroupEpoch, makeGroupMeta, postGroup, postMembership, putGroupMeta } from "../support/group.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

/** Group names (issue 7): sealed under an epoch key, stored newest-epoch-first, listed with the group. */
async function postEpoch(as: LoggedInAccount, id: string, e: TestEpoch): Promise<void> {
  const res = await api.call("POST", `/api/conversations/${id}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(e.bytes) } });
  expect(res.status).toBe(201);
}

/** Alice (admin), Bob and Carol in a group with epoch 0; Erin is an outsider. */
async function namedGroup() {
  const [alice, bob, carol, erin] = await Promise.all(["ma", "mb", "mc", "me"].map((p) => createAccount(api, p)));
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!, carol!]);
  expect((await postGroup(api, alice!, create)).status).toBe(201);
  await g.accept(create);
  const epoch0 = await makeGroupEpoch(alice!, g, [alice!, bob!, carol!], 0);
  await postEpoch(alice!, g.id, epoch0);
  return { alice: alice!, bob: bob!, carol: carol!, erin: erin!, g, epoch0 };
}

async function storedMeta(as: LoggedInAccount, id: string): Promise<string | null> {
  const res = await api.call("GET", `/api/conversations/${id}`, { cookie: as.cookie });
  expect(res.status).toBe(200);
  const c = conversationResponse.parse(await res.json()).conversation;
  if (c.kind !== "group") throw new Error("not a group");
  return c.meta;
}

describe("group meta", () => {
  test("a member names the group: stored, pushed as a conversation frame, listed, and opens to the name", async () => {
    const { alice, bob, g, epoch0 } = await namedGroup();
    expect(await storedMeta(bob, g.id)).toBeNull();
    const bobSocket = await connectRealtime(bob);
    const meta = await makeGroupMeta(alice, epoch0, "Weekend climbers");
    const res = await putGroupMeta(api, alice, g.id, meta);
    expect(res.status).toBe(204);
    expect(await bobSocket.inbox.next()).toEqual({ type: "conversation", conversationId: g.id });

    const listed = conversationListResponse.parse(await (await api.call("GET", "/api/conversations", { cookie: bob.cookie })).json()).conversations;
    const group = listed.find((c) => c.id === g.id);
    expect(group?.kind === "group" && group.meta).toBe(toBase64url(meta));
    const opened = await openGroupMeta(testCrypto, fromBase64url(await storedMeta(bob, g.id) as string), {
      conversationId: g.id,
      epoch: 0,
      keyId: epoch0.keyId,
      ck: epoch0.ck,
      deviceKeyAt: async (a) => (a.deviceId === alice.deviceId ? alice.state.devices[0]!.signingKey : undefined),
    });
    expect(opened).toEqual({ name: "Weekend climbers" });

    // Any member may rename, under the same epoch.
    const renamed = await makeGroupMeta(bob, epoch0, "Climbers");
    expect((await putGroupMeta(api, bob, g.id, renamed)).status).toBe(204);
    expect(await storedMeta(alice, g.id)).toBe(toBase64url(renamed));
  });

  test("a meta under an older epoch than the stored one is stale_meta, and the stored one stays", async () => {
    const { alice, bob, carol, g, epoch0 } = await namedGroup();
    const epoch1 = await makeGroupEpoch(bob, g, [alice, bob, carol], 1);
    await postEpoch(bob, g.id, epoch1);
    const newer = await makeGroupMeta(bob, epoch1, "New name");
    expect((await putGroupMeta(api, bob, g.id, newer)).status).toBe(204);
    const older = await makeGroupMeta(alice, epoch0, "Old name");
    await expectError(await putGroupMeta(api, alice, g.id, older), 409, "stale_meta");
    expect(await storedMeta(carol, g.id)).toBe(toBase64url(newer));
  });

  test("refuses a meta under an unknown epoch or key id, for another group, garbled, by another device, or badly signed; nothing is stored", async () => {
    const { alice, bob, g, epoch0 } = await namedGroup();
    const good = await makeGroupMeta(alice, epoch0, "Kept");
    expect((await putGroupMeta(api, alice, g.id, good)).status).toBe(204);
    const unposted = await makeGroupEpoch(alice, g, [alice, bob], 7);
    await expectError(await putGroupMeta(api, alice, g.id, await makeGroupMeta(alice, unposted, "no such epoch")), 409, "unknown_epoch");
    await expectError(await putGroupMeta(api, alice, g.id, await makeGroupMeta(alice, { ...unposted, epoch: 0 }, "wrong key id")), 409, "epoch_key_mismatch");
    const other = await namedGroup();
    await expectError(await putGroupMeta(api, other.alice, g.id, await makeGroupMeta(other.alice, other.epoch0, "elsewhere")), 403, "not_member");
    const otherGroupsMeta = await makeGroupMeta(alice, other.epoch0, "elsewhere");
    await expectError(await putGroupMeta(api, alice, g.id, otherGroupsMeta), 400, "invalid_meta");
    await expectError(await putGroupMeta(api, alice, g.id, testCrypto.randomBytes(300)), 400, "invalid_meta");
    // Alice's signed meta replayed with Bob's session.
    await expectError(await putGroupMeta(api, bob, g.id, await makeGroupMeta(alice, epoch0, "replayed")), 403, "forbidden");
    const tampered = (await makeGroupMeta(alice, epoch0, "tampered")).slice();
    tampered[200]! ^= 1;
    await expectError(await putGroupMeta(api, alice, g.id, tampered), 400, "bad_signature");
    expect(await storedMeta(bob, g.id)).toBe(toBase64url(good));
  });

  test("only members: outsiders and removed members get 403, a direct conversation 404 and lists no meta", async () => {
    const { alice, carol, erin, g, epoch0 } = await namedGroup();
    await expectError(await putGroupMeta(api, erin, g.id, await makeGroupMeta(erin, epoch0, "intruder")), 403, "not_member");
    const remove = await g.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId });
    expect((await postMembership(api, alice, g.id, remove)).status).toBe(201);
    await expectError(await putGroupMeta(api, carol, g.id, await makeGroupMeta(carol, epoch0, "still here")), 403, "not_member");
    expect(await storedMeta(alice, g.id)).toBeNull();

    const direct = await startConversation(api, alice, erin);
    await expectError(await putGroupMeta(api, alice, direct.conversationId, await makeGroupMeta(alice, direct, "a pair")), 404, "not_found");
    const res = await api.call("GET", `/api/conversations/${direct.conversationId}`, { cookie: alice.cookie });
    expect(Object.keys(((await res.json()) as { conversation: object }).conversation)).not.toContain("meta");
  });
});
