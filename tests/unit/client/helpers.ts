// Shared setup for client tests: a fresh fake-indexeddb database and a client wired to a FakeServer.
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { Api } from "../../../web/src/client/api.js";
import { ChatClient } from "../../../web/src/client/client.js";
import { SealedDb } from "../../../web/src/client/db.js";
import { FakeServer } from "./fake-server.js";

let n = 0;

export function freshDb(): SealedDb {
  return new SealedDb(`sealed-test-${process.pid}-${++n}`, { indexedDB, IDBKeyRange });
}

export function clientOn(server: FakeServer, db = freshDb()): ChatClient {
  return new ChatClient({ db, api: new Api("", server.fetchFor()), origin: server.origin, autoSync: false });
}

export { FakeServer };
