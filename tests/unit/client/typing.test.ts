import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { EPOCH_MAX_AGE_MS } from "../../../web/src/client/conversations/epochs.js";
import { TYPING_RESEND_MS, TYPING_SETTING_KEY, TYPING_SHOWN_MS, type SettingStorage } from "../../../web/src/client/facades/typing.js";
import { RealtimeConnection } from "../../../web/src/client/transport/realtime.js";
import type { FakeSocket } from "./fake-socket.js";
import { FakeServer, freshDb, transportsOver } from "./helpers.js";

const clients: ChatClient[] = [];
beforeEach(() => {
  vi.spyOn(console, "warn").mockImplementation(() => undefined);
});
afterEach(() => {
  vi.useRealTimers();
  for (const c of clients.splice(0)) c.stop();
  vi.restoreAllMocks();
});

async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

function memoryStorage(): SettingStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

/** A live client whose clock the test moves (`clock.offset` ms ahead of real time). */
function liveClient(server: FakeServer, clock: { offset: number }, settings = memoryStorage()) {
  const browser = server.browser();
  const realtime = new RealtimeConnection({ url: "ws://127.0.0.1:8787/api/realtime", createSocket: browser.createSocket, backoff: { initialMs: 20, maxMs: 100 } });
  const client = new ChatClient({
    db: freshDb(),
    ...transportsOver(browser.fetch),
    origin: server.origin,
    realtime,
    now: () => Date.now() + clock.offset,
    settings,
    syncTiming: { pollMs: 3_600_000, safetyNetMs: 3_600_000, retry: { initialMs: 20, maxMs: 100 } },
  });
  clients.push(client);
  return { client, settings };
}

/** Typing frames a client's sockets sent so far. */
function typingSent(server: FakeServer, accountId: string): Array<{ type: "typing"; conversationId: ConversationId; frame: string }> {
  const sockets: FakeSocket[] = server.sockets.filter((s) => s.accountId === accountId).map((s) => s.socket);
  return sockets.flatMap((s) => s.sent).filter((f): f is { type: "typing"; conversationId: ConversationId; frame: string } => (f as { type?: unknown }).type === "typing");
}

async function setup() {
  const server = new FakeServer();
  const aliceClock = { offset: 0 };
  const alice = liveClient(server, aliceClock);
  const bob = liveClient(server, { offset: 0 });
  await alice.client.signUp("alice");
  await bob.client.signUp("bob");
  const id = await alice.client.startChat("bob");
  await until("both are live", () => alice.client.sync.live && bob.client.sync.live);
  await until("bob has the chat", async () => (await bob.client.db.conversations.count()) === 1);
  await bob.client.openConversation(id);
  const aliceId = (await alice.client.db.account.get("self"))!.accountId;
  const bobId = (await bob.client.db.account.get("self"))!.accountId;
  /** What the hubs do: alice's frames, from `from` on, go to bob's sockets. Returns how many. */
  let relayed = 0;
  const relay = () => {
    const frames = typingSent(server, aliceId).slice(relayed);
    relayed += frames.length;
    for (const f of frames) server.push([bobId], { type: "typing", conversationId: f.conversationId, frame: f.frame });
    return frames.length;
  };
  return { server, alice, bob, id, aliceId, bobId, aliceClock, relay };
}

const names = (c: ChatClient, id: ConversationId) => c.typing.who(id).map((p) => p.username);

describe("typing indicators (client)", () => {
  test("typing is sent at most once per 3 s while typing, and one stopped when it stops", async () => {
    const { server, alice, id, aliceId, aliceClock } = await setup();
    const sent = () => typingSent(server, aliceId).length;
    for (let i = 0; i < 20; i++) alice.client.typing.set(id, true);
    await until("the first frame is out", () => sent() === 1);
    aliceClock.offset = TYPING_RESEND_MS - 1;
    alice.client.typing.set(id, true);
    aliceClock.offset = TYPING_RESEND_MS;
    alice.client.typing.set(id, true);
    alice.client.typing.set(id, true);
    await until("the refresh is out", () => sent() === 2);
    alice.client.typing.set(id, false);
    alice.client.typing.set(id, false);
    await until("stopped is out", () => sent() === 3);
    await new Promise((r) => setTimeout(r, 50));
    expect(sent()).toBe(3);
  });

  test("bob sees alice typing, then not after her stopped frame; she never sees herself", async () => {
    const { alice, bob, id, relay } = await setup();
    const changes = vi.fn();
    bob.client.typing.addEventListener("change", changes);
    alice.client.typing.set(id, true);
    await until("alice sent", () => relay() === 1);
    await until("bob shows alice typing", () => names(bob.client, id).length === 1);
    expect(names(bob.client, id)).toEqual(["alice"]);
    expect(changes).toHaveBeenCalled();
    expect(names(alice.client, id)).toEqual([]);
    alice.client.typing.set(id, false);
    await until("alice sent stopped", () => relay() === 1);
    await until("bob no longer shows it", () => names(bob.client, id).length === 0);
  });

  test("what bob shows expires 5 s after the last frame unless refreshed", async () => {
    const { alice, bob, id, relay, aliceClock } = await setup();
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    alice.client.typing.set(id, true);
    await until("alice sent", () => relay() === 1);
    await until("bob shows alice typing", () => names(bob.client, id).length === 1);
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1000);
    // A refresh 3 s later (alice is still typing) pushes the expiry out again.
    aliceClock.offset = TYPING_RESEND_MS;
    alice.client.typing.set(id, true);
    await until("alice refreshed", () => relay() === 1);
    const shownAgain = vi.fn();
    bob.client.typing.addEventListener("change", shownAgain);
    await until("bob took the refresh", () => shownAgain.mock.calls.length > 0);
    vi.advanceTimersByTime(TYPING_SHOWN_MS - 1);
    expect(names(bob.client, id)).toEqual(["alice"]);
    vi.advanceTimersByTime(1);
    expect(names(bob.client, id)).toEqual([]);
  });

  test("alice's new epoch, made with no message under it yet, is fetched by bob when the server says it exists: her typing under it shows", async () => {
    // In the e2e run, Alice linked a device and opened the chat: that made a new epoch for her devices,
    // and her typing was sealed under it before any message was. Here the old epoch's lifetime runs out.
    const { alice, bob, id, relay, aliceClock } = await setup();
    aliceClock.offset = EPOCH_MAX_AGE_MS + 1000;
    await alice.client.openConversation(id);
    aliceClock.offset = 0;
    const newest = async (c: ChatClient) => (await c.db.epochs.where("conversationId").equals(id).toArray()).map((e) => e.epoch).sort((a, b) => b - a)[0];
    expect(await newest(alice.client)).toBe(1);
    await until("bob holds epoch 1", async () => (await newest(bob.client)) === 1);
    alice.client.typing.set(id, true);
    await until("alice sent", () => relay() === 1);
    await until("bob shows alice typing", () => names(bob.client, id).length === 1);
  });

  test("a stale frame, a replayed older one and a frame from this account are dropped", async () => {
    const { server, alice, bob, id, aliceId, relay, aliceClock } = await setup();
    // Alice's clock 11 s behind bob's: her frame is stale on arrival.
    aliceClock.offset = -11_000;
    alice.client.typing.set(id, true);
    await until("alice sent", () => relay() === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(names(bob.client, id)).toEqual([]);
    // A fresh one shows; then an older frame (replayed by the server) changes nothing after her stop.
    aliceClock.offset = 0;
    alice.client.typing.set(id, false);
    await until("stopped sent", () => relay() === 1);
    alice.client.typing.set(id, true);
    await until("typing sent", () => relay() === 1);
    await until("bob shows alice typing", () => names(bob.client, id).length === 1);
    aliceClock.offset = 1;
    alice.client.typing.set(id, false);
    await until("stopped sent", () => relay() === 1);
    await until("bob shows nobody", () => names(bob.client, id).length === 0);
    const typingAgain = typingSent(server, aliceId).at(-2)!;
    server.push([(await bob.client.db.account.get("self"))!.accountId], { type: "typing", conversationId: id, frame: typingAgain.frame });
    await new Promise((r) => setTimeout(r, 50));
    expect(names(bob.client, id)).toEqual([]);
    // Alice's own frame relayed back to her (a lying server): never shown.
    server.push([aliceId], { type: "typing", conversationId: id, frame: typingAgain.frame });
    await new Promise((r) => setTimeout(r, 50));
    expect(names(alice.client, id)).toEqual([]);
  });

  test("a frame in the wrong chat or with a flipped byte is dropped", async () => {
    const { server, alice, bob, id, aliceId, bobId } = await setup();
    alice.client.typing.set(id, true);
    await until("alice sent", () => typingSent(server, aliceId).length === 1);
    const frame = typingSent(server, aliceId)[0]!.frame;
    const flipped = frame.slice(0, 200) + (frame[200] === "A" ? "B" : "A") + frame.slice(201);
    server.push([bobId], { type: "typing", conversationId: id, frame: flipped });
    server.push([bobId], { type: "typing", conversationId: "AAAAAAAAAAAAAAAAAAAAAA" as ConversationId, frame });
    await new Promise((r) => setTimeout(r, 100));
    expect(names(bob.client, id)).toEqual([]);
    server.push([bobId], { type: "typing", conversationId: id, frame });
    await until("the genuine frame shows", () => names(bob.client, id).length === 1);
  });

  test("with the setting off, alice sends nothing and bob shows nothing", async () => {
    const { server, alice, bob, id, aliceId, relay } = await setup();
    bob.client.typing.setEnabled(false);
    expect(bob.settings.map.get(TYPING_SETTING_KEY)).toBe("off");
    alice.client.typing.set(id, true);
    await until("alice sent", () => relay() === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(names(bob.client, id)).toEqual([]);
    // Alice turns it off while typing: one stopped goes out, then nothing more.
    alice.client.typing.setEnabled(false);
    await until("alice's stopped is out", () => typingSent(server, aliceId).length === 2);
    alice.client.typing.set(id, true);
    await new Promise((r) => setTimeout(r, 50));
    expect(typingSent(server, aliceId)).toHaveLength(2);
    expect(alice.client.typing.enabled).toBe(false);
  });

  test("without an open socket nothing is sent, and nothing is queued for later", async () => {
    const { server, alice, id, aliceId } = await setup();
    server.refuseSockets = true;
    server.dropSockets();
    await until("alice lost the socket", () => !alice.client.sync.live);
    alice.client.typing.set(id, true);
    alice.client.typing.set(id, false);
    server.refuseSockets = false;
    await alice.client.sync.syncNow();
    await until("alice is live again", () => alice.client.sync.live);
    await new Promise((r) => setTimeout(r, 50));
    expect(typingSent(server, aliceId)).toEqual([]);
  });

  test("in a group Bob sees who types by name, and a member removed since is never shown", async () => {
    const server = new FakeServer();
    const [alice, bob, carol] = [liveClient(server, { offset: 0 }), liveClient(server, { offset: 0 }), liveClient(server, { offset: 0 })];
    await alice.client.signUp("alice");
    await bob.client.signUp("bob");
    await carol.client.signUp("carol");
    const id = await alice.client.createGroup("Team", ["bob", "carol"]);
    await until("all are live", () => [alice, bob, carol].every((p) => p.client.sync.live));
    for (const p of [bob, carol]) {
      await until("the group arrived", async () => (await p.client.db.conversations.count()) === 1);
      await p.client.openConversation(id);
    }
    const accountOf = async (c: ChatClient) => (await c.db.account.get("self"))!.accountId;
    const bobId = await accountOf(bob.client);
    const carolId = await accountOf(carol.client);
    // The hubs' relay: every frame sent so far by these accounts goes to Bob.
    const relayFrom = (accountId: string) => {
      for (const f of typingSent(server, accountId)) server.push([bobId], { type: "typing", conversationId: f.conversationId, frame: f.frame });
    };
    alice.client.typing.set(id, true);
    carol.client.typing.set(id, true);
    await until("both sent", async () => typingSent(server, await accountOf(alice.client)).length === 1 && typingSent(server, carolId).length === 1);
    relayFrom(await accountOf(alice.client));
    relayFrom(carolId);
    await until("bob shows both", () => names(bob.client, id).length === 2);
    expect(names(bob.client, id).sort()).toEqual(["alice", "carol"]);

    // Carol is removed; her old epoch key still opens, but she is not a member now.
    carol.client.typing.set(id, false);
    await until("carol's stop is out", () => typingSent(server, carolId).length === 2);
    relayFrom(carolId);
    await until("carol's stop shows", () => names(bob.client, id).length === 1);
    await alice.client.removeMember(id, carolId);
    await bob.client.openConversation(id);
    const before = typingSent(server, carolId).length;
    carol.client.typing.set(id, true);
    await until("carol sent", () => typingSent(server, carolId).length === before + 1);
    const late = typingSent(server, carolId).at(-1)!;
    server.push([bobId], { type: "typing", conversationId: late.conversationId, frame: late.frame });
    await new Promise((r) => setTimeout(r, 100));
    expect(names(bob.client, id)).toEqual(["alice"]);
  });
});
