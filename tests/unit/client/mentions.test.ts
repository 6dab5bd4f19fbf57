import { describe, expect, test } from "vitest";
import type { AccountId, ConversationId, Mention } from "../../../protocol/index.js";
import type { PushPayload } from "../../../protocol/push.js";
import { ingestPush } from "../../../web/src/client/push/ingest.js";
import { notificationFor, notificationText, type Arrival } from "../../../web/src/client/push/notification-text.js";
import { getAccount } from "../../../web/src/client/store/db.js";
import { conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, chatBetween, refOf } from "./helpers.js";

// Mentions on the client (docs/decisions.md "Mentions"): what is stored and shown from a body with
// mentions, the last edit winning, and what a mention's notification says, muted or not.

const mention: Arrival = { kind: "mention", sender: "alice", text: "@bob lunch?" };
const message: Arrival = { kind: "message", sender: "alice", text: "lunch?" };
const chat = { chatTitle: "Team", unread: 1 };

describe("a mention's notification", () => {
  test.each([
    ["full", 1, { title: "Team", body: "alice mentioned you: @bob lunch?" }],
    ["full", 3, { title: "Team", body: "3 new messages\nalice mentioned you: @bob lunch?" }],
    ["sender", 1, { title: "Team", body: "alice mentioned you" }],
    ["sender", 2, { title: "Team", body: "2 new messages, alice mentioned you" }],
    ["none", 1, { title: "Sealed", body: "New message" }],
    ["none", 4, { title: "Sealed", body: "4 new messages" }],
  ] as const)("privacy %s, %i unread", (privacy, unread, expected) => {
    expect(notificationText(mention, { ...chat, unread, privacy })).toEqual(expected);
    // Muted or not: a mention of this account is shown all the same.
    expect(notificationFor(mention, { ...chat, unread, privacy, muted: true })).toEqual(expected);
    expect(notificationFor(mention, { ...chat, unread, privacy, muted: false })).toEqual(expected);
  });

  test("in a muted chat anything else shows nothing; unmuted it shows as before", () => {
    for (const privacy of ["full", "sender", "none"] as const) {
      for (const a of [message, { kind: "reaction", sender: "alice", emoji: "👍", target: "hi" } as const, { kind: "unreadable" } as const]) {
        expect(notificationFor(a, { ...chat, privacy, muted: true })).toBeNull();
        expect(notificationFor(a, { ...chat, privacy, muted: false })).toEqual(notificationText(a, { ...chat, privacy }));
      }
    }
  });
});

/** The push the server would send for the newest stored message of `id`. */
function pushOfNewest(server: FakeServer, id: ConversationId): PushPayload {
  const m = server.conversations.get(id)!.messages.at(-1)!;
  return { v: 1, type: "message", conversationId: id, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt };
}

async function setting() {
  const server = new FakeServer();
  const s = await chatBetween(server);
  const bobId = (await getAccount(s.bob.db))!.accountId;
  const aliceId = (await getAccount(s.alice.db))!.accountId;
  const post = async () => {
    await s.alice.sync.syncNow();
    await s.alice.sync.settled();
  };
  return { server, ...s, bobId, aliceId, post };
}

const at = (accountId: AccountId, text: string, name: string): Mention => ({ accountId, start: text.indexOf(name), length: name.length });

describe("mentions received", () => {
  test("a text naming this account arrives as a mention; one naming someone else as a message", async () => {
    const s = await setting();
    const t = "@bob lunch?";
    await s.alice.send(s.id, t, [at(s.bobId, t, "@bob")]);
    await s.post();
    expect((await ingestPush(s.bob.ctx, pushOfNewest(s.server, s.id))).arrival).toEqual({ kind: "mention", sender: "alice", text: t });
    const other = "ask @alice";
    await s.alice.send(s.id, other, [at(s.aliceId, other, "@alice")]);
    await s.post();
    expect((await ingestPush(s.bob.ctx, pushOfNewest(s.server, s.id))).arrival).toEqual({ kind: "message", sender: "alice", text: other });
  });

  test("are shown with the name this device uses, mine marked; an edit replaces them (the last edit wins)", async () => {
    const s = await setting();
    const t = "hey @Bobby and @alice";
    const sent = await s.alice.send(s.id, t, [at(s.bobId, t, "@Bobby"), at(s.aliceId, t, "@alice")]);
    await s.both();
    const view = async () => (await messageViews(s.bob.db, s.id)).map((m) => ({ text: m.text, mentions: m.mentions }));
    expect(await view()).toEqual([
      {
        text: t,
        mentions: [
          { start: 4, length: 6, accountId: s.bobId, name: "bob", me: true },
          { start: 15, length: 6, accountId: s.aliceId, name: "alice", me: false },
        ],
      },
    ]);
    // Alice's own device shows the same ranges, with herself as "me".
    expect((await messageViews(s.alice.db, s.id))[0]?.mentions?.map((m) => m.me)).toEqual([false, true]);

    await s.alice.edit(s.id, refOf(sent), "hey all");
    await s.both();
    expect(await view()).toEqual([{ text: "hey all", mentions: undefined }]);

    const again = "hey @bob";
    await s.alice.edit(s.id, refOf(sent), again, [at(s.bobId, again, "@bob")]);
    await s.both();
    expect(await view()).toEqual([{ text: again, mentions: [{ start: 4, length: 4, accountId: s.bobId, name: "bob", me: true }] }]);
  });

  test("a reply carries its mentions; a deleted message keeps none", async () => {
    const s = await setting();
    const first = await s.alice.send(s.id, "first");
    await s.both();
    const t = "@bob see above";
    const reply = await s.alice.reply(s.id, refOf(first), t, [at(s.bobId, t, "@bob")]);
    await s.both();
    expect((await messageViews(s.bob.db, s.id))[1]?.mentions).toEqual([{ start: 0, length: 4, accountId: s.bobId, name: "bob", me: true }]);
    await s.alice.deleteForEveryone(s.id, refOf(reply));
    await s.both();
    const row = await s.bob.db.messages.get([s.id, reply.clientMessageId]);
    expect([row?.text, row?.mentions, (await messageViews(s.bob.db, s.id))[1]?.mentions]).toEqual(["", undefined, undefined]);
  });
});

describe("the chat list", () => {
  test("marks a chat whose unread messages mention this account, until it is read", async () => {
    const s = await setting();
    const marked = async () => (await conversationView(s.bob.db, s.id))?.unreadMention;
    await s.alice.send(s.id, "plain");
    const other = "ask @alice";
    await s.alice.send(s.id, other, [at(s.aliceId, other, "@alice")]);
    await s.both();
    expect([(await conversationView(s.bob.db, s.id))?.unread, await marked()]).toEqual([2, undefined]);
    const t = "@bob lunch?";
    await s.alice.send(s.id, t, [at(s.bobId, t, "@bob")]);
    await s.both();
    expect([(await conversationView(s.bob.db, s.id))?.unread, await marked()]).toEqual([3, true]);
    await s.bob.receipts.open(s.id);
    await s.bob.receipts.flush();
    expect([(await conversationView(s.bob.db, s.id))?.unread, await marked()]).toEqual([0, undefined]);
  });
});
