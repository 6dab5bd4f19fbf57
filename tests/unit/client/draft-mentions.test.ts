import { describe, expect, test } from "vitest";
import { AccountId, ConversationId } from "../../../protocol/index.js";
import { DraftMentions } from "../../../web/src/client/conversations/draft-mentions.js";
import { Drafts, MemoryDraftStorage, clearDrafts } from "../../../web/src/client/conversations/drafts.js";

const chat = ConversationId.fromBytes(new Uint8Array(16).fill(1));
const other = ConversationId.fromBytes(new Uint8Array(16).fill(2));
const bob = { accountId: AccountId.fromBytes(new Uint8Array(32).fill(3)), start: 3, length: 4, text: "@bob" };

describe("a draft's mentions (client/conversations/draft-mentions.ts)", () => {
  test("are kept per chat beside the draft's text, and forgotten with []", () => {
    const storage = new MemoryDraftStorage();
    const m = new DraftMentions(storage);
    new Drafts(storage).set(chat, "hi @bob");
    m.set(chat, [bob]);
    expect(new DraftMentions(storage).get(chat)).toEqual([bob]);
    expect(m.get(other)).toEqual([]);
    // The draft's own text is untouched by them.
    expect(new Drafts(storage).get(chat)).toBe("hi @bob");
    m.set(chat, []);
    expect(m.get(chat)).toEqual([]);
    expect(storage.length).toBe(1);
  });

  test("forgetting every draft forgets their mentions too", () => {
    const storage = new MemoryDraftStorage();
    new DraftMentions(storage).set(chat, [bob]);
    clearDrafts(storage);
    expect(storage.length).toBe(0);
  });

  test.each([
    ["not JSON", "{"],
    ["not a list", JSON.stringify({ a: 1 })],
    ["a bad account id", JSON.stringify([{ ...bob, accountId: "x" }])],
    ["a negative start", JSON.stringify([{ ...bob, start: -1 }])],
    ["too many", JSON.stringify(Array.from({ length: 33 }, () => bob))],
  ])("what was written there from outside is no mention: %s", (_name, raw) => {
    const storage = new MemoryDraftStorage();
    storage.setItem(`sealed-draft:mentions:${chat}`, raw);
    expect(new DraftMentions(storage).get(chat)).toEqual([]);
  });
});
