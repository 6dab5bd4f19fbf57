// Whether this browser may hold an account, asked before Dexie and the client are loaded: a fresh profile
// has no store database, so the app shell can show the onboarding form without them (docs/decisions.md
// "The app shell holds the first screen").
import { DB_NAME } from "./db-name.js";

/**
 * False only when IndexedDB positively lists no database called `name` (nothing of an account can be
 * here); true when it exists, and when the browser cannot say (no `indexedDB.databases()`, or it
 * failed), so the caller opens the store and looks, as before. Never creates the database.
 */
export async function storeMayExist(name: string = DB_NAME, idb: IDBFactory | undefined = globalThis.indexedDB): Promise<boolean> {
  if (!idb || typeof idb.databases !== "function") return true;
  try {
    const dbs = await idb.databases();
    return dbs.some((d) => d.name === name);
  } catch {
    return true;
  }
}
