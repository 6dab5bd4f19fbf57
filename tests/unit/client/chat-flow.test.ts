import { describe, expect, test } from "vitest";
import { getAccount } from "../../../web/src/client/store/db.js";
import { messageViews, conversationViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

async function pair() {
  const server = new FakeServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  return { server, alice, bob };
}

const texts = async (c: ReturnType<typeof clientOn>, id: string) => (await messageViews(c.db, id as never)).map((m) => `${m.senderName}:${m.text}`);

describe("sign-up", () => {
  test("registers a genesis, logs in and shows a well-formed recovery key", async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    const rk = await alice.signUp("Alice");
    expect(rk).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
    const account = (await getAccount(alice.db))!;
    expect(account.username).toBe("alice");
    expect(server.accountIdOf("alice")).toBe(account.accountId);
    expect(alice.session?.accountId).toBe(account.accountId);
  });

  test("a taken username is refused by the server and leaves no account behind", async () => {
    const server = new FakeServer();
    await clientOn(server).signUp("alice");
    const second = clientOn(server);
    await expect(second.signUp("alice")).rejects.toMatchObject({ code: "username_taken" });
    expect(await second.hasAccount()).toBe(false);
    await second.signUp("alice2");
    expect(await second.hasAccount()).toBe(true);
  });

  test("a restart with keys present resumes, logging in again when the session is gone", async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    await alice.signUp("alice");
    const again = clientOn(server, alice.db); // a new tab: same IndexedDB, no cookie
    expect(await again.start()).toBe(true);
    expect(server.requests.filter((r) => r === "POST /api/session")).toHaveLength(2);
  });
});

describe("a direct chat", () => {
  test("alternating messages arrive in the same order on both sides, own echoes not duplicated", async () => {
    const { alice, bob } = await pair();
    const id = await alice.startChat("bob");
    const expected: string[] = [];
    for (let i = 1; i <= 5; i++) {
      await alice.send(id, `a${i}`);
      await alice.sync.syncNow();
      expected.push(`alice:a${i}`);
      await bob.sync.syncNow();
      await bob.send(id, `b${i}`);
      await bob.sync.syncNow();
      expected.push(`bob:b${i}`);
      await alice.sync.syncNow();
    }
    await alice.sync.syncNow();
    await bob.sync.syncNow();
    expect(await texts(alice, id)).toEqual(expected);
    expect(await texts(bob, id)).toEqual(expected);
    const views = await messageViews(alice.db, id);
    expect(views.every((m) => m.status === "sent" && m.seq !== undefined)).toBe(true);
    expect(views.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    // Bob learned of Alice from the conversation list (trust on first use).
    expect((await conversationViews(bob.db))[0]?.title).toBe("alice");
  });

  test("a message written offline stays pending and is sent exactly once when the network returns", async () => {
    const { server, alice, bob } = await pair();
    const id = await alice.startChat("bob");
    server.offline = true;
    await alice.send(id, "while offline");
    await alice.sync.syncNow();
    expect((await messageViews(alice.db, id))[0]?.status).toBe("pending");
    expect(alice.sync.status).toBe("offline");
    server.offline = false;
    await alice.sync.syncNow();
    await alice.sync.syncNow();
    expect((await messageViews(alice.db, id))[0]?.status).toBe("sent");
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["alice:while offline"]);
    expect(server.conversations.get(id)!.messages).toHaveLength(1);
  });

  test("a replayed envelope is dropped and counted, not shown twice", async () => {
    const { server, alice, bob } = await pair();
    const id = await alice.startChat("bob");
    await alice.send(id, "once");
    await alice.sync.syncNow();
    const conv = server.conversations.get(id)!;
    conv.messages.push({ ...conv.messages[0]!, seq: 2 });
    conv.conversation = { ...conv.conversation, lastSeq: 2 };
    await bob.sync.syncNow();
    expect(await texts(bob, id)).toEqual(["alice:once"]);
    expect((await conversationViews(bob.db))[0]?.rejected).toBe(1);
  });

  test("a message the server dropped shows as a gap before the next one", async () => {
    const { server, alice, bob } = await pair();
    const id = await alice.startChat("bob");
    await alice.send(id, "one");
    await alice.sync.syncNow();
    await alice.send(id, "two");
    await alice.sync.syncNow();
    const conv = server.conversations.get(id)!;
    conv.messages.splice(0, 1);
    await bob.sync.syncNow();
    const views = await messageViews(bob.db, id);
    expect(views.map((m) => [m.text, m.missingBefore])).toEqual([["two", 1]]);
  });

  test("both starting the chat at once end up in one conversation under one epoch key", async () => {
    const { server, alice, bob } = await pair();
    const [a, b] = await Promise.all([alice.startChat("bob"), bob.startChat("alice")]);
    expect(a).toBe(b);
    expect(server.conversations.get(a)!.epochs.size).toBe(1);
    await alice.send(a, "hi");
    await bob.send(b, "hey");
    for (let i = 0; i < 2; i++) {
      await alice.sync.syncNow();
      await bob.sync.syncNow();
    }
    expect((await texts(alice, a)).sort()).toEqual(["alice:hi", "bob:hey"]);
    expect(await texts(bob, a)).toEqual(await texts(alice, a));
  });
});
