import { describe, expect, test } from "vitest";
import { AccountId, ClientMessageId, ContentKind, ConversationId, DeviceId } from "../../../protocol/index.js";
import { putMessage } from "../../../web/src/client/store/db.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { lastBubbleRows } from "../../../web/src/client/views/last-message.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { freshDb } from "./helpers.js";

// The chat list's last message (views/last-message.ts): found back across thousands of reactions, kept
// between runs, and found again when its row changed in place.

const conv = ConversationId.fromBytes(new Uint8Array(16).fill(4));
const account = AccountId.fromBytes(new Uint8Array(32).fill(1));
const device = DeviceId.fromBytes(new Uint8Array(16).fill(1));
let n = 0;
function row(seq: number, fields: Partial<MessageRow> = {}): MessageRow {
  n++;
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, n);
  return { conversationId: conv, clientMessageId: ClientMessageId.fromBytes(id), seq, senderAccountId: account, senderDeviceId: device, counter: seq, text: "", sentAt: seq, status: "sent", ...fields };
}
const refTo = (r: MessageRow) => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });
const texts = (rows: MessageRow[]) => rows.map((r) => `${r.kindNumber ?? 1}:${r.text}`);

describe("the last bubble of a chat", () => {
  test("is found back across 1,200 reactions, with its edit; then follows new rows and in-place changes", async () => {
    const db = freshDb();
    const older = row(1, { text: "older" });
    const last = row(2, { text: "last" });
    const reactions = Array.from({ length: 1200 }, (_, i) => row(3 + i, { kindNumber: ContentKind.reaction, ref: refTo(i % 2 ? older : last), emoji: "👍" }));
    const edit = row(1203, { kindNumber: ContentKind.edit, ref: refTo(last), text: "last, edited" });
    await db.messages.bulkPut([older, last, ...reactions.slice(0, 600), edit, ...reactions.slice(600)].map((r, i) => ({ ...r, seq: i + 1 })));
    expect(texts(await lastBubbleRows(db, conv))).toEqual(["1:last", "4:last, edited"]);

    // Rows stored since: another edit of it, then a new bubble.
    await db.messages.put(row(1300, { kindNumber: ContentKind.edit, ref: refTo(last), text: "last, edited twice" }));
    expect(texts(await lastBubbleRows(db, conv))).toEqual(["1:last", "4:last, edited", "4:last, edited twice"]);
    const newest = row(1301, { text: "newest" });
    await db.messages.put(newest);
    expect(texts(await lastBubbleRows(db, conv))).toEqual(["1:newest"]);

    // Its row changed in place (tombstoned by a delete): read again, not taken from what was kept.
    await db.messages.put({ ...newest, text: "", deletedAt: 5 });
    const again = await lastBubbleRows(db, conv);
    expect(again.map((r) => [r.text, r.deletedAt])).toEqual([["", 5]]);
  });

  test("a chat with no bubble yet has none", async () => {
    const db = freshDb();
    expect(await lastBubbleRows(db, conv)).toEqual([]);
  });
});

describe("a chat's timeline", () => {
  test("reads every row of a chat longer than one read page, in server order, and only that chat's", async () => {
    const db = freshDb();
    const rows = Array.from({ length: 2_500 }, (_, i) => row(i + 1, { text: `m ${i + 1}` }));
    const other = ConversationId.fromBytes(new Uint8Array(16).fill(5));
    // Through the app's write path, which adds the index the timeline reads by (store/fold-keys.ts).
    await db.transaction("rw", db.messages, async () => {
      for (const r of [...rows].reverse()) await putMessage(db, r);
      await putMessage(db, { ...row(1, { text: "elsewhere" }), conversationId: other });
    });
    const views = await messageViews(db, conv);
    expect(views.length).toBe(2_500);
    expect(views.map((v) => v.text)).toEqual(rows.map((r) => r.text));
  });
});
