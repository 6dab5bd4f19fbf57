import fc from "fast-check";
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Dexie } from "dexie";
import { describe, expect, test } from "vitest";
import { AccountId, ClientMessageId, ContentKind, ConversationId, DeviceId } from "../../../protocol/index.js";
import { putMessage, type SealedDb } from "../../../web/src/client/store/db.js";
import { messageRow, parseRows, type MessageRow } from "../../../web/src/client/store/rows.js";
import { applyStored, pageEffects } from "../../../web/src/client/sync/apply-content.js";
import { byTimelineOrder, foldMessages, type FoldNames } from "../../../web/src/client/views/message-fold.js";
import { memberMarks } from "../../../web/src/client/views/receipts.js";
import { unreadCount } from "../../../web/src/client/views/unread.js";
import { messageViews } from "../../../web/src/client/views/views.js";
import { freshDb } from "./helpers.js";

// Superseded rows (store/fold-keys.ts, sync/supersede.ts): a later reaction, edit or receipt mark of the
// same sender marks the earlier one superseded, and the timeline reads only the rest. Whatever order
// the rows arrive in, the live rows fold to exactly what all the rows fold to.

const conv = ConversationId.fromBytes(new Uint8Array(16).fill(4));
const alice = AccountId.fromBytes(new Uint8Array(32).fill(1));
const bob = AccountId.fromBytes(new Uint8Array(32).fill(2));
const devices = { [alice]: DeviceId.fromBytes(new Uint8Array(16).fill(1)), [bob]: DeviceId.fromBytes(new Uint8Array(16).fill(2)) };

function row(seq: number, sender: AccountId, fields: Partial<MessageRow> = {}): MessageRow {
  const id = new Uint8Array(16);
  new DataView(id.buffer).setUint32(0, seq);
  return { conversationId: conv, clientMessageId: ClientMessageId.fromBytes(id), seq, senderAccountId: sender, senderDeviceId: devices[sender]!, counter: seq, text: "", sentAt: seq, status: "sent", ...fields };
}
const refTo = (r: MessageRow) => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

/** Stores rows one by one as receive.ts does: each put, then applied, in a transaction. */
async function arrive(db: SealedDb, rows: readonly MessageRow[]): Promise<void> {
  for (const r of rows) {
    await db.transaction("rw", [db.messages, db.envelopes], async () => {
      await putMessage(db, r);
      await applyStored(db, r, true, pageEffects(), 1);
    });
  }
}

async function liveRows(db: SealedDb): Promise<MessageRow[]> {
  const raw = await db.messages.where("[liveIn+clientMessageId]").between([conv, Dexie.minKey], [conv, Dexie.maxKey]).toArray();
  return parseRows(messageRow, "messages", raw).sort(byTimelineOrder);
}

const names: FoldNames = { me: alice, nameOf: (id) => (id === alice ? "alice" : "bob") };
const members = new Map([[bob, "bob"]]);
/** What the timeline shows of rows: the folded bubbles, and Bob's marks. */
const shown = (rows: readonly MessageRow[]) => ({
  bubbles: foldMessages([...rows].sort(byTimelineOrder), names).map((v) => ({ text: v.text, edited: v.edited, reactions: v.reactions })),
  marks: memberMarks(rows, members, true),
});

/** A history: four messages, then actions on them (by either account) and Bob's receipt marks. */
const history = fc
  .array(
    fc.record({
      kind: fc.constantFrom("reaction", "edit", "receipt"),
      byBob: fc.boolean(),
      target: fc.nat(3),
      emoji: fc.constantFrom("👍", "❤️", null),
      read: fc.boolean(),
      position: fc.integer({ min: 1, max: 4 }),
    }),
    { minLength: 1, maxLength: 40 },
  )
  .map((actions) => {
    const bubbles = [row(1, alice, { text: "a1" }), row(2, bob, { text: "b1" }), row(3, alice, { text: "a2" }), row(4, bob, { text: "b2" })];
    const rows = actions.map((a, i) => {
      const seq = 5 + i;
      const sender = a.byBob ? bob : alice;
      const target = bubbles[a.target]!;
      if (a.kind === "reaction") return row(seq, sender, { kindNumber: ContentKind.reaction, ref: refTo(target), emoji: a.emoji });
      if (a.kind === "edit") return row(seq, sender, { kindNumber: ContentKind.edit, ref: refTo(target), text: `edit ${seq}` });
      const at = a.position <= 4 ? bubbles[a.position - 1]! : target;
      return row(seq, bob, { kindNumber: ContentKind.receipt, ref: refTo(at), receipt: { mark: a.read ? "read" : "delivered", position: a.position } });
    });
    return [...bubbles, ...rows];
  });

describe("superseded rows", () => {
  test("in any arrival order, the live rows show what all rows show, and at most one live row per sender, kind and target", async () => {
    await fc.assert(
      fc.asyncProperty(history, fc.infiniteStream(fc.nat()), async (rows, picks) => {
        // Bubbles first (an action whose target is missing is refused on arrival), then the rest shuffled.
        const rest = rows.slice(4);
        const order: MessageRow[] = [];
        const it = picks[Symbol.iterator]();
        while (rest.length) order.push(rest.splice(it.next().value % rest.length, 1)[0]!);
        const db = freshDb();
        await arrive(db, [...rows.slice(0, 4), ...order]);
        const live = await liveRows(db);
        expect(shown(live)).toEqual(shown(rows));
        const topics = live.filter((r) => r.kindNumber !== undefined).map((r) => `${r.kindNumber} ${r.senderAccountId} ${r.receipt?.mark ?? r.ref?.clientMessageId}`);
        expect(new Set(topics).size).toBe(topics.length);
        db.close();
      }),
      { numRuns: 40 },
    );
  });

  test("1,000 reactions and edits to one message leave two live rows, and the chat's view reads only the live ones", async () => {
    const db = freshDb();
    const m = row(1, alice, { text: "hello" });
    const changes = Array.from({ length: 1_000 }, (_, i) =>
      i % 2 ? row(2 + i, alice, { kindNumber: ContentKind.edit, ref: refTo(m), text: `hello ${i}` }) : row(2 + i, bob, { kindNumber: ContentKind.reaction, ref: refTo(m), emoji: i % 4 ? "👍" : "❤️" }),
    );
    await arrive(db, [m, ...changes]);
    expect((await liveRows(db)).map((r) => r.kindNumber ?? 1)).toEqual([1, ContentKind.reaction, ContentKind.edit]);
    // Every row is still stored (the chain and reused-id checks need them); superseded edits keep no text.
    const all = parseRows(messageRow, "messages", await db.messages.where("conversationId").equals(conv).toArray());
    expect(all.length).toBe(1_001);
    expect(all.filter((r) => r.superseded && r.text !== "")).toEqual([]);
    const views = await messageViews(db, conv);
    expect(views.map((v) => [v.text, v.edited, v.reactions.map((r) => r.emoji)])).toEqual([["hello 999", true, ["👍"]]]);
    // Unread and receipts walk bubbles by [shownIn+seq]: the one bubble, none of the 1,000 changes.
    const bubbles = await db.messages.where("[shownIn+seq]").between([conv, Dexie.minKey], [conv, Dexie.maxKey]).toArray();
    expect(bubbles.map((r) => r.text)).toEqual(["hello"]);
    expect(await unreadCount(db, { kind: "direct", id: conv, peer: bob, createdAt: 0, lastSeq: 1001, updatedAt: 0, rejected: 0, readUpTo: 0 }, bob)).toBe(1);
  });

  test("upgrading from version 4 marks what earlier rows superseded, and the timeline stays the same", async () => {
    const name = `sealed-supersede-upgrade-${process.pid}`;
    const v4 = new Dexie(name, { indexedDB, IDBKeyRange });
    v4.version(4).stores({ messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen" });
    const m = row(1, alice, { text: "hello" });
    const rows = [m, row(2, bob, { kindNumber: ContentKind.reaction, ref: refTo(m), emoji: "👍" }), row(3, alice, { kindNumber: ContentKind.edit, ref: refTo(m), text: "hi" }), row(4, bob, { kindNumber: ContentKind.reaction, ref: refTo(m), emoji: "❤️" }), row(5, alice, { kindNumber: ContentKind.edit, ref: refTo(m), text: "hi!" })];
    await v4.table("messages").bulkPut([...rows].reverse());
    v4.close();

    const db = freshDb(name);
    await db.open();
    // Upgraded all the way: to the version a new database opens at.
    const latest = freshDb();
    await latest.open();
    expect(db.verno).toBe(latest.verno);
    expect(db.verno).toBeGreaterThan(4);
    latest.close();
    expect((await liveRows(db)).map((r) => r.seq)).toEqual([1, 4, 5]);
    expect(shown(await liveRows(db))).toEqual(shown(rows));
    db.close();
  });
});
