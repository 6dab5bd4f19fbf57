import { describe, expect, test } from "vitest";
import { ChatControls, getChatPrefs } from "../../../web/src/client/chats/chat-controls.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { putConversation } from "../../../web/src/client/store/db.js";
import { freshDb } from "./helpers.js";

const PEER = "B".repeat(42) + "A";
const id = (n: number) => (String.fromCharCode(65 + n).repeat(21) + "A") as never;
const conv = (n: number, o: { kind?: "direct" | "group"; lastSeq?: number } = {}) =>
  o.kind === "group"
    ? { kind: "group", id: id(n), createdAt: 1, lastSeq: o.lastSeq ?? 0, updatedAt: n, rejected: 0 }
    : { kind: "direct", id: id(n), peer: PEER, createdAt: 1, lastSeq: o.lastSeq ?? 0, updatedAt: n, rejected: 0 };

async function setup(count: number, o: { kind?: "direct" | "group"; lastSeq?: number } = {}) {
  const db = freshDb();
  for (let n = 0; n < count; n++) await putConversation(db, conv(n, o) as never);
  return { db, chats: new ChatControls(db) };
}

describe("chat controls (stored on this device)", () => {
  test("pins in order, at most five; a sixth is refused; unpinning frees a place", async () => {
    const { chats } = await setup(6);
    const orders: number[] = [];
    for (let n = 0; n < 5; n++) orders.push((await chats.pin(id(n), true)).pinOrder!);
    expect(orders).toEqual([...orders].sort((a, b) => a - b));
    expect(new Set(orders).size).toBe(5);
    const err = await chats.pin(id(5), true).catch((e: unknown) => e);
    expect(isClientError(err, "too_many_pinned")).toBe(true);
    await chats.pin(id(2), false);
    expect((await chats.pin(id(5), true)).pinOrder).toBeGreaterThan(orders[4]!);
  });

  test("archiving unpins and records the newest position; marking unread and opening clear", async () => {
    const { db, chats } = await setup(1, { lastSeq: 7 });
    await chats.pin(id(0), true);
    const archived = await chats.archive(id(0), true);
    expect(archived.archivedAt).toBe(7);
    expect(archived.pinOrder).toBeUndefined();
    await chats.markUnread(id(0), true);
    expect((await getChatPrefs(db, id(0))).markedUnread).toBe(true);
    await chats.opened(id(0));
    expect((await getChatPrefs(db, id(0))).markedUnread).toBeUndefined();
  });

  test("block refuses sending and keeps the blocked span hidden after unblock; only 1:1 chats", async () => {
    const { db, chats } = await setup(1, { lastSeq: 3 });
    await chats.block(id(0), true);
    expect(isClientError(await chats.assertNotBlocked(id(0)).catch((e: unknown) => e), "chat_blocked")).toBe(true);
    const c = await db.conversations.get(id(0));
    await db.conversations.put({ ...c!, lastSeq: 9 });
    const after = await chats.block(id(0), false);
    expect(after.blockedSince).toBeUndefined();
    expect(after.hidden).toEqual([{ after: 3, upTo: 9 }]);
    await expect(chats.assertNotBlocked(id(0))).resolves.toBeUndefined();
    const g = await setup(1, { kind: "group" });
    expect(isClientError(await g.chats.block(id(0), true).catch((e: unknown) => e), "unknown_conversation")).toBe(true);
  });

  test("an unknown conversation is refused", async () => {
    const { chats } = await setup(0);
    expect(isClientError(await chats.pin(id(1), true).catch((e: unknown) => e), "unknown_conversation")).toBe(true);
  });
});
