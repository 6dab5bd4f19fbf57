import { describe, expect, test } from "vitest";
import { conversationViews, messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, chatBetween, refOf } from "./helpers.js";

/** Bob's chat list entry for the chat with Alice. */
async function bobsEntry(s: Awaited<ReturnType<typeof chatBetween>>) {
  const v = (await conversationViews(s.bob.db)).find((c) => c.id === s.id);
  if (!v) throw new Error("no chat with Alice in Bob's list");
  return v;
}

describe("a blocked contact's messages in the chat list", () => {
  test("do not move the chat up, and the list keeps showing the newest message that is shown", async () => {
    const s = await chatBetween(new FakeServer());
    await s.bob.send(s.id, "hello from bob");
    await s.alice.send(s.id, "before the block");
    await s.both();
    const before = await bobsEntry(s);
    expect(before.last?.text).toBe("before the block");
    await s.bob.chats.block(s.id, true);
    await s.alice.send(s.id, "while blocked 1");
    await s.alice.send(s.id, "while blocked 2");
    await s.both();
    const after = await bobsEntry(s);
    expect(after.updatedAt).toBe(before.updatedAt);
    expect(after.last?.text).toBe("before the block");
    expect(after.unread).toBe(before.unread);
    // Bob's own message still moves it, as does Alice's once unblocked.
    await s.bob.chats.block(s.id, false);
    await s.alice.send(s.id, "after unblocking");
    await s.both();
    const unblocked = await bobsEntry(s);
    expect(unblocked.last?.text).toBe("after unblocking");
    expect(unblocked.updatedAt).toBeGreaterThan(before.updatedAt);
  });

  test("a chat whose newest messages are all hidden still shows the last one that is not", async () => {
    const s = await chatBetween(new FakeServer());
    await s.bob.send(s.id, "bob speaks last");
    await s.both();
    await s.bob.chats.block(s.id, true);
    for (let i = 0; i < 3; i++) await s.alice.send(s.id, `hidden ${i}`);
    await s.both();
    // Read once with the block in place: the cached tail must not carry over to another setting.
    expect((await bobsEntry(s)).last?.text).toBe("bob speaks last");
    expect((await bobsEntry(s)).last?.mine).toBe(true);
  });

  test("a blocked contact's reactions and edits change nothing that is shown", async () => {
    const s = await chatBetween(new FakeServer());
    const mine = await s.bob.send(s.id, "react to this");
    const theirs = await s.alice.send(s.id, "original");
    await s.both();
    await s.bob.chats.block(s.id, true);
    await s.alice.react(s.id, refOf(mine), "👍");
    await s.alice.edit(s.id, refOf(theirs), "changed while blocked");
    await s.both();
    const views = await messageViews(s.bob.db, s.id);
    expect(views.map((v) => v.text)).toEqual(["react to this", "original"]);
    expect(views[0]!.reactions).toEqual([]);
    expect(views[1]!.edited).toBe(false);
  });
});
