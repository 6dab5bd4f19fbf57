import { liveQuery, type Subscription } from "dexie";
import type { ReactiveController, ReactiveControllerHost } from "lit";

/**
 * While changes come faster than this (a burst: a history page by page, thousands of reactions), a live
 * query re-runs at most about once per BURST_MS instead of once per committed transaction.
 */
export const BURST_MS = 100;

/**
 * A Dexie liveQuery as a Lit reactive controller: the host re-renders whenever the tables the query
 * read change (in this tab or another). `deps` re-subscribes when the host's inputs change (the value
 * starts over). The query must keep Dexie's zone across its awaits (see timelineViews in views.ts), or
 * the tables it reads after losing it are not watched.
 *
 * Bursts are coalesced: Dexie re-runs a live query on every commit that touches what it read (and
 * aborts a run still going), so a burst of commits cost one run, one set of IndexedDB transactions and
 * one render each (docs/BENCHMARKS.md "rich"). When a value comes within BURST_MS of the one before,
 * the controller stops listening for BURST_MS, keeps showing that value, then subscribes again, which
 * reads the store as it is by then: nothing is missed, and a single change still shows at once.
 */
export class LiveQuery<T> implements ReactiveController {
  value: T | undefined;
  error: unknown;
  private sub: Subscription | undefined;
  private key: string | undefined;
  private lastValueAt = -Infinity;
  private pause: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly query: () => Promise<T> | undefined,
    private readonly deps: () => readonly unknown[] = () => [],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostDisconnected(): void {
    this.stop();
    this.key = undefined;
  }

  hostUpdate(): void {
    if (JSON.stringify(this.deps()) !== this.key) this.subscribe();
  }

  private stop(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    clearTimeout(this.pause);
    this.pause = undefined;
  }

  private subscribe(): void {
    this.stop();
    this.key = JSON.stringify(this.deps());
    this.value = undefined;
    this.error = undefined;
    this.lastValueAt = -Infinity;
    this.listen();
  }

  private listen(): void {
    this.sub = liveQuery(() => this.query()).subscribe({
      next: (v) => {
        this.value = v;
        this.host.requestUpdate();
        this.coalesce();
      },
      error: (e: unknown) => {
        this.error = e;
        this.host.requestUpdate();
      },
    });
  }

  /** After a value: in a burst, pause listening for BURST_MS, then subscribe again (which reads afresh). */
  private coalesce(): void {
    const now = performance.now();
    const burst = now - this.lastValueAt < BURST_MS;
    this.lastValueAt = now;
    if (!burst) return;
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.pause = setTimeout(() => {
      this.pause = undefined;
      this.listen();
    }, BURST_MS);
  }
}
