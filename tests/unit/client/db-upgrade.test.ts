import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Dexie } from "dexie";
import { describe, expect, test } from "vitest";
import { getConversation, listGroups, listMessages, listMessagesByStatus } from "../../../web/src/client/store/db.js";
import { addUpload, getUpload, getUploadFile, listUploads, listUploadsIn } from "../../../web/src/client/store/uploads.js";
import type { UploadRow } from "../../../web/src/client/store/upload-row.js";
import { freshDb } from "./helpers.js";

// Version 1 of the schema exactly as it shipped: an upgrade must keep every row written under it.
const V1 = {
  device: "id",
  account: "id",
  contacts: "accountId, username",
  conversations: "id, peer, updatedAt",
  epochs: "[conversationId+epoch]",
  envelopes: "[conversationId+seq]",
  messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId",
  chains: "[conversationId+deviceId]",
  sendChains: "conversationId",
  cursors: "conversationId",
};

const CONV = "AAAAAAAAAAAAAAAAAAAAAA";
const row = (id: string, status: string, seq?: number) => ({
  conversationId: CONV,
  clientMessageId: id,
  ...(seq ? { seq } : {}),
  senderAccountId: "B".repeat(42) + "A",
  senderDeviceId: "CCCCCCCCCCCCCCCCCCCCCA",
  counter: seq ?? 9,
  text: `text ${id}`,
  sentAt: 1,
  status,
  ...(status === "pending" ? { envelope: new Uint8Array([1, 2, 3]) } : {}),
});

describe("the local store's schema", () => {
  test("upgrading from version 1 keeps messages, the outbox and cursors, and indexes messages by status", async () => {
    const name = `sealed-upgrade-${process.pid}`;
    const v1 = new Dexie(name, { indexedDB, IDBKeyRange });
    v1.version(1).stores(V1);
    await v1.table("messages").bulkPut([row("DDDDDDDDDDDDDDDDDDDDDA", "sent", 1), row("EEEEEEEEEEEEEEEEEEEEEA", "pending")]);
    await v1.table("cursors").put({ conversationId: CONV, after: 1 });
    v1.close();

    const db = freshDb(name);
    await db.open();
    expect(db.verno).toBe(16);
    expect((await listMessages(db, CONV as never)).map((m) => m.status).sort()).toEqual(["pending", "sent"]);
    const pending = await listMessagesByStatus(db, "pending");
    expect(pending.map((m) => m.text)).toEqual(["text EEEEEEEEEEEEEEEEEEEEEA"]);
    expect(pending[0]?.envelope).toEqual(new Uint8Array([1, 2, 3]));
    expect(await db.cursors.get(CONV as never)).toEqual({ conversationId: CONV, after: 1 });
    db.close();
  });

  test("upgrading from version 2 marks every stored conversation as a 1:1 chat and adds the groups table", async () => {
    const name = `sealed-upgrade-v2-${process.pid}`;
    const v2 = new Dexie(name, { indexedDB, IDBKeyRange });
    v2.version(1).stores(V1);
    v2.version(2).stores({ messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status" });
    const peer = "B".repeat(42) + "A";
    await v2.table("conversations").put({ id: CONV, peer, createdAt: 5, lastSeq: 3, updatedAt: 7, rejected: 0 });
    v2.close();

    const db = freshDb(name);
    await db.open();
    expect(db.verno).toBe(16);
    // Parsed with the new schema: a row without `kind` would fail here.
    expect(await getConversation(db, CONV as never)).toEqual({ kind: "direct", id: CONV, peer, createdAt: 5, lastSeq: 3, updatedAt: 7, rejected: 0 });
    expect(await listGroups(db)).toEqual([]);
    db.close();
  });

  test("upgrading from version 7 keeps the outbox and adds the uploads, whose rows and files read back checked", async () => {
    const name = `sealed-upgrade-v7-${process.pid}`;
    const v7 = new Dexie(name, { indexedDB, IDBKeyRange });
    v7.version(7).stores({
      ...V1,
      messages: "[conversationId+clientMessageId], [conversationId+seq], conversationId, status, reopen, [liveIn+clientMessageId], [shownIn+seq], foldKey",
      groups: "conversationId",
      readShares: "conversationId",
      accountCursors: "name",
    });
    await v7.table("messages").put({ ...row("EEEEEEEEEEEEEEEEEEEEEA", "pending"), liveIn: CONV });
    v7.close();

    const db = freshDb(name);
    await db.open();
    expect(db.verno).toBe(16);
    expect((await listMessagesByStatus(db, "pending")).map((m) => m.clientMessageId)).toEqual(["EEEEEEEEEEEEEEEEEEEEEA"]);
    const upload: UploadRow = {
      type: "file",
      id: "AAAAAAAAAAAAAAAAAAAAAQ",
      conversationId: CONV as never,
      createdAt: 1,
      name: "a.txt",
      mimeType: "text/plain",
      caption: "",
      size: 3,
      key: new Uint8Array(32),
      sentBytes: 0,
      totalBytes: 76,
      state: "queued",
    };
    await addUpload(db, upload, new Blob(["abc"]));
    expect(await getUpload(db, upload.id)).toEqual(upload);
    expect(await (await getUploadFile(db, upload.id))?.text()).toBe("abc");
    expect((await listUploads(db, CONV as never)).map((u) => u.id)).toEqual([upload.id]);
    expect(await listUploadsIn(db, ["failed"])).toEqual([]);
    // A row changed from outside that no longer fits its schema is refused on reading, not used.
    await db.uploads.put({ ...upload, key: new Uint8Array(5) });
    await expect(getUpload(db, upload.id)).rejects.toMatchObject({ code: "corrupt_store" });
    db.close();
  });
});
