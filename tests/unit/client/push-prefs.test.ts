import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Dexie } from "dexie";
import { describe, expect, test } from "vitest";
import type { ConversationId } from "../../../protocol/index.js";
import { getPushPrefs, setMutedLocally, setPrivacy } from "../../../web/src/client/push/prefs.js";
import { freshDb } from "./helpers.js";

const A = "AAAAAAAAAAAAAAAAAAAAAA" as ConversationId;
const B = "BBBBBBBBBBBBBBBBBBBBBA" as ConversationId;

describe("the push preferences on this device (store version 10)", () => {
  test("a store from version 8 opens with the push table and the defaults: full text, nothing muted", async () => {
    const name = `sealed-upgrade-v8-push-${process.pid}`;
    const v8 = new Dexie(name, { indexedDB, IDBKeyRange });
    v8.version(8).stores({ device: "id", account: "id", uploads: "id, conversationId, state", uploadFiles: "id" });
    await v8.open();
    v8.close();
    const db = freshDb(name);
    await db.open();
    expect(db.tables.map((t) => t.name)).toContain("pushPrefs");
    expect(await getPushPrefs(db)).toEqual({ id: "self", privacy: "full", muted: [] });
    db.close();
  });

  test("the privacy choice and mutes are kept, each mute once", async () => {
    const db = freshDb();
    await setPrivacy(db, "none");
    await setMutedLocally(db, A, true);
    await setMutedLocally(db, A, true);
    await setMutedLocally(db, B, true);
    await setMutedLocally(db, A, false);
    expect(await getPushPrefs(db)).toEqual({ id: "self", privacy: "none", muted: [B] });
  });

  test("a row changed from outside that does not fit its schema is refused, not used", async () => {
    const db = freshDb();
    await db.pushPrefs.put({ id: "self", privacy: "everything" as never, muted: [] });
    await expect(getPushPrefs(db)).rejects.toMatchObject({ code: "corrupt_store" });
  });
});
