import { afterEach, describe, expect, test, vi } from "vitest";
import { ClientMessageId, DeviceId, Writer, encodeBodyFrame, utf8, type ConversationId, type KnownContent, type MessageRef } from "../../../protocol/index.js";
import { NEEDS_NEWER_VERSION, conversationView, messageViews } from "../../../web/src/client/views/views.js";
import { makeEnvelope } from "../../support/conversation.js";
import { genesisDevice } from "../../support/device-log.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { makesDirectEpoch, registerNodeAccount, serverStores } from "./node-account.js";

// The content model on the receiving side (docs/PROTOCOL.md "Message content"): a kind this version does
// not know is a message from a newer app, shown as such and kept in the sender's chain; the known kinds
// other than text are decoded and checked now (their behaviour comes later) and a malformed one is refused.

afterEach(() => vi.restoreAllMocks());

async function setting() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new LyingServer();
  const alice = await registerNodeAccount(server, "alice");
  const bob = clientOn(server);
  await bob.signUp("bob");
  const id = await bob.startChat(alice.username);
  const { as, epoch } = await makesDirectEpoch(server, alice, genesisDevice(alice), alice.state, id, "bob", 1);
  const send = async (text: string, body?: KnownContent | Uint8Array) => serverStores(server, id, (await makeEnvelope(as, epoch, text, body ? { body } : {})).bytes);
  const ref: MessageRef = { deviceId: DeviceId.fromBytes(new Uint8Array(16).fill(1)), clientMessageId: ClientMessageId.fromBytes(new Uint8Array(16).fill(2)) };
  return { server, alice, bob, id, send, ref };
}

async function shown(c: ReturnType<typeof clientOn>, id: ConversationId) {
  const view = await conversationView(c.db, id);
  return {
    rejected: view?.rejected,
    last: view?.last?.text,
    messages: (await messageViews(c.db, id)).map((m) => ({ content: m.content, text: m.text, gap: m.missingBefore, broken: m.chainBroken })),
  };
}

const text = (t: string) => ({ content: "text", text: t, gap: 0, broken: false });
const placeholder = { content: "unsupported", text: NEEDS_NEWER_VERSION, gap: 0, broken: false };
const ref32 = new Uint8Array(32).fill(3);

describe("a message of a kind this version does not know", () => {
  test("is shown as 'needs a newer version', not refused, and the chat continues with no gap", async () => {
    const s = await setting();
    await s.send("before");
    await s.send("", encodeBodyFrame(200, Date.now(), utf8("a payload only a newer app reads")));
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 0, last: NEEDS_NEWER_VERSION, messages: [text("before"), placeholder] });
    await s.send("after");
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 0, last: "after", messages: [text("before"), placeholder, text("after")] });
  });

  test("with an empty payload (kind 10), and kind 255, the same", async () => {
    const s = await setting();
    await s.send("", encodeBodyFrame(10, 1, new Uint8Array(0)));
    await s.send("", encodeBodyFrame(255, 2, new Uint8Array(300)));
    await s.send("after");
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 0, last: "after", messages: [placeholder, placeholder, text("after")] });
  });

  test("a device that loads the history anew shows the same", async () => {
    const s = await setting();
    await s.send("before");
    await s.send("", encodeBodyFrame(200, Date.now(), utf8("newer")));
    await s.send("after");
    await s.bob.sync.syncNow();
    const first = await shown(s.bob, s.id);
    const db = s.bob.db;
    await db.transaction("rw", [db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs], async () => {
      for (const t of [db.conversations, db.messages, db.envelopes, db.chains, db.cursors, db.epochs]) await t.clear();
    });
    const again = clientOn(s.server, db);
    await again.sync.syncNow();
    expect(await shown(again, s.id)).toEqual(first);
    expect(first.messages).toEqual([text("before"), placeholder, text("after")]);
  });
});

describe("the known kinds other than text", () => {
  test("are decoded and applied: a reply to a message not held here shows, actions on it are refused, a receipt is no bubble", async () => {
    const s = await setting();
    const sentAt = Date.now();
    await s.send("", { kind: "reply", sentAt, to: s.ref, text: "a reply" });
    await s.send("", { kind: "reaction", sentAt, to: s.ref, emoji: "👍🏽" });
    await s.send("", { kind: "reaction", sentAt, to: s.ref, emoji: null });
    await s.send("", { kind: "edit", sentAt, to: s.ref, text: "edited" });
    await s.send("", { kind: "delete", sentAt, to: s.ref });
    // Receipts are implemented (never bubbles, checked against the rows): tests/unit/client/receipts.test.ts.
    await s.send("after");
    await s.bob.sync.syncNow();
    // The reply stays (its quote says the original is not available); the two reactions, the edit and
    // the delete name a message Bob does not hold, so they are refused (message-fold.test.ts has the rules).
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 4, last: "after", messages: [text("a reply"), text("after")] });
    expect((await messageViews(s.bob.db, s.id))[0]?.replyTo).toEqual({ state: "unavailable", key: s.ref.clientMessageId });
  });

  test("a malformed one is refused and counted; the view goes on, showing the gap it leaves", async () => {
    const s = await setting();
    const reaction = (action: number, emoji: string) => new Writer().fixed(ref32, 32).u8(action).str(emoji).finish();
    await s.send("before");
    await s.send("", encodeBodyFrame(3, 1, reaction(1, "👍".repeat(17)))); // 68 bytes: over the byte bound
    await s.send("", encodeBodyFrame(3, 1, reaction(1, "👍👎"))); // two graphemes
    await s.send("", encodeBodyFrame(3, 1, reaction(1, "a"))); // not an emoji
    await s.send("", encodeBodyFrame(3, 1, reaction(9, "👍"))); // no such action
    await s.send("", encodeBodyFrame(2, 1, new Writer().fixed(ref32, 32).str("reply").u8(0).finish())); // trailing byte
    await s.send("", encodeBodyFrame(6, 1, new Writer().u8(2).u64(0).fixed(ref32, 32).finish())); // position 0
    await s.send("", new Writer().u8(2).u8(1).u64(1).str("body version 2").finish());
    await s.send("after");
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 7, last: "after", messages: [text("before"), { ...text("after"), gap: 7 }] });
  });

  test("a text with a malformed mention list (kind 8) is refused and counted like any malformed known kind", async () => {
    const s = await setting();
    const mention = (start: number, length: number) => new Writer().fixed(new Uint8Array(32).fill(4), 32).u16(start).u16(length).finish();
    const mentioned = (count: number, ...ms: Uint8Array[]) => {
      const w = new Writer().u8(1).vbytes(utf8("hi @bob")).u8(count);
      for (const m of ms) w.fixed(m, m.length);
      return encodeBodyFrame(8, 1, w.finish());
    };
    await s.send("before");
    await s.send("", mentioned(1, mention(3, 9))); // past the end of the text
    await s.send("", mentioned(2, mention(3, 4), mention(4, 2))); // overlapping
    await s.send("", mentioned(0)); // an empty list
    await s.send("", { kind: "text", sentAt: Date.now(), text: "hi @bob", mentions: [{ accountId: s.alice.accountId, start: 3, length: 4 }] });
    await s.bob.sync.syncNow();
    expect(await shown(s.bob, s.id)).toEqual({ rejected: 3, last: "hi @bob", messages: [text("before"), { ...text("hi @bob"), gap: 3 }] });
  });
});
