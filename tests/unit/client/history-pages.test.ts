import { expect, test } from "vitest";
import { FakeServer, chatBetween } from "./helpers.js";
import { messageViews } from "../../../web/src/client/views/views.js";

// receive.ts stores each fetched page (200 messages) in one transaction with its writes queued and put in
// bulk. A history of several pages must arrive whole and in order: an await inside that transaction that
// makes no IndexedDB request lets Dexie lose the transaction, and the second page was lost that way once.
test("a history of more than two pages arrives whole and in order on a device that loads it anew", async () => {
  const server = new FakeServer();
  const { alice, bob, id } = await chatBetween(server);
  const count = 2 * 200 + 7;
  for (let i = 0; i < count; i++) await alice.send(id, `m${i}`);
  await alice.sync.syncNow();
  await bob.sync.syncNow();
  const views = await messageViews(bob.ctx.db, id);
  expect(views.map((v) => v.text)).toEqual(Array.from({ length: count }, (_, i) => `m${i}`));
}, 120_000);
