import { liveQuery, type Subscription } from "dexie";
import type { ReactiveController, ReactiveControllerHost } from "lit";

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
    this.sub?.unsubscribe();
    this.sub = undefined;
    this.key = undefined;
  }

  hostUpdate(): void {
    if (JSON.stringify(this.deps()) !== this.key) this.subscribe();
  }

  private subscribe(): void {
    this.sub?.unsubscribe();
    this.key = JSON.stringify(this.deps());
    this.value = undefined;
    this.error = undefined;
    this.sub = liveQuery(() => this.query()).subscribe({
      next: (v) => {
        this.value = v;
        this.host.requestUpdate();
      },
      error: (e: unknown) => {
        this.error = e;
        this.host.requestUpdate();
      },
    });
  }
}
