import { Dexie } from "dexie";
import { IDBKeyRange, indexedDB } from "fake-indexeddb";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BURST_MS, LiveQuery } from "../../../web/src/ui/live-query.js";

// The UI's live query (web/src/ui/live-query.ts): a burst of commits costs a few runs, not one each,
// and the value still ends on what the store holds; a lone change shows at once.

const deps = { ...Dexie.dependencies };
beforeAll(() => {
  // Dexie runs a live query only when it has an indexedDB of its own (the browser's global; here the fake).
  Object.assign(Dexie.dependencies, { indexedDB, IDBKeyRange });
});
afterAll(() => {
  Object.assign(Dexie.dependencies, deps);
});

let n = 0;
function setup() {
  const db = new Dexie(`live-query-${process.pid}-${++n}`, { indexedDB, IDBKeyRange });
  db.version(1).stores({ items: "id" });
  const host = { updates: 0, addController: () => {}, removeController: () => {}, requestUpdate: () => void host.updates++, updateComplete: Promise.resolve(true) };
  let runs = 0;
  const q = new LiveQuery(host, () => {
    runs++;
    return db.table("items").count();
  });
  q.hostConnected();
  return { db, host, q, runs: () => runs };
}

describe("the UI's live query", () => {
  test("a burst of 200 commits re-runs the query a few times, and ends on the last state", async () => {
    const { db, q, runs } = setup();
    await expect.poll(() => q.value).toBe(0);
    const before = runs();
    for (let i = 0; i < 200; i++) await db.table("items").put({ id: i });
    await expect.poll(() => q.value, { timeout: 5_000 }).toBe(200);
    // Without coalescing, every commit re-runs it (200 runs, or more with the aborted ones).
    expect(runs() - before).toBeLessThan(100);
    q.hostDisconnected();
    db.close();
  });

  test("a lone change after a quiet moment shows, with one run", async () => {
    const { db, q, runs } = setup();
    await expect.poll(() => q.value).toBe(0);
    await new Promise((r) => setTimeout(r, BURST_MS * 2));
    const before = runs();
    await db.table("items").put({ id: 1 });
    await expect.poll(() => q.value, { interval: 5 }).toBe(1);
    expect(runs() - before).toBe(1);
    q.hostDisconnected();
    db.close();
  });

  test("disconnected, it stops: no run after the host is gone", async () => {
    const { db, q, runs } = setup();
    await expect.poll(() => q.value).toBe(0);
    for (let i = 0; i < 20; i++) await db.table("items").put({ id: i });
    q.hostDisconnected();
    const after = runs();
    await new Promise((r) => setTimeout(r, BURST_MS * 3));
    await db.table("items").put({ id: 99 });
    await new Promise((r) => setTimeout(r, BURST_MS));
    expect(runs()).toBe(after);
    db.close();
  });
});
