// Issue 15: epochs advance by exactly one, and no message is stored under an epoch older than the newest.
// Attacks first: any member could post epoch 2^32-1 (every later send then overflowed a u32), and a
// revoked or removed party with the server could keep writing under the old epoch.
import { env } from "cloudflare:workers";
import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import { createAccount, type LoggedInAccount } from "../support/account.js";
import { makeEnvelope, makeEpochBundle, openConversation, postEnvelope } from "../support/conversation.js";
import { MembershipKind } from "../../protocol/membership-log.js";
import { TestGroup, makeGroupEpoch, postGroup, postMembership } from "../support/group.js";
import { api, expectError } from "./api.js";
import { logCount, logRows } from "./conversation-rows.js";

function postBundle(as: LoggedInAccount, conversationId: string, bytes: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/conversations/${conversationId}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
}

async function storedEpochs(conversationId: string): Promise<number[]> {
  return (await logRows<{ epoch: number }>(conversationId, "SELECT epoch FROM epochs ORDER BY epoch")).map((r) => r.epoch);
}

async function pair() {
  const alice = await createAccount(api, "era");
  const bob = await createAccount(api, "erb");
  return { alice, bob, id: await openConversation(api, alice, bob) };
}

describe("epoch numbers", () => {
  test("the first epoch is 0: a first bundle numbered 2^32-1 is refused and nothing is stored", async () => {
    const { alice, bob, id } = await pair();
    const last = await makeEpochBundle(alice, id, [alice, bob], 2 ** 32 - 1);
    await expectError(await postBundle(alice, id, last.bytes), 400, "invalid_epoch");
    expect(await storedEpochs(id)).toEqual([]);
  });

  test("after epoch n only n+1 is taken: a jump (to 2^32-1 or n+2) is refused, n+1 then accepted", async () => {
    const { alice, bob, id } = await pair();
    expect((await postBundle(alice, id, (await makeEpochBundle(alice, id, [alice, bob], 0)).bytes)).status).toBe(201);
    await expectError(await postBundle(bob, id, (await makeEpochBundle(bob, id, [alice, bob], 2 ** 32 - 1)).bytes), 400, "invalid_epoch");
    await expectError(await postBundle(bob, id, (await makeEpochBundle(bob, id, [alice, bob], 2)).bytes), 400, "invalid_epoch");
    expect((await postBundle(bob, id, (await makeEpochBundle(bob, id, [alice, bob], 1)).bytes)).status).toBe(201);
    expect(await storedEpochs(id)).toEqual([0, 1]);
  });

  test("an epoch that exists is still a 409 (the racing creator adopts the winner's)", async () => {
    const { alice, bob, id } = await pair();
    expect((await postBundle(alice, id, (await makeEpochBundle(alice, id, [alice, bob], 0)).bytes)).status).toBe(201);
    await expectError(await postBundle(bob, id, (await makeEpochBundle(bob, id, [alice, bob], 0)).bytes), 409, "epoch_exists");
  });
});

describe("messages under an old epoch", () => {
  test("a direct chat: once epoch 1 exists, a message under epoch 0 is refused (409 stale_epoch) and not stored", async () => {
    const { alice, bob, id } = await pair();
    const e0 = await makeEpochBundle(alice, id, [alice, bob], 0);
    expect((await postBundle(alice, id, e0.bytes)).status).toBe(201);
    expect((await postEnvelope(api, bob, id, await makeEnvelope(bob, e0, "under epoch 0"))).status).toBe(201);
    const e1 = await makeEpochBundle(alice, id, [alice, bob], 1);
    expect((await postBundle(alice, id, e1.bytes)).status).toBe(201);
    await expectError(await postEnvelope(api, bob, id, await makeEnvelope(bob, e0, "late, under epoch 0")), 409, "stale_epoch");
    expect(await logCount(id, "messages")).toBe(1);
    expect((await postEnvelope(api, bob, id, await makeEnvelope(bob, e1, "under epoch 1"))).status).toBe(201);
  });

  test("a group: after the epoch that left Carol out, a member's message under the old epoch is refused", async () => {
    const [alice, bob, carol] = await Promise.all(["erg", "erh", "eri"].map((p) => createAccount(api, p)));
    const g = new TestGroup();
    const create = await g.createEntry(alice!, [bob!, carol!]);
    expect((await postGroup(api, alice!, create)).status).toBe(201);
    await g.accept(create);
    const e0 = await makeGroupEpoch(alice!, g, [alice!, bob!, carol!], 0);
    expect((await postBundle(alice!, g.id, e0.bytes)).status).toBe(201);
    const remove = await g.entry(alice!, { kind: MembershipKind.remove, accountId: carol!.accountId });
    expect((await postMembership(api, alice!, g.id, remove)).status).toBe(201);
    await g.accept(remove);
    const e1 = await makeGroupEpoch(alice!, g, [alice!, bob!], 1);
    expect((await postBundle(alice!, g.id, e1.bytes)).status).toBe(201);
    // Carol still holds epoch 0's key: a message under it must not reach the group any more.
    await expectError(await postEnvelope(api, bob!, g.id, await makeEnvelope(bob!, e0, "readable by Carol")), 409, "stale_epoch");
    expect((await postEnvelope(api, bob!, g.id, await makeEnvelope(bob!, e1, "not readable by Carol"))).status).toBe(201);
  });
});
