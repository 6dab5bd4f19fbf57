import type { ReactiveController, ReactiveControllerHost } from "lit";
import { beforeEach, describe, expect, test, vi } from "vitest";

/**
 * The LiveQuery controller hands each result to its host in a task of its own (live-query.ts deliver).
 * In the browser Dexie calls a live query's next() in the task that completed the write (after a re-run
 * its query cache answered at once), and the host's render, a microtask after requestUpdate, ran in that
 * same task: a write, every view's fold and every render made one long task. Dexie's liveQuery is replaced
 * here by one whose next() the test calls, synchronously, as Dexie may.
 */

interface Observer {
  next?: (v: unknown) => void;
  error?: (e: unknown) => void;
}
const observers: { observer: Observer; closed: boolean }[] = [];

vi.mock("dexie", () => ({
  liveQuery: () => ({
    subscribe(observer: Observer) {
      const entry = { observer, closed: false };
      observers.push(entry);
      return {
        unsubscribe: () => {
          entry.closed = true;
        },
      };
    },
  }),
}));

const { LiveQuery } = await import("../../../web/src/ui/live-query.js");

class FakeHost implements ReactiveControllerHost {
  readonly controllers: ReactiveController[] = [];
  updates = 0;
  readonly updateComplete = Promise.resolve(true);
  addController(c: ReactiveController): void {
    this.controllers.push(c);
  }
  removeController(): void {}
  requestUpdate(): void {
    this.updates++;
  }
}

/** What Dexie's observable would emit: next() to the newest open subscriber. */
function emit(v: unknown): void {
  const live = observers.filter((o) => !o.closed).at(-1);
  live?.observer.next?.(v);
}

const microtasks = async () => {
  for (let i = 0; i < 50; i++) await null;
};
const nextTasks = () => new Promise((r) => setTimeout(r, 5));

beforeEach(() => {
  observers.length = 0;
});

describe("LiveQuery", () => {
  test("a result reaches the host in a later task, not in the one that produced it", async () => {
    const host = new FakeHost();
    const q = new LiveQuery(host, async () => 1);
    q.hostConnected();
    emit(["one"]);
    await microtasks();
    expect(host.updates).toBe(0);
    expect(q.value).toBeUndefined();
    await nextTasks();
    expect(host.updates).toBe(1);
    expect(q.value).toEqual(["one"]);
  });

  test("results that come faster than they are delivered: one update, with the newest", async () => {
    const host = new FakeHost();
    const q = new LiveQuery(host, async () => 1);
    q.hostConnected();
    emit(1);
    emit(2);
    emit(3);
    await nextTasks();
    expect(q.value).toBe(3);
    expect(host.updates).toBe(1);
    emit(4);
    await nextTasks();
    expect(q.value).toBe(4);
    expect(host.updates).toBe(2);
  });

  test("an error is delivered the same way", async () => {
    const host = new FakeHost();
    const q = new LiveQuery(host, async () => 1);
    q.hostConnected();
    const failure = new Error("store closed");
    observers.at(-1)?.observer.error?.(failure);
    expect(q.error).toBeUndefined();
    await nextTasks();
    expect(q.error).toBe(failure);
    expect(host.updates).toBe(1);
  });

  test("a result not yet delivered when the host disconnects or re-subscribes is dropped", async () => {
    const host = new FakeHost();
    let dep = "a";
    const q = new LiveQuery(host, async () => 1, () => [dep]);
    q.hostConnected();
    emit("from a");
    q.hostDisconnected();
    await nextTasks();
    expect(q.value).toBeUndefined();
    expect(host.updates).toBe(0);

    q.hostConnected();
    emit("stale");
    dep = "b";
    // The old subscription's result must not show for the new inputs.
    q.hostUpdate();
    await nextTasks();
    expect(q.value).toBeUndefined();
    emit("from b");
    await nextTasks();
    expect(q.value).toBe("from b");
  });

  test("a soft input (a chat's window moving) re-subscribes but keeps the value until the new one comes; a hard one clears it", async () => {
    const host = new FakeHost();
    let chat = "a";
    let range = "newest";
    const q = new LiveQuery(host, async () => 1, () => [chat], () => [range]);
    q.hostConnected();
    emit("newest of a");
    await nextTasks();
    range = "around 10";
    q.hostUpdate();
    expect(observers).toHaveLength(2); // subscribed again, for the new window
    expect(observers.filter((o) => !o.closed)).toHaveLength(1);
    expect(q.value).toBe("newest of a");
    emit("around 10 of a");
    await nextTasks();
    expect(q.value).toBe("around 10 of a");
    chat = "b";
    q.hostUpdate();
    expect(q.value).toBeUndefined();
  });
});
