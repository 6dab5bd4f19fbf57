import { describe, expect, test } from "vitest";
import { messageViews, type MessageView } from "../../../web/src/client/views/views.js";
import { FakeServer, chatBetween, refOf } from "./helpers.js";

const shape = (v: MessageView) => ({ key: v.key, text: v.text, edited: v.edited, deleted: v.deleted, reactions: v.reactions, status: v.status, delivery: v.delivery });

describe("the newest part of a chat (what a long chat shows first)", () => {
  test("is exactly the end of the whole timeline: reactions, edits, deletes, ticks and unsent messages included", async () => {
    const server = new FakeServer();
    const s = await chatBetween(server);
    const sent = [];
    for (let i = 0; i < 24; i++) sent.push(await (i % 2 ? s.alice : s.bob).send(s.id, `m${i}`));
    await s.both();
    // Changes to old and new messages alike, made after all of them.
    await s.alice.react(s.id, refOf(sent[2]!), "👍");
    await s.alice.react(s.id, refOf(sent[22]!), "❤️");
    await s.alice.react(s.id, refOf(sent[22]!), "😂");
    await s.bob.edit(s.id, refOf(sent[20]!), "m20 edited");
    await s.bob.deleteForEveryone(s.id, refOf(sent[18]!));
    await s.both();
    await s.alice.receipts.open(s.id);
    await s.alice.receipts.flush();
    await s.bob.receipts.flush();
    await s.both();
    server.offline = true;
    await s.bob.send(s.id, "not sent yet").catch(() => undefined);
    const whole = await messageViews(s.bob.db, s.id);
    for (const n of [1, 5, 10, 30]) {
      const newest = await messageViews(s.bob.db, s.id, { newest: n });
      const stored = whole.filter((v) => v.seq !== undefined);
      const expected = [...stored.slice(-n), ...whole.filter((v) => v.seq === undefined)];
      expect(newest.map(shape), `newest ${n}`).toEqual(expected.map(shape));
    }
    expect(whole.at(-1)?.text).toBe("not sent yet");
  });
});
