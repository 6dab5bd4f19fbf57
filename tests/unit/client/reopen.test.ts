import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Dexie } from "dexie";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { ConversationId, MessageRef } from "../../../protocol/index.js";
import { SealedDb } from "../../../web/src/client/store/db.js";
import type { MessageRow } from "../../../web/src/client/store/rows.js";
import { DELETED_TEXT, messageViews } from "../../../web/src/client/views/views.js";
import { FakeServer, clientOn } from "./helpers.js";

// An upgrade from the version that stored every kind but text as "needs a newer version" (kind number
// only): store/db.ts version 4 marks those rows, and sync/reopen.ts opens their envelopes again so the
// reply, reaction, edit and delete they carry show and apply as if they had just arrived.

afterEach(() => vi.restoreAllMocks());

const refOf = (r: MessageRow): MessageRef => ({ deviceId: r.senderDeviceId, clientMessageId: r.clientMessageId });

/** What the version before content kinds kept of a row of kinds 2-6: the kind number, an empty text. */
async function asStoredByOldVersion(db: SealedDb, id: ConversationId): Promise<number> {
  let n = 0;
  await db.messages
    .where("conversationId")
    .equals(id)
    .modify((m: Record<string, unknown>) => {
      const kind = m["kindNumber"];
      if (typeof kind !== "number" || kind < 2 || kind > 6) return;
      for (const f of ["ref", "emoji", "receipt", "deletedAt"]) delete m[f];
      m["text"] = "";
      m["reopen"] = 1;
      n++;
    });
  return n;
}

async function seen(db: SealedDb, id: ConversationId) {
  return (await messageViews(db, id)).map((m) => `${m.text}${m.edited ? " (edited)" : ""}${m.reactions.map((r) => ` ${r.emoji}${r.count}`).join("")}`);
}

describe("rows stored before kinds were applied", () => {
  test("are opened again on the next sync: replies show, reactions and edits apply, a delete scrubs", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = new FakeServer();
    const alice = clientOn(server);
    const bob = clientOn(server);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const id = await alice.startChat("bob");
    for (const c of [alice, bob]) await c.sync.syncNow();
    const hi = await alice.send(id, "hi bob");
    const gone = await alice.send(id, "a secret to take back");
    await alice.sync.syncNow();
    await bob.sync.syncNow();
    await bob.reply(id, refOf(hi), "hi alice");
    await bob.react(id, refOf(hi), "👍");
    await bob.sync.syncNow();
    await alice.edit(id, refOf(hi), "hi bob!");
    await alice.deleteForEveryone(id, refOf(gone));
    for (const c of [alice, bob, alice, bob]) await c.sync.syncNow();
    const expected = await seen(bob.db, id);
    expect(expected).toEqual(["hi bob! (edited) 👍1", DELETED_TEXT, "hi alice"]);

    // Bob's store as the older version left it: the delete's target still held its text then.
    expect(await asStoredByOldVersion(bob.db, id)).toBe(4);
    await bob.db.messages.update([id, gone.clientMessageId], { text: "a secret to take back", deletedAt: undefined });
    expect(await seen(bob.db, id)).not.toEqual(expected);

    await bob.sync.syncNow();
    expect(await seen(bob.db, id)).toEqual(expected);
    expect(await bob.db.messages.where("reopen").equals(1).count()).toBe(0);
    const texts = (await bob.db.messages.where("conversationId").equals(id).toArray()).map((r) => r.text);
    expect(texts).not.toContain("a secret to take back");
  });

  test("the schema upgrade marks exactly the rows of kinds 2 to 6 stored without their fields", async () => {
    const name = `sealed-upgrade-${process.pid}`;
    const old = new Dexie(name, { indexedDB, IDBKeyRange });
    old.version(3).stores({
      device: "id",
      account: "id",
      contacts: "accountId, username",
      conversations: "id, peer, updatedAt",
      epochs: "[conversationId+epoch]",
      envelopes: "[conversationId+seq]",
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status",
      chains: "[conversationId+deviceId]",
      sendChains: "conversationId",
      cursors: "conversationId",
      groups: "conversationId",
    });
    const row = (clientMessageId: string, kindNumber: number | undefined, seq: number | undefined) => ({ conversationId: "c", clientMessageId, text: "", status: "sent", ...(kindNumber ? { kindNumber } : {}), ...(seq ? { seq } : {}) });
    await old.table("messages").bulkPut([row("text", undefined, 1), row("reply", 2, 2), row("receipt", 6, 3), row("newer", 9, 4), row("pending", 3, undefined)]);
    old.close();
    const db = new SealedDb(name, { indexedDB, IDBKeyRange });
    const marked = (await db.messages.where("reopen").equals(1).toArray()).map((r) => r.clientMessageId).sort();
    expect(marked).toEqual(["receipt", "reply"]);
    db.close();
  });

  test("the schema upgrade (version 7) marks the attachments (kind 7) stored without their fields, as sent ones only", async () => {
    const name = `sealed-upgrade-7-${process.pid}`;
    const old = new Dexie(name, { indexedDB, IDBKeyRange });
    old.version(3).stores({
      device: "id",
      account: "id",
      contacts: "accountId, username",
      conversations: "id, peer, updatedAt",
      epochs: "[conversationId+epoch]",
      envelopes: "[conversationId+seq]",
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status",
      chains: "[conversationId+deviceId]",
      sendChains: "conversationId",
      cursors: "conversationId",
      groups: "conversationId",
    });
    const row = (clientMessageId: string, kindNumber: number | undefined, seq: number | undefined) => ({ conversationId: "c", clientMessageId, text: "", status: "sent", ...(kindNumber ? { kindNumber } : {}), ...(seq ? { seq } : {}) });
    await old.table("messages").bulkPut([row("text", undefined, 1), row("attachment", 7, 2), row("deleted", 7, 3), row("newer", 9, 4), row("pending", 7, undefined)]);
    await old.table("messages").update(["c", "deleted"], { deletedAt: 9 });
    old.close();
    const db = new SealedDb(name, { indexedDB, IDBKeyRange });
    const marked = (await db.messages.where("reopen").equals(1).toArray()).map((r) => r.clientMessageId).sort();
    expect(marked).toEqual(["attachment"]);
    db.close();
  });

  test("the schema upgrade (version 11) marks the mentions (kind 8) stored as 'needs a newer version', sent ones only", async () => {
    const name = `sealed-upgrade-11-${process.pid}`;
    const old = new Dexie(name, { indexedDB, IDBKeyRange });
    old.version(3).stores({
      device: "id",
      account: "id",
      contacts: "accountId, username",
      conversations: "id, peer, updatedAt",
      epochs: "[conversationId+epoch]",
      envelopes: "[conversationId+seq]",
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status",
      chains: "[conversationId+deviceId]",
      sendChains: "conversationId",
      cursors: "conversationId",
      groups: "conversationId",
    });
    const row = (clientMessageId: string, kindNumber: number | undefined, seq: number | undefined) => ({ conversationId: "c", clientMessageId, text: "", status: "sent", ...(kindNumber ? { kindNumber } : {}), ...(seq ? { seq } : {}) });
    await old.table("messages").bulkPut([row("text", undefined, 1), row("mentions", 8, 2), row("newer", 9, 3), row("pending", 8, undefined)]);
    old.close();
    const db = new SealedDb(name, { indexedDB, IDBKeyRange });
    const marked = (await db.messages.where("reopen").equals(1).toArray()).map((r) => r.clientMessageId).sort();
    expect(marked).toEqual(["mentions"]);
    db.close();
  });

  test("a text with mentions stored as kind 8 by the version before is opened again as a text with its mentions", async () => {
    vi.spyOn(console, "warn").mockImplementation(() => {});
    const server = new FakeServer();
    const alice = clientOn(server);
    const bob = clientOn(server);
    await alice.signUp("alice");
    await bob.signUp("bob");
    const id = await alice.startChat("bob");
    for (const c of [alice, bob]) await c.sync.syncNow();
    const bobId = (await bob.db.account.get("self"))!.accountId;
    const sent = await alice.send(id, "hi @bob", [{ accountId: bobId, start: 3, length: 4 }]);
    await alice.sync.syncNow();
    await bob.sync.syncNow();
    const want = (await messageViews(bob.db, id)).map((m) => [m.content, m.text, m.mentions?.map((x) => x.me)]);
    expect(want).toEqual([["text", "hi @bob", [true]]]);
    // What the version before kind 8 kept: the kind number only, marked by the upgrade.
    await bob.db.messages.update([id, sent.clientMessageId], { text: "", kindNumber: 8, mentions: undefined, reopen: 1 });
    expect((await messageViews(bob.db, id)).map((m) => m.content)).toEqual(["unsupported"]);
    await bob.sync.syncNow();
    expect((await messageViews(bob.db, id)).map((m) => [m.content, m.text, m.mentions?.map((x) => x.me)])).toEqual(want);
    expect((await bob.db.messages.get([id, sent.clientMessageId]))?.kindNumber).toBeUndefined();
  });
});
