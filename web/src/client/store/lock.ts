/**
 * Named mutual exclusion. In the browser it is the Web Locks API, so two tabs of one profile never
 * interleave a send chain or a receive cursor; elsewhere (Node tests) an in-process queue.
 */
const queues = new Map<string, Promise<unknown>>();

export function withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  // request() resolves with what the callback resolves with; the DOM typing nests the promise.
  if (locks) return locks.request(`sealed:${name}`, fn) as unknown as Promise<T>;
  const prev = queues.get(name) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(name, settled);
  void settled.then(() => {
    if (queues.get(name) === settled) queues.delete(name);
  });
  return run;
}
