import { Dexie, liveQuery } from "dexie";
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { describe, expect, test } from "vitest";
import { AccountId, ClientMessageId, ContentKind, ConversationId, DeviceId } from "../../../protocol/index.js";
import { putMessages, type SealedDb } from "../../../web/src/client/store/db.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { timelineWindow, WINDOW_HALF, WINDOW_NEWEST, type WindowRange } from "../../../web/src/client/views/timeline-window.js";
import { timelineViews, type MessageView, type TimelineItem } from "../../../web/src/client/views/views.js";
import { freshDb } from "./helpers.js";

// The window of a chat an open chat holds (views/timeline-window.ts): whatever part is read, it is
// exactly that part of the whole timeline (reactions, edits, deletes and quotes from outside it
// included), and it says truly where it stands in the whole.

const conv = ConversationId.fromBytes(new Uint8Array(16).fill(7));
const alice = AccountId.fromBytes(new Uint8Array(32).fill(1));
const bob = AccountId.fromBytes(new Uint8Array(32).fill(2));
const device = DeviceId.fromBytes(new Uint8Array(16).fill(1));
let n = 0;
let seq = 0;
function row(fields: Partial<MessageRow> = {}): MessageRow {
  n++;
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, n);
  seq++;
  return { conversationId: conv, clientMessageId: ClientMessageId.fromBytes(id), seq, senderAccountId: seq % 3 ? alice : bob, senderDeviceId: device, counter: seq, text: `m ${seq}`, sentAt: seq * 1000, status: "sent", ...fields };
}
const refTo = (r: MessageRow) => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

const BUBBLES = 1_000;

/** A chat of BUBBLES messages with changes to old and new ones made late, a reply far back, and one unsent. */
async function longChat(db: SealedDb): Promise<MessageRow[]> {
  const bubbles: MessageRow[] = [];
  const rows: MessageRow[] = [];
  for (let i = 0; i < BUBBLES; i++) {
    const b = row();
    bubbles.push(b);
    rows.push(b);
    // A reaction to the message ten back, now and then: actions inside every window.
    if (i % 50 === 10) rows.push(row({ kindNumber: ContentKind.reaction, ref: refTo(bubbles[i - 10]!), emoji: "👍", text: "" }));
    if (i === 500) rows.push(row({ kindNumber: ContentKind.delete, ref: refTo(bubbles[300]!), senderAccountId: bubbles[300]!.senderAccountId, text: "" }));
  }
  const first = bubbles[0]!;
  const second = bubbles[1]!;
  rows.push(
    // Changes made long after the messages they change: outside any window that holds those messages.
    row({ kindNumber: ContentKind.reaction, ref: refTo(bubbles[4]!), emoji: "❤️", text: "" }),
    row({ kindNumber: ContentKind.edit, ref: refTo(second), senderAccountId: second.senderAccountId, text: "m 2, edited" }),
    row({ kindNumber: ContentKind.edit, ref: refTo(bubbles[600]!), senderAccountId: bubbles[600]!.senderAccountId, text: "m 600, edited" }),
    // A reply at the newest end quoting the very first message.
    row({ kindNumber: ContentKind.reply, ref: refTo(first), text: "about the first one" }),
    row({ kindNumber: ContentKind.reply, ref: refTo(second), text: "about the second one" }),
  );
  const { seq: _seq, ...unsent } = row({ text: "not sent yet", status: "pending" });
  rows.push(unsent);
  await putMessages(db, rows);
  return bubbles;
}

const shape = (it: TimelineItem) => (it.kind === "message" ? { key: it.key, text: it.text, edited: it.edited, deleted: it.deleted, reactions: it.reactions, replyTo: it.replyTo, status: it.status } : it);

async function expectSlice(db: SealedDb, whole: readonly TimelineItem[], range: WindowRange) {
  const w = await timelineWindow(db, conv, range);
  expect(w.total, JSON.stringify(range)).toBe(whole.length);
  expect(w.items.map(shape), JSON.stringify(range)).toEqual(whole.slice(w.offset, w.offset + w.items.length).map(shape));
  expect(w.hasNewer).toBe(w.offset + w.items.length < whole.length);
  return w;
}

describe("the window an open chat holds", () => {
  test("is exactly its part of the whole timeline, wherever it stands", async () => {
    const db = freshDb();
    const bubbles = await longChat(db);
    const whole = await timelineViews(db, conv);
    expect(whole.length).toBe(BUBBLES + 3);

    const newest = await expectSlice(db, whole, { at: "newest" });
    expect(newest.items.length).toBe(WINDOW_NEWEST + 1); // and the unsent one
    expect(newest.hasNewer).toBe(false);
    const last = newest.items.at(-1) as MessageView;
    expect(last.text).toBe("not sent yet");
    // The quotes of messages far outside the window are read by key, edited as they now are.
    const quotes = newest.items.filter((it): it is MessageView => it.kind === "message" && it.replyTo !== undefined).map((m) => m.replyTo);
    expect(quotes).toEqual([
      { state: "shown", key: bubbles[0]!.clientMessageId, senderName: "unknown", mine: false, text: "m 1" },
      { state: "shown", key: bubbles[1]!.clientMessageId, senderName: "unknown", mine: false, text: "m 2, edited" },
    ]);
    // Never the quoted messages themselves.
    expect(newest.items.some((it) => it.key === bubbles[0]!.clientMessageId)).toBe(false);

    // The oldest: a reaction and an edit stored at the newest end apply here too; no unsent message.
    const oldest = await expectSlice(db, whole, { at: "around", seq: bubbles[0]!.seq! });
    expect(oldest.offset).toBe(0);
    expect(oldest.items.length).toBe(WINDOW_HALF + 1); // the message itself and WINDOW_HALF after it
    expect(oldest.hasNewer).toBe(true);
    const fifth = oldest.items[4] as MessageView;
    expect(fifth.reactions.map((r) => r.emoji)).toEqual(["❤️"]);
    expect((oldest.items[1] as MessageView).text).toBe("m 2, edited");

    for (const at of [50, 299, 300, 301, 600, 799, 800, 990]) {
      const w = await expectSlice(db, whole, { at: "around", seq: bubbles[at]!.seq! });
      expect(w.items.some((it) => it.key === bubbles[at]!.clientMessageId)).toBe(true);
    }
    // Around one of the newest: it reaches the newest, and holds the unsent message too.
    const end = await expectSlice(db, whole, { at: "around", seq: bubbles[BUBBLES - 5]!.seq! });
    expect(end.hasNewer).toBe(false);
    expect((end.items.at(-1) as MessageView).text).toBe("not sent yet");
  }, 60_000);

  test("follows a new message at the newest, and counts it from a window far up", async () => {
    const db = freshDb();
    const bubbles = await longChat(db);
    const up = await timelineWindow(db, conv, { at: "around", seq: bubbles[100]!.seq! });
    await putMessages(db, [row({ text: "just in" })]);
    const whole = await timelineViews(db, conv);
    const upAgain = await expectSlice(db, whole, { at: "around", seq: bubbles[100]!.seq! });
    expect(upAgain.total).toBe(up.total + 1);
    expect(upAgain.items.map((it) => it.key)).toEqual(up.items.map((it) => it.key));
    const newest = await expectSlice(db, whole, { at: "newest" });
    expect(newest.items.map((it) => (it.kind === "message" ? it.text : "")).slice(-2)).toEqual(["just in", "not sent yet"]);
  }, 60_000);

  test("leaves out and does not count what 'Delete chat' removed, and an empty chat is empty", async () => {
    const db = freshDb();
    const bubbles = await longChat(db);
    await db.chatPrefs.put({ conversationId: conv, deletedUpTo: bubbles[700]!.seq! });
    const whole = await timelineViews(db, conv);
    expect(whole.length).toBe(BUBBLES - 701 + 3);
    const w = await expectSlice(db, whole, { at: "around", seq: bubbles[100]!.seq! });
    expect(w.offset).toBe(0);
    await expectSlice(db, whole, { at: "newest" });
    const empty = await timelineWindow(freshDb(), conv, { at: "newest" });
    expect(empty).toEqual({ items: [], offset: 0, total: 0, hasNewer: false, unsentNotHeld: 0 });
  }, 60_000);
});

// The window's reads start together (Promise.all) rather than one after another: the live query of an open
// chat must still follow every one of them, or a change to what only one of them read would never show.
describe("the window as a live query", () => {
  test("follows a reaction, an edit of a quoted message, an unsent message and 'Delete chat', each read by a different index", async () => {
    const db = freshDb();
    const bubbles = await longChat(db);
    const seen: Awaited<ReturnType<typeof timelineWindow>>[] = [];
    const deps = { ...Dexie.dependencies };
    Object.assign(Dexie.dependencies, { indexedDB, IDBKeyRange });
    const newest = liveQuery(() => timelineWindow(db, conv, { at: "newest" })).subscribe({ next: (w) => seen.push(w) });
    const farUp: Awaited<ReturnType<typeof timelineWindow>>[] = [];
    const around = liveQuery(() => timelineWindow(db, conv, { at: "around", seq: bubbles[500]!.seq! })).subscribe({ next: (w) => farUp.push(w) });
    const last = () => seen.at(-1);
    const message = (w: Awaited<ReturnType<typeof timelineWindow>> | undefined, key: string) => w?.items.find((it): it is MessageView => it.kind === "message" && it.key === key);
    try {
      await expect.poll(() => last()?.total).toBe(BUBBLES + 3);
      await expect.poll(() => farUp.at(-1)?.offset).toBeGreaterThan(0);
      // A reaction to a message inside the newest window ([liveIn+seq]) and to one far up, stored now ([liveIn+ref.clientMessageId]).
      const inWindow = bubbles[BUBBLES - 3]!;
      await putMessages(db, [row({ kindNumber: ContentKind.reaction, ref: refTo(inWindow), emoji: "🎉", text: "" }), row({ kindNumber: ContentKind.reaction, ref: refTo(bubbles[500]!), emoji: "🔥", text: "" })]);
      await expect.poll(() => message(last(), inWindow.clientMessageId)?.reactions.map((r) => r.emoji)).toEqual(["🎉"]);
      await expect.poll(() => message(farUp.at(-1), bubbles[500]!.clientMessageId)?.reactions.map((r) => r.emoji)).toEqual(["🔥"]);
      // An edit of the first message, quoted by a reply in the newest window but outside it (read by key).
      await putMessages(db, [row({ kindNumber: ContentKind.edit, ref: refTo(bubbles[0]!), senderAccountId: bubbles[0]!.senderAccountId, text: "m 1, edited late" })]);
      await expect.poll(() => last()?.items.some((it) => it.kind === "message" && it.replyTo?.state === "shown" && it.replyTo.text === "m 1, edited late")).toBe(true);
      // A second unsent message (by `status`).
      const { seq: _seq, ...unsent } = row({ text: "also not sent", status: "failed" });
      await putMessages(db, [unsent]);
      await expect.poll(() => (last()?.items.at(-1) as MessageView | undefined)?.text).toBe("also not sent");
      // "Delete chat" (the chat's prefs, read alongside the bubbles).
      await db.chatPrefs.put({ conversationId: conv, deletedUpTo: bubbles[BUBBLES - 11]!.seq! });
      await expect.poll(() => last()?.items.filter((it) => it.kind === "message" && it.seq !== undefined && it.replyTo === undefined).length).toBe(10);
      const whole = await timelineViews(db, conv);
      expect(last()!.items.map(shape)).toEqual(whole.map(shape));
    } finally {
      newest.unsubscribe();
      around.unsubscribe();
      Object.assign(Dexie.dependencies, deps);
    }
  }, 60_000);
});
