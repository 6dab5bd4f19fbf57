import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn, freshDb, liveClientOn } from "./helpers.js";
import { countStoreVisits } from "./store-visits.js";

const clients: ChatClient[] = [];
beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  for (const c of clients.splice(0)) c.stop();
  vi.restoreAllMocks();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const texts = async (c: ChatClient, id: ConversationId) => (await messageViews(c.db, id)).map((m) => m.text);

/** Alice polls (no socket); Bob is live with a socket and no polling to speak of. */
async function setup(o: { bobPollMs?: number } = {}) {
  const server = new FakeServer();
  const alice = clientOn(server);
  const bob = liveClientOn(server, o.bobPollMs ? { pollMs: o.bobPollMs } : {});
  clients.push(alice, bob);
  await alice.signUp("alice");
  await bob.signUp("bob");
  await until("bob is live", () => bob.sync.live && bob.sync.status === "online");
  return { server, alice, bob };
}

const messageGets = (server: FakeServer) => server.requests.filter((r) => r.startsWith("GET") && r.endsWith("/messages")).length;

describe("live sync over the realtime socket", () => {
  test("in a burst, frames that arrive while the last batch is fresh are stored together", { timeout: 30_000 }, async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    const bobDb = freshDb();
    const visits = countStoreVisits(bobDb);
    const bob = liveClientOn(server, { db: bobDb, burstGapMs: 3_000 });
    clients.push(alice, bob);
    await alice.signUp("alice");
    await bob.signUp("bob");
    await until("bob is live", () => bob.sync.live && bob.sync.status === "online");
    const id = await alice.startChat("bob");
    await until("bob has the chat", async () => (await bob.db.conversations.count()) === 1);
    await bob.sync.settled();
    visits.reset();
    // Five messages pushed one by one, each within the gap after the batch before it: at most the first
    // is applied alone, the others wait and are stored together (one cursor write per batch).
    for (let i = 1; i <= 5; i++) await alice.send(id, `m${i}`);
    await until("bob has all five", async () => (await texts(bob, id)).length === 5, 20_000);
    expect(await texts(bob, id)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
    expect(visits.writes("cursors")).toBeLessThanOrEqual(2);
  });

  test("a new chat and its messages reach Bob by push, without fetching message pages", async () => {
    const { server, alice, bob } = await setup();
    const id = await alice.startChat("bob");
    await until("bob has the chat", async () => (await bob.db.conversations.count()) === 1);
    await bob.sync.settled();
    const before = messageGets(server);
    for (const t of ["one", "two", "three"]) {
      await alice.send(id, t);
      await alice.sync.settled();
    }
    await until("bob has all three", async () => (await texts(bob, id)).length === 3);
    expect(await texts(bob, id)).toEqual(["one", "two", "three"]);
    expect(messageGets(server)).toBe(before);
  });

  test("a frame delivered twice, or after a poll saw it, is stored once", async () => {
    const { server, alice, bob } = await setup();
    const id = await alice.startChat("bob");
    await alice.send(id, "only once");
    await alice.sync.settled();
    await until("bob has it", async () => (await texts(bob, id)).length === 1);
    const stored = server.conversations.get(id)!.messages[0]!;
    const account = (await bob.db.account.get("self"))!.accountId;
    server.push([account], { type: "message", conversationId: id, ...stored });
    await bob.sync.syncNow();
    await bob.sync.settled();
    expect(await texts(bob, id)).toEqual(["only once"]);
    expect((await messageViews(bob.db, id))[0]?.seq).toBe(1);
  });

  test("pushes missed while disconnected are fetched by cursor on reconnect", async () => {
    const { server, alice, bob } = await setup();
    const id = await alice.startChat("bob");
    await until("bob has the chat", async () => (await bob.db.conversations.count()) === 1);
    server.refuseSockets = true;
    server.dropSockets();
    await until("bob lost the socket", () => !bob.sync.live);
    for (const t of ["missed 1", "missed 2"]) await alice.send(id, t);
    await alice.sync.settled();
    server.refuseSockets = false;
    await until("bob caught up", async () => (await texts(bob, id)).length === 2);
    expect(await texts(bob, id)).toEqual(["missed 1", "missed 2"]);
    expect(bob.sync.live).toBe(true);
  });

  test("a push after a gap fetches the messages in between, in order", async () => {
    const { server, alice, bob } = await setup();
    const id = await alice.startChat("bob");
    await until("bob has the chat", async () => (await bob.db.conversations.count()) === 1);
    server.pushPaused = true;
    await alice.send(id, "not pushed");
    await alice.sync.settled();
    server.pushPaused = false;
    await alice.send(id, "pushed");
    await alice.sync.settled();
    await until("bob has both", async () => (await texts(bob, id)).length === 2);
    expect(await texts(bob, id)).toEqual(["not pushed", "pushed"]);
  });

  test("without a socket the client falls back to polling", async () => {
    const server = new FakeServer();
    const alice = clientOn(server);
    const bob = liveClientOn(server, { pollMs: 30 });
    clients.push(alice, bob);
    await alice.signUp("alice");
    await bob.signUp("bob");
    // Every handshake is refused from now on; HTTP still works.
    server.refuseSockets = true;
    server.dropSockets();
    const id = await alice.startChat("bob");
    await alice.send(id, "by polling");
    await alice.sync.settled();
    await until("bob polled it", async () => (await texts(bob, id)).length === 1);
    expect(bob.sync.live).toBe(false);
    expect(bob.sync.status).toBe("online");
  });

  test("the status goes offline with the network and back online, catching up, when it returns", async () => {
    const { server, alice, bob } = await setup();
    const id = await alice.startChat("bob");
    await until("bob has the chat", async () => (await bob.db.conversations.count()) === 1);
    const seen: string[] = [];
    bob.sync.addEventListener("status", () => seen.at(-1) !== bob.sync.status && seen.push(bob.sync.status));
    bob.sync.setNetwork(false);
    expect(bob.sync.status).toBe("offline");
    expect(bob.sync.live).toBe(false);
    await alice.send(id, "while bob was offline");
    await alice.sync.settled();
    bob.sync.setNetwork(true);
    await until("bob caught up", async () => (await texts(bob, id)).length === 1);
    await until("bob is online", () => bob.sync.status === "online" && bob.sync.live);
    expect(seen[0]).toBe("offline");
    expect(seen).toContain("connecting");
    expect(seen.at(-1)).toBe("online");
  });

  test("a server that stops answering turns the status offline; it recovers by itself", async () => {
    const { server, bob } = await setup({ bobPollMs: 20 });
    server.offline = true;
    server.dropSockets();
    await until("bob is offline", () => bob.sync.status === "offline");
    server.offline = false;
    await until("bob is back", () => bob.sync.status === "online" && bob.sync.live, 5000);
  });
});
