// Unsent drafts (issue 17, "Composer"): one per chat, on this device only, bounded, and gone with the
// device's data.
import { describe, expect, test, vi } from "vitest";
import { ConversationId } from "../../../protocol/index.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { Drafts, MAX_DRAFT_CHARS, MemoryDraftStorage, type DraftStorage } from "../../../web/src/client/conversations/drafts.js";
import { freshDb } from "./helpers.js";

const alice = ConversationId.fromBytes(new Uint8Array(16).fill(1));
const bob = ConversationId.fromBytes(new Uint8Array(16).fill(2));

describe("drafts", () => {
  test("each chat keeps its own draft; an empty one is forgotten", () => {
    const storage = new MemoryDraftStorage();
    const drafts = new Drafts(storage);
    expect(drafts.get(alice)).toBe("");
    drafts.set(alice, "for Alice\nsecond line");
    drafts.set(bob, "for Bob");
    expect(drafts.get(alice)).toBe("for Alice\nsecond line");
    expect(drafts.get(bob)).toBe("for Bob");
    drafts.set(alice, "");
    expect(drafts.get(alice)).toBe("");
    expect(storage.length).toBe(1);
  });

  test("survive a new Drafts over the same storage (a reload)", () => {
    const storage = new MemoryDraftStorage();
    new Drafts(storage).set(bob, "still here");
    expect(new Drafts(storage).get(bob)).toBe("still here");
  });

  test("a draft longer than the bound is cut, also when something else stored it", () => {
    const storage = new MemoryDraftStorage();
    const drafts = new Drafts(storage);
    drafts.set(alice, "x".repeat(MAX_DRAFT_CHARS + 10));
    expect(drafts.get(alice)).toHaveLength(MAX_DRAFT_CHARS);
    storage.setItem(`sealed-draft:${bob}`, "y".repeat(MAX_DRAFT_CHARS * 2));
    expect(drafts.get(bob)).toHaveLength(MAX_DRAFT_CHARS);
  });

  test("a full storage keeps the previous draft and does not throw", () => {
    const storage = new MemoryDraftStorage();
    const full: DraftStorage = Object.assign(Object.create(storage) as MemoryDraftStorage, {
      setItem: () => {
        throw new Error("QuotaExceededError");
      },
    });
    storage.setItem(`sealed-draft:${alice}`, "before");
    const drafts = new Drafts(full);
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    try {
      expect(() => drafts.set(alice, "after")).not.toThrow();
      expect(warn).toHaveBeenCalledOnce();
    } finally {
      warn.mockRestore();
    }
    expect(drafts.get(alice)).toBe("before");
  });

  test("clear forgets every draft and nothing else in the storage", () => {
    const storage = new MemoryDraftStorage();
    const drafts = new Drafts(storage);
    drafts.set(alice, "a");
    drafts.set(bob, "b");
    storage.setItem("sealed-own-log-alarm", "{}");
    drafts.clear();
    expect([drafts.get(alice), drafts.get(bob)]).toEqual(["", ""]);
    expect(storage.getItem("sealed-own-log-alarm")).toBe("{}");
  });

  test("forgetting this device forgets its drafts", async () => {
    const client = new ChatClient({ db: freshDb(), origin: "http://localhost", autoSync: false, realtime: null });
    client.drafts.set(alice, "typed before the wipe");
    await client.forgetThisDevice();
    expect(client.drafts.get(alice)).toBe("");
  });
});
