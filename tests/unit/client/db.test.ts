import { describe, expect, test } from "vitest";
import { getConversation, getCursor, listConversations, putConversation } from "../../../web/src/client/store/db.js";
import { isClientError } from "../../../web/src/client/errors.js";
import { freshDb } from "./helpers.js";

const conv = { kind: "direct", id: "AAAAAAAAAAAAAAAAAAAAAA", peer: "B".repeat(42) + "A", createdAt: 1, lastSeq: 0, updatedAt: 5, rejected: 0 } as const;

describe("stored rows", () => {
  test("round-trip through their schema", async () => {
    const db = freshDb();
    await putConversation(db, conv as never);
    expect(await getConversation(db, conv.id as never)).toEqual(conv);
    expect(await getCursor(db, conv.id as never)).toBe(0);
  });

  test("a row changed behind the client's back reads as a corrupt store, naming the field", async () => {
    const db = freshDb();
    await db.conversations.put({ ...conv, peer: "not an account id" } as never);
    const err = await getConversation(db, conv.id as never).catch((e: unknown) => e);
    expect(isClientError(err, "corrupt_store")).toBe(true);
    expect(String(err)).toContain("peer");
  });

  test("conversations list newest first", async () => {
    const db = freshDb();
    await putConversation(db, conv as never);
    await putConversation(db, { ...conv, id: "BBBBBBBBBBBBBBBBBBBBBA", updatedAt: 9 } as never);
    expect((await listConversations(db)).map((c) => c.updatedAt)).toEqual([9, 5]);
  });
});
