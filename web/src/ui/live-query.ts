import { liveQuery, type Subscription } from "dexie";
import type { ReactiveController, ReactiveControllerHost } from "lit";

const channel = typeof MessageChannel === "function" ? new MessageChannel() : undefined;
const queued: (() => void)[] = [];
if (channel) {
  channel.port1.onmessage = () => queued.shift()?.();
}

/** Runs `f` in a new task (not a microtask), without setTimeout's 4 ms clamp when nested. */
function nextTask(f: () => void): void {
  if (!channel) return void setTimeout(f, 0);
  queued.push(f);
  channel.port2.postMessage(undefined);
}

/**
 * A Dexie liveQuery as a Lit reactive controller: the host re-renders whenever the tables the query
 * read change (in this tab or another). `deps` re-subscribes when the host's inputs change (the value
 * starts over). The query must keep Dexie's zone across its awaits (see timelineViews in views.ts), or
 * the tables it reads after losing it are not watched.
 */
export class LiveQuery<T> implements ReactiveController {
  value: T | undefined;
  error: unknown;
  private sub: Subscription | undefined;
  private key: string | undefined;
  private softKey: string | undefined;
  private pending: (() => void) | undefined;
  private scheduled = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly query: () => Promise<T> | undefined,
    private readonly deps: () => readonly unknown[] = () => [],
    /** Inputs whose change re-subscribes but keeps the value until the new one comes (a chat's window moving). */
    private readonly softDeps: () => readonly unknown[] = () => [],
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.subscribe();
  }

  hostDisconnected(): void {
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.key = undefined;
  }

  hostUpdate(): void {
    if (JSON.stringify(this.deps()) !== this.key) this.subscribe();
    else if (JSON.stringify(this.softDeps()) !== this.softKey) this.subscribe(true);
  }

  private subscribe(keep = false): void {
    this.sub?.unsubscribe();
    this.key = JSON.stringify(this.deps());
    this.softKey = JSON.stringify(this.softDeps());
    if (!keep) {
      this.value = undefined;
      this.error = undefined;
    }
    const sub = liveQuery(() => this.query()).subscribe({
      next: (v) => this.deliver(sub, () => (this.value = v)),
      error: (e: unknown) => this.deliver(sub, () => (this.error = e)),
    });
    this.sub = sub;
  }

  /**
   * Hands a result to the host in a task of its own. Dexie re-runs every live query in the task that
   * completes a write, and answers many from its query cache without waiting for IndexedDB, so without
   * this a write, every view's fold and every host's render ran as one task (the rich benchmark's long
   * tasks). A later result replaces one not yet delivered; one from a subscription since replaced is dropped.
   */
  private deliver(sub: Subscription, set: () => void): void {
    this.pending = () => {
      if (this.sub !== sub) return;
      set();
      this.host.requestUpdate();
    };
    if (this.scheduled) return;
    this.scheduled = true;
    nextTask(() => {
      this.scheduled = false;
      const run = this.pending;
      this.pending = undefined;
      run?.();
    });
  }
}
