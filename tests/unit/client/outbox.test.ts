import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { ApiError } from "../../../web/src/client/transport/api.js";
import { getMessage } from "../../../web/src/client/store/db.js";
import { classifySendError, flushAll } from "../../../web/src/client/sync/outbox.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

async function chat() {
  const server = new FakeServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const id = await alice.startChat("bob");
  return { server, alice, bob, id };
}

type Client = ReturnType<typeof clientOn>;
const view = async (c: Client, id: ConversationId) => (await messageViews(c.db, id)).map((m) => `${m.text}:${m.status}`);
const texts = async (c: Client, id: ConversationId) => (await messageViews(c.db, id)).map((m) => m.text);
const stored = (server: FakeServer, id: ConversationId) => server.conversations.get(id)!.messages.length;

describe("classifying a failed post", () => {
  test.each([
    [0, "network", "retry"],
    [500, "internal", "retry"],
    [503, "http_503", "retry"],
    [408, "http_408", "retry"],
    [429, "http_429", "retry"],
    [401, "unauthenticated", "session"],
    [400, "invalid_envelope", "refused"],
    [400, "bad_signature", "refused"],
    [403, "not_member", "refused"],
    [404, "not_found", "refused"],
    [409, "epoch_key_mismatch", "refused"],
    [409, "message_id_reused", "refused"],
    [413, "too_large", "refused"],
  ])("HTTP %i %s -> %s", (status, code, kind) => {
    expect(classifySendError(new ApiError(code, code, status))).toBe(kind);
  });

  test("anything that is not an HTTP answer is retried", () => {
    expect(classifySendError(new Error("boom"))).toBe("retry");
  });
});

describe("the outbox", () => {
  test("messages written offline are sent in order, once, when the network returns", async () => {
    const { server, alice, bob, id } = await chat();
    server.offline = true;
    for (const t of ["one", "two", "three"]) await alice.send(id, t);
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["one:pending", "two:pending", "three:pending"]);
    server.offline = false;
    await alice.sync.syncNow();
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["one:sent", "two:sent", "three:sent"]);
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["one", "two", "three"]);
    expect(stored(server, id)).toBe(3);
  });

  test("pending messages survive a restart (a new client on the same store)", async () => {
    const { server, alice, bob, id } = await chat();
    server.offline = true;
    await alice.send(id, "written before the restart");
    await alice.sync.syncNow();
    server.offline = false;
    const again = clientOn(server, alice.db);
    expect(await again.start()).toBe(true);
    await again.sync.syncNow();
    expect(await view(again, id)).toEqual(["written before the restart:sent"]);
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["written before the restart"]);
  });

  test("a post whose response was lost is retried and stored once (the server answers duplicate)", async () => {
    const { server, alice, bob, id } = await chat();
    server.loseNextPostResponses = 1;
    await alice.send(id, "lost answer");
    await alice.sync.syncNow();
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["lost answer:sent"]);
    expect(server.requests.filter((r) => r.startsWith("POST") && r.endsWith("/messages"))).toHaveLength(2);
    expect(stored(server, id)).toBe(1);
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["lost answer"]);
  });

  test("a refused message is marked failed and no longer blocks the ones after it", async () => {
    const { server, alice, bob, id } = await chat();
    server.offline = true;
    for (const t of ["fine", "refused", "after"]) await alice.send(id, t);
    server.offline = false;
    // The first post goes through; the second is refused for good.
    server.refuseNextPosts.push(null, { status: 400, code: "invalid_envelope" });
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["fine:sent", "after:sent", "refused:failed"]);
    const failed = (await messageViews(alice.db, id)).find((m) => m.status === "failed")!;
    expect(failed.failure).toContain("invalid_envelope");
    expect((await getMessage(alice.db, id, failed.key))?.envelope).toBeUndefined();
    // Nothing retries it by itself.
    await alice.sync.syncNow();
    expect(stored(server, id)).toBe(2);
    // Bob sees the two that were stored, and a gap where the refused one was.
    await bob.sync.syncNow();
    expect((await messageViews(bob.db, id)).map((m) => [m.text, m.missingBefore])).toEqual([
      ["fine", 0],
      ["after", 1],
    ]);
  });

  test("retry seals a failed message anew and sends it exactly once", async () => {
    const { server, alice, bob, id } = await chat();
    server.refuseNextPosts.push({ status: 409, code: "epoch_key_mismatch" });
    const row = await alice.send(id, "try again");
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["try again:failed"]);
    const retried = await alice.retry(id, row.clientMessageId);
    expect(retried.clientMessageId).not.toBe(row.clientMessageId);
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["try again:sent"]);
    expect(stored(server, id)).toBe(1);
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["try again"]);
    // A second retry of the same (now gone) failed message is refused, not sent twice.
    await expect(alice.retry(id, row.clientMessageId)).rejects.toMatchObject({ code: "unknown_message" });
  });

  test("discard removes a failed message from this device only", async () => {
    const { server, alice, id } = await chat();
    server.refuseNextPosts.push({ status: 413, code: "too_large" });
    const row = await alice.send(id, "never mind");
    await alice.sync.syncNow();
    await alice.discard(id, row.clientMessageId);
    expect(await view(alice, id)).toEqual([]);
    expect(stored(server, id)).toBe(0);
  });

  test("a server fault keeps the message pending, in order, for the next attempt", async () => {
    const { server, alice, id } = await chat();
    server.offline = true;
    await alice.send(id, "first");
    await alice.send(id, "second");
    await alice.sync.settled();
    server.offline = false;
    server.refuseNextPosts.push({ status: 503, code: "http_503" });
    await expect(flushAll(alice.ctx)).rejects.toMatchObject({ status: 503 });
    expect(await view(alice, id)).toEqual(["first:pending", "second:pending"]);
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["first:sent", "second:sent"]);
    expect(server.conversations.get(id)!.messages.map((m) => m.seq)).toEqual([1, 2]);
  });

  test("an expired session is renewed and the outbox then sent", async () => {
    const { server, alice, id } = await chat();
    server.refuseNextPosts.push({ status: 401, code: "unauthenticated" });
    await alice.send(id, "after login");
    await alice.sync.syncNow();
    expect(await view(alice, id)).toEqual(["after login:sent"]);
    expect(server.requests.filter((r) => r === "POST /api/session").length).toBeGreaterThanOrEqual(2);
  });
});
