// The JS memory of a page and its dedicated workers (the attachment chunk workers), read through the DevTools
// protocol: each worker is its own V8 isolate, which the page's Runtime.getHeapUsage does not count.
import type { CDPSession } from "playwright-core";

export interface IsolateUsage {
  /** V8 used heap, page and workers together. */
  readonly heap: number;
  /** ArrayBuffer contents (backing stores), page and workers together. */
  readonly buffers: number;
  /** The workers' share of heap + buffers. */
  readonly workers: number;
  /** The page's own ArrayBuffer contents (the rest of `buffers` is the workers'). */
  readonly pageBuffers: number;
}

interface HeapUsage {
  usedSize: number;
  backingStorageSize: number;
}

/**
 * Attaches to the page's dedicated workers (existing and later ones; Target.setAutoAttach without flat
 * sessions, so Playwright's own sessions are untouched) and returns a reader of the summed usage. A worker
 * that ended drops out.
 */
export interface Isolates {
  usage(): Promise<IsolateUsage>;
  collectGarbage(): Promise<void>;
}

export async function isolateUsage(cdp: CDPSession): Promise<Isolates> {
  const workers = new Set<string>();
  const waiting = new Map<number, { resolve(r: unknown): void; reject(e: Error): void }>();
  let next = 1;
  cdp.on("Target.attachedToTarget", (e) => {
    if (e.targetInfo.type === "worker") workers.add(e.sessionId);
  });
  cdp.on("Target.detachedFromTarget", (e) => {
    if (e.sessionId) workers.delete(e.sessionId);
  });
  cdp.on("Target.receivedMessageFromTarget", (e) => {
    const m = JSON.parse(e.message) as { id?: number; result?: unknown; error?: { message: string } };
    const w = m.id === undefined ? undefined : waiting.get(m.id);
    if (!w) return;
    waiting.delete(m.id!);
    if (m.error) w.reject(new Error(m.error.message));
    else w.resolve(m.result);
  });
  await cdp.send("Target.setAutoAttach", { autoAttach: true, waitForDebuggerOnStart: false, flatten: false });
  const inWorker = <T>(sessionId: string, method: string): Promise<T | undefined> =>
    new Promise<unknown>((resolve, reject) => {
      const id = next++;
      waiting.set(id, { resolve, reject });
      cdp.send("Target.sendMessageToTarget", { sessionId, message: JSON.stringify({ id, method }) }).catch(reject);
    }).then(
      (r) => r as T,
      () => undefined,
    );
  return {
    async usage() {
      const [page, ...ws] = await Promise.all([
        cdp.send("Runtime.getHeapUsage") as Promise<HeapUsage>,
        ...[...workers].map((s) => inWorker<HeapUsage>(s, "Runtime.getHeapUsage")),
      ]);
      const all = [page, ...ws].filter((u): u is HeapUsage => u !== undefined);
      const sum = (us: HeapUsage[]) => us.reduce((n, u) => n + u.usedSize + u.backingStorageSize, 0);
      return {
        heap: all.reduce((n, u) => n + u.usedSize, 0),
        buffers: all.reduce((n, u) => n + u.backingStorageSize, 0),
        workers: sum(ws.filter((u): u is HeapUsage => u !== undefined)),
        pageBuffers: page.backingStorageSize,
      };
    },
    async collectGarbage() {
      await Promise.all([cdp.send("HeapProfiler.collectGarbage"), ...[...workers].map((s) => inWorker(s, "HeapProfiler.collectGarbage"))]);
    },
  };
}
