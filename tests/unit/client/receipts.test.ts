import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientMessageId, ContentKind, type ConversationId } from "../../../protocol/index.js";
import type { ChatClient } from "../../../web/src/client/client.js";
import { getConversation, getDevice, listMessages, putConversation } from "../../../web/src/client/store/db.js";
import { conversationView, messageViews, timelineViews } from "../../../web/src/client/views/views.js";
import { StoredEffects } from "../../../web/src/client/sync/receipt-check.js";
import { FakeServer, clientOn } from "./helpers.js";

// Delivered and read marks (docs/decisions.md "Receipts and unread"): sent by the receipt sender when a
// test flushes it (clientOn has no timers), judged on receipt, and turned into ticks and unread counts.

afterEach(() => vi.restoreAllMocks());

async function people(...names: string[]): Promise<{ server: FakeServer; clients: ChatClient[] }> {
  const server = new FakeServer();
  const clients: ChatClient[] = [];
  for (const n of names) {
    const c = clientOn(server);
    await c.signUp(n);
    clients.push(c);
  }
  return { server, clients };
}

async function pair() {
  const { server, clients } = await people("alice", "bob");
  const [alice, bob] = clients as [ChatClient, ChatClient];
  const id = await alice.startChat("bob");
  return { server, alice, bob, id };
}

/** Posts the outbox and fetches what is new. */
async function sync(...cs: ChatClient[]): Promise<void> {
  for (const c of cs) {
    await c.sync.syncNow();
    await c.sync.settled();
  }
}

/** Sends the marks that are due and posts them. */
async function marks(c: ChatClient): Promise<void> {
  await c.receipts.flush();
  await sync(c);
}

async function ticks(c: ChatClient, id: ConversationId) {
  return (await messageViews(c.db, id)).filter((m) => m.mine).map((m) => m.delivery?.state ?? m.status);
}

/** The receipts `by`'s account wrote in the chat, as `c` stores them, in server order. */
async function receiptRows(c: ChatClient, id: ConversationId, by: ChatClient = c) {
  const author = (await by.views.me())?.accountId;
  return (await listMessages(c.db, id)).filter((r) => r.kindNumber === ContentKind.receipt && r.senderAccountId === author).sort((a, b) => (a.seq ?? Infinity) - (b.seq ?? Infinity));
}

const unread = async (c: ChatClient, id: ConversationId) => (await conversationView(c.db, id))?.unread;

describe("ticks in a direct chat", () => {
  test("sent, then delivered once Bob's device stored it, then read once Bob opened the chat", async () => {
    const { alice, bob, id } = await pair();
    await alice.send(id, "one");
    await sync(alice);
    expect(await ticks(alice, id)).toEqual(["sent"]);
    await sync(bob);
    await marks(bob);
    await sync(alice);
    expect(await ticks(alice, id)).toEqual(["delivered"]);
    await bob.receipts.open(id);
    await marks(bob);
    await sync(alice);
    expect(await ticks(alice, id)).toEqual(["read"]);
    // One delivered and one read mark, never shown as messages on either side.
    expect((await receiptRows(bob, id)).map((r) => r.receipt?.mark)).toEqual(["delivered", "read"]);
    expect((await messageViews(alice.db, id)).map((m) => m.text)).toEqual(["one"]);
    expect((await messageViews(bob.db, id)).map((m) => m.text)).toEqual(["one"]);
  });

  test("a burst of messages costs one mark, at the newest, and a mark covers every earlier message", async () => {
    const { alice, bob, id } = await pair();
    for (const t of ["a", "b", "c"]) await alice.send(id, t);
    await sync(alice, bob);
    await marks(bob);
    await sync(alice);
    const rows = await receiptRows(bob, id);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.receipt).toEqual({ mark: "delivered", position: 3 });
    expect(await ticks(alice, id)).toEqual(["delivered", "delivered", "delivered"]);
    // Nothing new: flushing again sends nothing.
    await marks(bob);
    expect(await receiptRows(bob, id)).toHaveLength(1);
  });

  test("receipts never call for receipts, and do not move the chat up the list", async () => {
    const { alice, bob, id } = await pair();
    await alice.send(id, "hello");
    await sync(alice, bob);
    await bob.receipts.open(id);
    await marks(bob);
    const before = (await getConversation(alice.db, id))!.updatedAt;
    await sync(alice);
    await marks(alice);
    await sync(bob);
    expect(await receiptRows(alice, id)).toHaveLength(0);
    expect((await getConversation(alice.db, id))!.updatedAt).toBe(before);
    expect((await conversationView(alice.db, id))?.last?.text).toBe("hello");
  });

  test("a stored receipt of someone else calls for no mark; only a shown message does", () => {
    const at = { deviceId: "d", clientMessageId: "m" } as never;
    const effects = new StoredEffects("me");
    effects.note("bob", 5, { kind: "receipt", sentAt: 1, mark: "read", position: 4, at });
    effects.note("bob", 6, { kind: "receipt", sentAt: 1, mark: "delivered", position: 4, at });
    expect(effects.fromOthers).toBe(false);
    effects.note("bob", 7, { kind: "text", sentAt: 1, text: "hi" });
    expect(effects.fromOthers).toBe(true);
    // Own messages and own read marks move readUpTo; own delivered marks do not.
    effects.note("me", 8, { kind: "receipt", sentAt: 1, mark: "delivered", position: 7, at });
    expect(effects.readUpTo).toBe(0);
    effects.note("me", 9, { kind: "receipt", sentAt: 1, mark: "read", position: 7, at });
    expect(effects.readUpTo).toBe(7);
    effects.note("me", 10, { kind: "text", sentAt: 1, text: "answer" });
    expect(effects.readUpTo).toBe(10);
  });

  test("with read receipts off Bob sends no read mark, and Alice's ticks stop at delivered", async () => {
    const { alice, bob, id } = await pair();
    bob.settings.readReceipts = false;
    await alice.send(id, "are you there?");
    await sync(alice, bob);
    await bob.receipts.open(id);
    await marks(bob);
    await sync(alice);
    expect((await receiptRows(bob, id)).map((r) => r.receipt?.mark)).toEqual(["delivered"]);
    expect(await ticks(alice, id)).toEqual(["delivered"]);
    // Bob still read it on his side.
    expect(await unread(bob, id)).toBe(0);
  });

  test("with read receipts off Alice does not see others' read marks either", async () => {
    const { alice, bob, id } = await pair();
    await alice.send(id, "hi");
    await sync(alice, bob);
    await bob.receipts.open(id);
    await marks(bob);
    await sync(alice);
    const state = async () => (await alice.views.timeline(id)).flatMap((m) => (m.kind === "message" && m.mine ? [m.delivery?.state] : []));
    expect(await state()).toEqual(["read"]);
    alice.settings.readReceipts = false;
    expect(await state()).toEqual(["delivered"]);
  });

  test("a mark written offline is sent once when the network is back", async () => {
    const { server, alice, bob, id } = await pair();
    await alice.send(id, "ping");
    await sync(alice, bob);
    server.offline = true;
    await bob.receipts.open(id);
    await bob.receipts.flush();
    await sync(bob);
    await sync(bob);
    expect((await receiptRows(bob, id)).map((r) => r.status)).toEqual(["pending"]);
    server.offline = false;
    await sync(bob, bob, alice);
    expect((await receiptRows(bob, id)).map((r) => r.status)).toEqual(["sent"]);
    expect(await receiptRows(alice, id, bob)).toHaveLength(1);
    expect(await ticks(alice, id)).toEqual(["read"]);
  });
});

describe("ticks in a group", () => {
  test("per member: read by one, delivered to another, read once everyone read", async () => {
    const { clients } = await people("alice", "bob", "carol");
    const [alice, bob, carol] = clients as [ChatClient, ChatClient, ChatClient];
    const id = await alice.createGroup("Team", ["bob", "carol"]);
    await alice.send(id, "lunch?");
    await sync(alice, bob, carol);
    await bob.receipts.open(id);
    await marks(bob);
    await marks(carol);
    await sync(alice);
    const mine = async () => (await messageViews(alice.db, id)).find((m) => m.mine)!.delivery;
    expect(await mine()).toEqual({ state: "delivered", readBy: ["bob"], deliveredTo: ["carol"], waiting: [] });
    await carol.receipts.open(id);
    await marks(carol);
    await sync(alice);
    expect(await mine()).toEqual({ state: "read", readBy: ["bob", "carol"], deliveredTo: [], waiting: [] });
  });
});

describe("unread", () => {
  test("counts the others' messages past readUpTo; opening the chat clears it at once and says where the new ones start", async () => {
    const { alice, bob, id } = await pair();
    await alice.send(id, "first");
    await sync(alice, bob);
    expect(await unread(bob, id)).toBe(1);
    expect(await bob.receipts.open(id)).toBe(0);
    expect(await unread(bob, id)).toBe(0);
    bob.receipts.close(id);
    for (const t of ["second", "third"]) await alice.send(id, t);
    await sync(alice, bob);
    expect(await unread(bob, id)).toBe(2);
    // The divider goes above the first message past the returned position (seq 2).
    expect(await bob.receipts.open(id)).toBe(1);
    expect(await unread(bob, id)).toBe(0);
    // Nothing unread: no divider.
    expect(await bob.receipts.open(id)).toBeUndefined();
  });

  test("a message of one's own counts as having read everything before it", async () => {
    const { alice, bob, id } = await pair();
    for (const t of ["a", "b"]) await alice.send(id, t);
    await sync(alice, bob);
    expect(await unread(bob, id)).toBe(2);
    await bob.send(id, "answering without opening the chat here");
    // Posted, then fetched back with its position.
    await sync(bob, bob);
    expect(await unread(bob, id)).toBe(0);
  });

  test("new messages arriving while the chat is open and visible are read at once; hidden, they stay unread", async () => {
    const { alice, bob, id } = await pair();
    await sync(bob);
    await bob.receipts.open(id);
    await alice.send(id, "while you look");
    await sync(alice, bob);
    await vi.waitFor(async () => expect(await unread(bob, id)).toBe(0));
    bob.receipts.setVisible(false);
    await alice.send(id, "while the tab is hidden");
    await sync(alice, bob);
    expect(await unread(bob, id)).toBe(1);
    bob.receipts.setVisible(true);
    await vi.waitFor(async () => expect(await unread(bob, id)).toBe(0));
  });

  test("a chat stored before unread existed counts as read, and only what arrives afterwards is unread", async () => {
    const { alice, bob, id } = await pair();
    await alice.send(id, "old");
    await sync(alice, bob);
    const { readUpTo: _r, ...old } = (await getConversation(bob.db, id))!;
    await putConversation(bob.db, old);
    expect(await unread(bob, id)).toBe(0);
    await alice.send(id, "new");
    await sync(alice, bob);
    expect(await unread(bob, id)).toBe(1);
  });

  test("this account's own read mark, replayed on a device that loads the history anew, clears unread there", async () => {
    const { server, alice, bob, id } = await pair();
    for (const t of ["x", "y", "z"]) await alice.send(id, t);
    await sync(alice, bob);
    const fresh = async (): Promise<number | undefined> => {
      const db = bob.db;
      await db.transaction("rw", [db.conversations, db.messages, db.envelopes, db.chains, db.cursors], async () => {
        for (const t of [db.conversations, db.messages, db.envelopes, db.chains, db.cursors]) await t.clear();
      });
      const again = clientOn(server, db);
      await sync(again);
      return unread(again, id);
    };
    // A device with the history but none of Bob's marks: all of it unread.
    expect(await fresh()).toBe(3);
    const reader = clientOn(server, bob.db);
    await reader.receipts.open(id);
    await marks(reader);
    expect(await fresh()).toBe(0);
  });
});

describe("receipts that contradict the local rows", () => {
  test("are refused and counted: another message than the one at the position, or a position not before the mark", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const { alice, bob, id } = await pair();
    await alice.send(id, "m1");
    await alice.send(id, "m2");
    await sync(alice, bob);
    const m1 = (await messageViews(bob.db, id))[0]!;
    const aliceDevice = (await getDevice(alice.db))!.deviceId;
    const wrongAt = { deviceId: aliceDevice, clientMessageId: ClientMessageId.parse(m1.key) };
    // Bob's (modified) client claims to have read position 2, naming m1; then a position past its own.
    const { queueContent } = await import("../../../web/src/client/conversations/messages.js");
    await queueContent(bob.ctx, id, { kind: "receipt", mark: "read", position: 2, at: wrongAt });
    await queueContent(bob.ctx, id, { kind: "receipt", mark: "read", position: 9, at: wrongAt });
    await sync(bob, alice);
    expect((await getConversation(alice.db, id))!.rejected).toBe(2);
    expect(await ticks(alice, id)).toEqual(["sent", "sent"]);
    // The chat goes on: a correct mark still counts.
    await queueContent(bob.ctx, id, { kind: "receipt", mark: "read", position: 1, at: wrongAt });
    await sync(bob, alice);
    expect(await ticks(alice, id)).toEqual(["read", "sent"]);
    expect((await getConversation(alice.db, id))!.rejected).toBe(2);
    expect((await timelineViews(alice.db, id)).length).toBe(2);
  });
});
