// The local store's database name on its own, so the app shell can ask whether the store exists
// (store-exists.ts) without loading Dexie and the client.

/** The IndexedDB database that holds this device's keys, account and history (db.ts). */
export const DB_NAME = "sealed";
