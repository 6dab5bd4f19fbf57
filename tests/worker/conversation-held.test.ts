// Issue 22: the conversation object holds its record, member set, epochs' key ids and newest seq in
// memory so a send reads none of them from SQLite (worker/db/conversation-log/object.ts). These are the
// attacks on that: each warms the object with a send first, then changes what it holds and checks that
// the very next request sees the change. It also tells the members of each stored message itself.
import { afterEach, describe, expect, test } from "vitest";
import { conversationResponse } from "../../protocol/api.js";
import { toBase64url } from "../../protocol/bytes.js";
import { GroupRole, MembershipKind } from "../../protocol/membership-log.js";
import { createAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope, startConversation } from "../support/conversation.js";
import { TestGroup, makeGroupEpoch, postGroup, postMembership } from "../support/group.js";
import { api, expectError } from "./api.js";
import { closeAllRealtime, connectRealtime } from "./realtime-socket.js";

afterEach(closeAllRealtime);

async function postEpoch(as: { cookie: string }, id: string, bytes: Uint8Array): Promise<Response> {
  return api.call("POST", `/api/conversations/${id}/epochs`, { cookie: as.cookie, json: { bundle: toBase64url(bytes) } });
}

/** Alice (admin) with Bob and Carol in a group at epoch 0, each having sent once (the object is warm). */
async function warmGroup() {
  const [alice, bob, carol, dave] = await Promise.all(["ha", "hb", "hc", "hd"].map((p) => createAccount(api, p)));
  const g = new TestGroup();
  const create = await g.createEntry(alice!, [bob!, carol!]);
  const res = await postGroup(api, alice!, create);
  expect(res.status).toBe(201);
  await g.accept(create);
  const epoch0 = await makeGroupEpoch(alice!, g, [alice!, bob!, carol!], 0);
  expect((await postEpoch(alice!, g.id, epoch0.bytes)).status).toBe(201);
  for (const who of [alice!, bob!, carol!]) expect((await postEnvelope(api, who, g.id, await makeEnvelope(who, epoch0))).status).toBe(201);
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave!, g, epoch0 };
}

describe("what the conversation object holds is never stale", () => {
  test("a removed member's very next send is refused (403 not_member), and later messages' frames do not reach it", async () => {
    const { alice, bob, carol, g, epoch0 } = await warmGroup();
    const carolSocket = await connectRealtime(carol);
    const remove = await g.entry(alice, { kind: MembershipKind.remove, accountId: carol.accountId });
    expect((await postMembership(api, alice, g.id, remove)).status).toBe(201);
    await g.accept(remove);
    expect(await carolSocket.inbox.next()).toEqual({ type: "membership", conversationId: g.id, seq: 1 });
    await expectError(await postEnvelope(api, carol, g.id, await makeEnvelope(carol, epoch0, "still here?")), 403, "not_member");

    // Bob's next message (under the new epoch) goes to Alice and Bob only.
    const epoch1 = await makeGroupEpoch(alice, g, [alice, bob], 1);
    expect((await postEpoch(alice, g.id, epoch1.bytes)).status).toBe(201);
    const bobSocket = await connectRealtime(bob);
    const sent = await postEnvelope(api, bob, g.id, await makeEnvelope(bob, epoch1, "carol is gone"));
    expect(sent.status).toBe(201);
    expect(await bobSocket.inbox.next()).toMatchObject({ type: "message", conversationId: g.id, seq: 4 });
    // Then a frame Carol should get: her next frame is that one, not Bob's group message.
    const chat = await startConversation(api, alice, carol);
    expect((await postEnvelope(api, alice, chat.conversationId, await makeEnvelope(alice, chat, "just us"))).status).toBe(201);
    const next = await carolSocket.inbox.next();
    expect(next).not.toMatchObject({ conversationId: g.id });
    expect(next).toMatchObject({ conversationId: chat.conversationId });
  });

  test("an added member may send at once, and a send under the epoch a new one replaced is refused (409 stale_epoch)", async () => {
    const { alice, bob, carol, dave, g, epoch0 } = await warmGroup();
    const add = await g.entry(alice, { kind: MembershipKind.add, accountId: dave.accountId, role: GroupRole.member });
    expect((await postMembership(api, alice, g.id, add)).status).toBe(201);
    await g.accept(add);
    const members = conversationResponse.parse(await (await api.call("GET", `/api/conversations/${g.id}`, { cookie: dave.cookie })).json()).conversation.members;
    expect(members).toContain(dave.accountId);

    // Epoch 0 was held as the newest; epoch 1 replaces it on the very next send.
    const epoch1 = await makeGroupEpoch(alice, g, [alice, bob, carol, dave], 1);
    expect((await postEpoch(alice, g.id, epoch1.bytes)).status).toBe(201);
    await expectError(await postEnvelope(api, bob, g.id, await makeEnvelope(bob, epoch0, "old key")), 409, "stale_epoch");
    // The epoch after the newest is not stored: unknown, not accepted.
    const ahead = await makeGroupEpoch(alice, g, [alice, bob, carol, dave], 2);
    await expectError(await postEnvelope(api, bob, g.id, await makeEnvelope(bob, ahead, "ahead")), 409, "unknown_epoch");
    const daveSent = await postEnvelope(api, dave, g.id, await makeEnvelope(dave, epoch1, "hello all"));
    expect(daveSent.status).toBe(201);
    expect(await daveSent.json()).toEqual({ seq: 4, duplicate: false });
  });

  test("seqs continue without a gap, a retry is still a duplicate and a reused id still a conflict after the object holds them", async () => {
    const [alice, bob] = await Promise.all(["hx", "hy"].map((p) => createAccount(api, p)));
    const chat = await startConversation(api, alice!, bob!);
    const bobSocket = await connectRealtime(bob!);
    const first = await makeEnvelope(alice!, chat, "one");
    const seqs: number[] = [];
    for (const env of [first, await makeEnvelope(alice!, chat, "two"), await makeEnvelope(bob!, chat, "three")]) {
      const sender = env === first || seqs.length === 1 ? alice! : bob!;
      const res = await postEnvelope(api, sender, chat.conversationId, env);
      expect(res.status).toBe(201);
      seqs.push(((await res.json()) as { seq: number }).seq);
    }
    expect(seqs).toEqual([1, 2, 3]);
    // Bob's socket got every frame once, in seq order (the object tells the hubs through one stub each).
    const frames = [await bobSocket.inbox.next(), await bobSocket.inbox.next(), await bobSocket.inbox.next()];
    expect(frames.map((f) => (f.type === "message" ? f.seq : f.type))).toEqual([1, 2, 3]);
    const retry = await postEnvelope(api, alice!, chat.conversationId, first);
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual({ seq: 1, duplicate: true });
    const reused = await makeEnvelope(alice!, chat, "other bytes", { header: { clientMessageId: first.clientMessageId } });
    await expectError(await postEnvelope(api, alice!, chat.conversationId, reused), 409, "message_id_reused");
    const next = await postEnvelope(api, bob!, chat.conversationId, await makeEnvelope(bob!, chat, "four"));
    expect(await next.json()).toEqual({ seq: 4, duplicate: false });
  });
});
