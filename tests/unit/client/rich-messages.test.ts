import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientMessageId, type ConversationId, type MessageRef } from "../../../protocol/index.js";
import { queueContent, resealPending } from "../../../web/src/client/conversations/messages.js";
import { getMessage } from "../../../web/src/client/store/db.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { DELETED_TEXT, conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { makeEnvelope } from "../../support/conversation.js";
import { genesisDevice } from "../../support/device-log.js";
import { FakeServer, chatBetween, clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { makesDirectEpoch, registerNodeAccount, serverStores } from "./node-account.js";

// Replies, reactions, edits and delete for everyone between two real clients (issue 17): applied on
// receive, refused with a count when they break the rules, and the same on a device that loads the
// history anew. The rules themselves are tabled in message-fold.test.ts.

afterEach(() => vi.restoreAllMocks());

type Client = ReturnType<typeof clientOn>;
const refOf = (r: MessageRow): MessageRef => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

async function pair() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new FakeServer();
  const chat = await chatBetween(server);
  await chat.bob.openConversation(chat.id);
  return { server, ...chat };
}

async function seen(c: Client, id: ConversationId) {
  return (await messageViews(c.db, id)).map((m) => ({
    text: m.text,
    edited: m.edited,
    reactions: m.reactions.map((r) => `${r.emoji}${r.count}:${r.names.join(",")}`),
    ...(m.replyTo ? { quote: m.replyTo.state === "shown" ? m.replyTo.text : m.replyTo.state } : {}),
  }));
}

/** Every text still anywhere in the device's message rows and envelopes (envelopes by position). */
async function stored(c: Client, id: ConversationId) {
  const rows = await c.db.messages.where("conversationId").equals(id).toArray();
  const envelopes = await c.db.envelopes.where("[conversationId+seq]").between([id, 0], [id, Infinity]).toArray();
  return { texts: rows.map((r) => r.text).filter((t) => t !== "").sort(), envelopeSeqs: envelopes.map((e) => e.seq) };
}

describe("between two people", () => {
  test("a reply, reactions (add, change, remove) and an edit show the same on both sides", async () => {
    const { alice, bob, id, both } = await pair();
    const hi = await alice.send(id, "hi bob");
    await both();
    await bob.reply(id, refOf(hi), "hi alice");
    await bob.react(id, refOf(hi), "👍");
    await alice.react(id, refOf(hi), "❤️");
    await both();
    await bob.react(id, refOf(hi), "😂");
    await alice.react(id, refOf(hi), null);
    await alice.edit(id, refOf(hi), "hi bob!");
    await both();
    const expected = [
      { text: "hi bob!", edited: true, reactions: ["😂1:bob"] },
      { text: "hi alice", edited: false, reactions: [], quote: "hi bob!" },
    ];
    expect(await seen(alice, id)).toEqual(expected);
    expect(await seen(bob, id)).toEqual(expected.map((m) => ({ ...m, reactions: m.reactions.map((r) => r.replace("bob", "You")) })));
    // Neither a reaction nor an edit becomes the chat's last message.
    expect((await conversationView(alice.db, id))?.last?.text).toBe("hi alice");
  });

  test("an edit of the last message shows in the chat list; a pending one at once", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "typo");
    await both();
    await alice.edit(id, refOf(m), "fixed");
    expect((await conversationView(alice.db, id))?.last?.text).toBe("fixed");
    await both();
    expect((await conversationView(bob.db, id))?.last?.text).toBe("fixed");
  });

  test("delete for everyone: a tombstone on both sides, and the text and its envelopes gone from both stores", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "secret one");
    await both();
    await alice.edit(id, refOf(m), "secret two");
    await bob.react(id, refOf(m), "😮");
    await both();
    const before = await stored(bob, id);
    expect(before.texts).toEqual(["secret one", "secret two"]);
    await alice.deleteForEveryone(id, refOf(m));
    // At once on the deleting device: the tombstone, and the texts gone before anything is sent.
    expect((await messageViews(alice.db, id)).map((v) => [v.text, v.deleted, v.reactions.length])).toEqual([[DELETED_TEXT, true, 0]]);
    expect((await stored(alice, id)).texts).toEqual([]);
    await both();
    for (const c of [alice, bob]) {
      expect((await messageViews(c.db, id)).map((v) => [v.content, v.text])).toEqual([["deleted", DELETED_TEXT]]);
      const after = await stored(c, id);
      expect(after.texts).toEqual([]);
      // The original (seq 1) and its edit (seq 2) are no longer stored; the reaction and the delete are.
      expect(after.envelopeSeqs).toEqual([3, 4]);
      expect((await getMessage(c.db, id, m.clientMessageId))?.deletedAt).toBeGreaterThan(0);
    }
    expect((await conversationView(bob.db, id))?.last?.text).toBe(DELETED_TEXT);
    // Nothing more can be done to it.
    await expect(alice.edit(id, refOf(m), "again")).rejects.toMatchObject({ code: "message_deleted" });
    await expect(bob.react(id, refOf(m), "👍")).rejects.toMatchObject({ code: "message_deleted" });
  });

  test("only the author may edit or delete: the UI's call says so, and a forged one is refused and counted", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "alice wrote this");
    await both();
    await expect(bob.edit(id, refOf(m), "bob's words")).rejects.toMatchObject({ code: "not_author" });
    await expect(bob.deleteForEveryone(id, refOf(m))).rejects.toMatchObject({ code: "not_author" });
    // A client that skips the check (this test path) sends them anyway: every receiver refuses them.
    await queueContent(bob.ctx, id, { kind: "edit", to: refOf(m), text: "bob's words" });
    await queueContent(bob.ctx, id, { kind: "delete", to: refOf(m) });
    await both();
    expect(await seen(alice, id)).toEqual([{ text: "alice wrote this", edited: false, reactions: [] }]);
    expect((await conversationView(alice.db, id))?.rejected).toBe(2);
    // The forged text is not kept by the device that refused it.
    expect((await stored(alice, id)).texts).toEqual(["alice wrote this"]);
  });

  test("the local checks: a delete waits until the message is sent, a reaction is one emoji, the target must exist", async () => {
    const { server, alice, bob, id, both } = await pair();
    server.offline = true;
    const pending = await alice.send(id, "not sent yet");
    await expect(alice.deleteForEveryone(id, refOf(pending))).rejects.toMatchObject({ code: "message_not_sent" });
    server.offline = false;
    await both();
    await expect(bob.react(id, refOf(pending), "👍👎")).rejects.toMatchObject({ code: "invalid_reaction" });
    await expect(bob.react(id, refOf(pending), "a")).rejects.toMatchObject({ code: "invalid_reaction" });
    await expect(bob.reply(id, { ...refOf(pending), clientMessageId: ClientMessageId.fromBytes(new Uint8Array(16)) }, "?")).rejects.toMatchObject({ code: "unknown_message" });
    // Nothing was queued by the refused calls.
    expect(server.conversations.get(id)!.messages.length).toBe(1);
    await alice.deleteForEveryone(id, refOf(pending));
    await both();
    expect((await messageViews(bob.db, id)).map((v) => v.text)).toEqual([DELETED_TEXT]);
  });

  test("a reaction written offline is sent once when back, and applied once", async () => {
    const { server, alice, bob, id, both } = await pair();
    const m = await alice.send(id, "hello");
    await both();
    server.offline = true;
    await bob.react(id, refOf(m), "🙏");
    await bob.sync.syncNow();
    expect((await messageViews(bob.db, id))[0]?.reactions.map((r) => r.emoji)).toEqual(["🙏"]);
    server.offline = false;
    await both();
    await both();
    expect(server.conversations.get(id)!.messages.length).toBe(2);
    expect(await seen(alice, id)).toEqual([{ text: "hello", edited: false, reactions: ["🙏1:bob"] }]);
  });

  test("a pending reaction sealed again under a new epoch stays a reaction", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "hello");
    await both();
    // Queued without posting (what bob.react does before the outbox runs), then refused as stale.
    const r = await queueContent(bob.ctx, id, { kind: "reaction", to: refOf(m), emoji: "👍" });
    expect(await resealPending(bob.ctx, id, r.counter)).toBe(1);
    const row = await getMessage(bob.db, id, r.clientMessageId);
    expect([row?.kindNumber, row?.emoji, row?.status]).toEqual([3, "👍", "pending"]);
    expect(row?.envelope).not.toEqual(r.envelope);
    await both();
    expect(await seen(alice, id)).toEqual([{ text: "hello", edited: false, reactions: ["👍1:bob"] }]);
  });

  test("a reaction re-makes only the view of the message it is on: the others stay the same objects", async () => {
    const { alice, bob, id, both } = await pair();
    const a = await alice.send(id, "one");
    const b = await alice.send(id, "two");
    await both();
    const before = await messageViews(bob.db, id);
    await bob.react(id, refOf(b), "👍");
    const after = await messageViews(bob.db, id);
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1]?.reactions.map((r) => r.emoji)).toEqual(["👍"]);
    // A row changed in the store (deleted for everyone) is read, parsed and folded anew.
    await alice.deleteForEveryone(id, refOf(a));
    await both();
    expect((await messageViews(bob.db, id)).map((v) => v.text)).toEqual([DELETED_TEXT, "two"]);
  });

  test("a reaction changed and a message edited many times leave one live row each, on the sender's device and the receiver's", async () => {
    const { alice, bob, id, both } = await pair();
    const m = await alice.send(id, "draft");
    await both();
    for (const emoji of ["👍", "❤️", "😂", "👍"]) await bob.react(id, refOf(m), emoji);
    for (const text of ["draft 2", "draft 3", "final"]) await alice.edit(id, refOf(m), text);
    await both();
    for (const c of [alice, bob]) {
      const live = await c.db.messages.where("[liveIn+clientMessageId]").between([id, ""], [id, "\uffff"]).toArray();
      expect(live.map((r) => r.kindNumber ?? 1).sort()).toEqual([1, 3, 4]);
      const all = await c.db.messages.where("conversationId").equals(id).toArray();
      expect(all.length).toBe(8);
      // The superseded edits' texts are gone from the store, not only hidden.
      expect(all.map((r) => r.text).filter((t) => t.startsWith("draft "))).toEqual([]);
    }
    const expected = [{ text: "final", edited: true, reactions: ["👍1:bob"] }];
    expect(await seen(alice, id)).toEqual(expected);
  });

  test("a device that loads the history anew ends in the same state, rejected count included", async () => {
    const { alice, bob, id, both } = await pair();
    const a = await alice.send(id, "one");
    const b = await alice.send(id, "two");
    await both();
    await bob.reply(id, refOf(a), "re one");
    await bob.react(id, refOf(b), "👍");
    await alice.edit(id, refOf(b), "two, edited");
    await queueContent(bob.ctx, id, { kind: "edit", to: refOf(a), text: "forged" });
    await both();
    await alice.deleteForEveryone(id, refOf(a));
    await bob.react(id, refOf(b), "❤️");
    await both();
    const first = { views: await seen(alice, id), rejected: (await conversationView(alice.db, id))?.rejected, store: await stored(alice, id) };
    const db = alice.db;
    await db.transaction("rw", [db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs], async () => {
      for (const t of [db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs]) await t.clear();
    });
    await alice.sync.syncNow();
    expect({ views: await seen(alice, id), rejected: (await conversationView(alice.db, id))?.rejected, store: await stored(alice, id) }).toEqual(first);
    expect(first.views).toEqual([
      { text: DELETED_TEXT, edited: false, reactions: [] },
      { text: "two, edited", edited: true, reactions: ["❤️1:bob"] },
      { text: "re one", edited: false, reactions: [], quote: "deleted" },
    ]);
    expect(first.rejected).toBe(1);
  });
});

describe("refused against a sender that builds its own envelopes", () => {
  async function setting() {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = new LyingServer();
    const alice = await registerNodeAccount(server, "alice");
    const bob = clientOn(server);
    await bob.signUp("bob");
    const id = await bob.startChat(alice.username);
    const { as, epoch } = await makesDirectEpoch(server, alice, genesisDevice(alice), alice.state, id, "bob", 1);
    return { bob, id, as, epoch, server };
  }

  test("a reaction whose target comes later (a larger seq) is refused; the target shows without it", async () => {
    const s = await setting();
    const later = ClientMessageId.fromBytes(new Uint8Array(16).fill(7));
    const to = { deviceId: s.as.deviceId, clientMessageId: later };
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "", { body: { kind: "reaction", sentAt: 1, to, emoji: "👍" } })).bytes);
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "the target", { header: { clientMessageId: later } })).bytes);
    await s.bob.sync.syncNow();
    expect(await seen(s.bob, s.id)).toEqual([{ text: "the target", edited: false, reactions: [] }]);
    expect((await conversationView(s.bob.db, s.id))?.rejected).toBe(1);
  });

  test("an edit and a reaction after a delete in the same page are ignored, not counted, and keep no text", async () => {
    const s = await setting();
    const target = await makeEnvelope(s.as, s.epoch, "to be deleted");
    const to = { deviceId: s.as.deviceId, clientMessageId: target.clientMessageId };
    serverStores(s.server, s.id, target.bytes);
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "", { body: { kind: "edit", sentAt: 2, to, text: "edit before" } })).bytes);
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "", { body: { kind: "delete", sentAt: 3, to } })).bytes);
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "", { body: { kind: "edit", sentAt: 4, to, text: "edit after" } })).bytes);
    serverStores(s.server, s.id, (await makeEnvelope(s.as, s.epoch, "", { body: { kind: "reaction", sentAt: 5, to, emoji: "👍" } })).bytes);
    await s.bob.sync.syncNow();
    expect(await seen(s.bob, s.id)).toEqual([{ text: DELETED_TEXT, edited: false, reactions: [] }]);
    expect((await conversationView(s.bob.db, s.id))?.rejected).toBe(0);
    expect(await stored(s.bob, s.id)).toEqual({ texts: [], envelopeSeqs: [3, 5] });
  });
});
