// Measuring code that runs inside the app's page (passed to page.evaluate, so each function must be
// self-contained). The app renders into shadow roots, so elements are found by walking them. Times are
// performance.now() in the page, checked once per animation frame: a figure is the frame in which the
// condition first held.
import type { ShadowFind } from "../page/shadow-find.js";

export interface RestoreTiming {
  /** Submit to the "Restored, loading your history" screen: the account is restored, history not yet. */
  readonly joinedMs: number;
  /** Submit to the chat list: every message has been fetched, verified, decrypted and stored. */
  readonly readableMs: number;
}

/** Clicks "Restore" on the filled-in restore form and times the two milestones. */
export function restoreInPage(a: { timeoutMs: number }): Promise<RestoreTiming> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const submit = find(document, "[data-testid=restore-submit]");
  if (!submit) return Promise.reject(new Error("no restore button"));
  return new Promise((resolve, reject) => {
    let joinedAt: number | undefined;
    const t0 = performance.now();
    submit.click();
    const frame = () => {
      const now = performance.now();
      if (joinedAt === undefined && find(document, "[data-testid=restored]")) joinedAt = now;
      const error = find(document, "[data-testid=restore-error]");
      if (error) return reject(new Error(`restore failed: ${error.textContent}`));
      if (find(document, "[data-testid=my-username]")) return resolve({ joinedMs: (joinedAt ?? now) - t0, readableMs: now - t0 });
      if (now - t0 > a.timeoutMs) return reject(new Error(`restore not done after ${a.timeoutMs} ms`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

export interface OpenTiming {
  /** Click on the conversation to the frame showing at least 50 messages, the newest last. */
  readonly newestShownMs: number;
  /** Click to the frame in which the list holds every message (its data-total). */
  readonly allLoadedMs: number;
  /** Messages in the DOM at that point. */
  readonly rendered: number;
}

/** Clicks the (only) conversation in the chat list and times its opening. */
export function openInPage(a: { newest: string; total: number; timeoutMs: number }): Promise<OpenTiming> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const item = find(document, "[data-testid=conversation-item]");
  if (!item) return Promise.reject(new Error("no conversation in the list"));
  return new Promise((resolve, reject) => {
    let shownAt: number | undefined;
    const t0 = performance.now();
    item.click();
    const frame = () => {
      const now = performance.now();
      const ol = find(document, "sealed-message-list")?.shadowRoot?.querySelector<HTMLElement>("[data-testid=message-list]");
      if (ol) {
        const texts = ol.querySelectorAll("[data-testid=message-text]");
        if (shownAt === undefined && texts.length >= Math.min(50, a.total) && texts[texts.length - 1]?.textContent === a.newest) shownAt = now;
        if (shownAt !== undefined && Number(ol.dataset["total"]) === a.total) return resolve({ newestShownMs: shownAt - t0, allLoadedMs: now - t0, rendered: texts.length });
      }
      if (now - t0 > a.timeoutMs) return reject(new Error(`conversation not open after ${a.timeoutMs} ms (list holds ${ol?.dataset["total"] ?? "nothing"})`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

export interface ScrollRun {
  readonly ms: number;
  readonly frames: number;
  /** Durations of the long tasks (≥ 50 ms, as Chromium reports them) seen while scrolling. */
  readonly longTasks: number[];
  /** The longest time between two animation frames. */
  readonly longestFrameMs: number;
  /** Text of the first message rendered once the top was reached. */
  readonly oldestText: string;
  /** Most timeline rows (messages, and system lines in groups) rendered at any frame, as the list counts them (data-shown). */
  readonly maxRendered: number;
}

/**
 * Scrolls the open conversation from the newest message to the oldest, one screen height per animation
 * frame (a fast fling), watching long tasks and frame gaps, until the oldest message is rendered at the top.
 */
export async function scrollToOldestInPage(a: { timeoutMs: number }): Promise<ScrollRun> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const list = find(document, "sealed-message-list");
  const ol = list?.shadowRoot?.querySelector<HTMLElement>("[data-testid=message-list]");
  if (!list || !ol) throw new Error("no open conversation");
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) longTasks.push(e.duration);
  });
  observer.observe({ type: "longtask" });
  const t0 = performance.now();
  let frames = 0;
  let last = t0;
  let longestFrameMs = 0;
  let maxRendered = 0;
  await new Promise<void>((resolve, reject) => {
    const frame = (now: number) => {
      frames += 1;
      longestFrameMs = Math.max(longestFrameMs, now - last);
      last = now;
      // The list's own count of the rows it renders (data-shown), not a querySelectorAll over its DOM: that walk,
      // every frame, was the probe's own share of the long tasks it measures (a tenth or more in a CPU profile).
      maxRendered = Math.max(maxRendered, Number(ol.dataset["shown"] ?? 0));
      if (list.scrollTop <= 0 && ol.dataset["first"] === "0") return resolve();
      if (now - t0 > a.timeoutMs) return reject(new Error(`top not reached after ${a.timeoutMs} ms (window starts at message ${ol.dataset["first"]})`));
      list.scrollTop = Math.max(0, list.scrollTop - list.clientHeight);
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const ms = performance.now() - t0;
  // Long-task entries are delivered after the task: give the observer a moment.
  await new Promise((r) => setTimeout(r, 200));
  observer.disconnect();
  return { ms, frames, longTasks, longestFrameMs, oldestText: ol.querySelector("[data-testid=message-text]")?.textContent ?? "", maxRendered };
}

/**
 * The cost of one small IndexedDB read-write transaction, awaited before the next, in this page: for
 * scale against the per-message cost of a history load. Uses a scratch database, deleted after.
 */
export async function idbTransactionMs(a: { count: number }): Promise<number> {
  const name = "sealed-bench-probe";
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, 1);
    req.onupgradeneeded = () => req.result.createObjectStore("rows");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const row = { text: "a message of ordinary length, stored as the client stores one", sentAt: Date.now(), seq: 0 };
  const t0 = performance.now();
  for (let i = 0; i < a.count; i++) {
    await new Promise<void>((resolve, reject) => {
      const tx = db.transaction("rows", "readwrite");
      tx.objectStore("rows").put({ ...row, seq: i }, i);
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  const ms = (performance.now() - t0) / a.count;
  db.close();
  await new Promise((r) => {
    const del = indexedDB.deleteDatabase(name);
    del.onsuccess = del.onerror = del.onblocked = r;
  });
  return ms;
}

/**
 * An init script for a context restored WITHOUT search indexing (the restore-with-and-without-indexing
 * figure): every IndexedDB transaction over `searchProgress` is refused, and only the search indexer
 * (web/src/client/search/indexer.ts) opens those, so it stops at its first batch (the app logs a warning
 * and goes on) and nothing else changes.
 */
export function refuseSearchIndexing(): void {
  const open = IDBDatabase.prototype.transaction;
  IDBDatabase.prototype.transaction = function (this: IDBDatabase, names: string | string[], ...rest: unknown[]) {
    if ((typeof names === "string" ? [names] : [...names]).includes("searchProgress")) throw new DOMException("search indexing is off in this benchmark run", "InvalidAccessError");
    return (open as (...a: unknown[]) => IDBTransaction).call(this, names, ...rest);
  } as typeof open;
}

/** Waits until the app's search index covers every stored message (the progress the search dialog shows); ms waited. */
export async function searchIndexedInPage(a: { timeoutMs: number }): Promise<number> {
  const t0 = performance.now();
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open("sealed");
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const all = <T>(tx: IDBTransaction, store: string) =>
    new Promise<T[]>((resolve, reject) => {
      const req = tx.objectStore(store).getAll();
      req.onsuccess = () => resolve(req.result as T[]);
      req.onerror = () => reject(req.error);
    });
  try {
    for (;;) {
      const tx = db.transaction(["cursors", "searchProgress"], "readonly");
      const [cursors, progress] = await Promise.all([all<{ conversationId: string; after: number }>(tx, "cursors"), all<{ conversationId: string; upTo: number }>(tx, "searchProgress")]);
      const upTo = new Map(progress.map((p) => [p.conversationId, p.upTo]));
      if (cursors.length > 0 && cursors.every((c) => (upTo.get(c.conversationId) ?? 0) >= c.after)) return performance.now() - t0;
      if (performance.now() - t0 > a.timeoutMs) throw new Error(`search index not caught up after ${a.timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    db.close();
  }
}

/** The existing device's side of a link, clicked in the page (no browser automation round trips between steps). */
export interface ExistingLinkTimes {
  /** Date.now() when Continue was clicked (the pasted code submitted). */
  readonly continuedAt: number;
  /** Date.now() of the frame that showed the new device's name, when Confirm was clicked. */
  readonly confirmedAt: number;
}

/**
 * On the existing device's "Link a device" screen with the code pasted: clicks Continue, then Confirm in
 * the first frame that shows the new device's name, as a user who confirms at once would.
 */
export function existingLinkInPage(a: { timeoutMs: number }): Promise<ExistingLinkTimes> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const input = find(document, "[data-testid=paste-code]");
  const submit = input?.closest("form")?.querySelector<HTMLButtonElement>("button[type=submit]") ?? input?.parentElement?.querySelector<HTMLButtonElement>("button[type=submit]");
  if (!submit) return Promise.reject(new Error("no Continue button next to the pasted code"));
  return new Promise((resolve, reject) => {
    const continuedAt = Date.now();
    submit.click();
    const frame = () => {
      const confirm = find(document, "[data-testid=link-confirm]");
      if (confirm && find(document, "[data-testid=link-device-name]")) {
        const confirmedAt = Date.now();
        confirm.click();
        return resolve({ continuedAt, confirmedAt });
      }
      if (Date.now() - continuedAt > a.timeoutMs) return reject(new Error(`the new device's name not shown after ${a.timeoutMs} ms`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

/** The new device's side of a link, clicked in the page. */
export interface NewLinkTimes {
  /** Date.now() of the frame that asked "Is this your account?", when Yes was clicked. */
  readonly answeredAt: number;
  /** The frame that showed the history's progress bar (or the chat list, if the history was loaded before a frame showed it). */
  readonly progressAt: number;
  /** The frame that showed the chat list: every message fetched, verified, decrypted and stored. */
  readonly readableAt: number;
}

/** On the new device showing its code: says Yes in the first frame that asks, then notes the progress bar and the chat list. */
export function newLinkInPage(a: { timeoutMs: number }): Promise<NewLinkTimes> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let answeredAt: number | undefined;
    let progressAt: number | undefined;
    const frame = () => {
      const now = Date.now();
      if (answeredAt === undefined) {
        const ask = find(document, "[data-testid=confirm-account]");
        const yes = ask?.parentElement?.querySelector<HTMLButtonElement>(".actions button.primary");
        if (yes) {
          answeredAt = now;
          yes.click();
        }
      } else {
        const done = find(document, "[data-testid=my-username]");
        if (progressAt === undefined && (done || find(document, "[data-testid=history-progress]"))) progressAt = now;
        if (done && progressAt !== undefined) return resolve({ answeredAt, progressAt, readableAt: now });
      }
      const failed = find(document, "sealed-link-new")?.shadowRoot?.querySelector<HTMLElement>("p.error[role=alert]");
      if (failed) return reject(new Error(`linking failed: ${failed.textContent}`));
      if (now - t0 > a.timeoutMs) return reject(new Error(`link not done after ${a.timeoutMs} ms`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}
