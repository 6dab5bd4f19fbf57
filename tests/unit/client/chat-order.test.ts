import { describe, expect, it } from "vitest";
import { hiddenByBlock, orderChats, staysArchived } from "../../../web/src/client/chats/chat-order.js";

const chat = (id: string, updatedAt: number, o: { pinOrder?: number; archived?: boolean } = {}) => ({ id, updatedAt, ...o });
const ids = (cs: readonly { id: string }[]) => cs.map((c) => c.id);

describe("chat list order", () => {
  it("puts pinned chats first in pin order, then the rest newest first", () => {
    const { main, archived } = orderChats([chat("old", 1), chat("new", 9), chat("pin2", 2, { pinOrder: 7 }), chat("pin1", 3, { pinOrder: 4 }), chat("mid", 5)]);
    expect(ids(main)).toEqual(["pin1", "pin2", "new", "mid", "old"]);
    expect(archived).toEqual([]);
  });

  it("takes archived chats out of the main list, newest first, ignoring pins", () => {
    const { main, archived } = orderChats([chat("a", 1, { archived: true }), chat("b", 5), chat("c", 3, { archived: true, pinOrder: 1 })]);
    expect(ids(main)).toEqual(["b"]);
    expect(ids(archived)).toEqual(["c", "a"]);
  });

  it("keeps an archived chat archived until someone else writes, then only if muted", () => {
    expect(staysArchived(undefined, 10, false)).toBe(false);
    expect(staysArchived(10, undefined, false)).toBe(true);
    expect(staysArchived(10, 10, false)).toBe(true);
    expect(staysArchived(10, 11, false)).toBe(false);
    expect(staysArchived(10, 11, true)).toBe(true);
  });

  it("hides a blocked peer's messages after the block and within earlier blocks only", () => {
    const p = { blockedSince: 20, hidden: [{ after: 5, upTo: 8 }] };
    expect([4, 5, 6, 8, 9, 20, 21].map((s) => hiddenByBlock(s, p))).toEqual([false, false, true, true, false, false, true]);
    expect(hiddenByBlock(undefined, p)).toBe(false);
    expect(hiddenByBlock(30, {})).toBe(false);
  });
});
