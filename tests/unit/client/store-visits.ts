// Counts what an operation asks of IndexedDB: a Dexie DBCore middleware on one database records every
// low-level call (get, getMany, query, openCursor, count, mutate) by table, for tests that bound how
// often one operation visits the store.
import type { DBCore, DBCoreTable } from "dexie";
import type { SealedDb } from "../../../web/src/client/store/db.js";

export interface StoreVisits {
  /** Every call, as "table.op" (op is get, getMany, query, openCursor, count, or mutate:<type>). */
  readonly calls: string[];
  /** Starts a fresh count. */
  reset(): void;
  /** Reads (get, getMany, query, openCursor, count) of one table since the last reset. */
  reads(table: string): number;
  /** Writes (mutations) of one table since the last reset. */
  writes(table: string): number;
}

const READS = new Set(["get", "getMany", "query", "openCursor", "count"]);

/** Installs the counter on `db`; call before the database is first used. */
export function countStoreVisits(db: SealedDb): StoreVisits {
  const calls: string[] = [];
  const counted = (table: DBCoreTable): DBCoreTable => {
    const seen = <R>(op: string, call: () => R): R => {
      calls.push(`${table.name}.${op}`);
      return call();
    };
    return {
      ...table,
      get: (req) => seen("get", () => table.get(req)),
      getMany: (req) => seen("getMany", () => table.getMany(req)),
      query: (req) => seen("query", () => table.query(req)),
      openCursor: (req) => seen("openCursor", () => table.openCursor(req)),
      count: (req) => seen("count", () => table.count(req)),
      mutate: (req) => seen(`mutate:${req.type}`, () => table.mutate(req)),
    };
  };
  db.use({ stack: "dbcore", name: "count-visits", create: (down: DBCore): DBCore => ({ ...down, table: (name) => counted(down.table(name)) }) });
  const op = (c: string) => c.slice(c.indexOf(".") + 1);
  const tableOf = (c: string) => c.slice(0, c.indexOf("."));
  return {
    calls,
    reset: () => void calls.splice(0),
    reads: (t) => calls.filter((c) => tableOf(c) === t && READS.has(op(c))).length,
    writes: (t) => calls.filter((c) => tableOf(c) === t && op(c).startsWith("mutate")).length,
  };
}
