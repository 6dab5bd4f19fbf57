import { liveQuery, type Subscription } from "dexie";
import type { ReactiveController, ReactiveControllerHost } from "lit";

/**
 * A Dexie liveQuery as a Lit reactive controller: the host re-renders whenever the tables the query
 * read change (in this tab or another). `deps` re-subscribes when the host's inputs change (the value
 * starts over). `refresh` re-runs the query when what it returns changes, keeping the value shown
 * meanwhile: for a query that must follow data its own subscription may miss.
 */
export class LiveQuery<T> implements ReactiveController {
  value: T | undefined;
  error: unknown;
  private sub: Subscription | undefined;
  private key: string | undefined;
  private refreshKey: string | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly query: () => Promise<T> | undefined,
    private readonly deps: () => readonly unknown[] = () => [],
    private readonly refresh: () => unknown = () => undefined,
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
    else if (JSON.stringify(this.refresh() ?? null) !== this.refreshKey) this.subscribe(true);
  }

  private subscribe(keepValue = false): void {
    this.sub?.unsubscribe();
    this.key = JSON.stringify(this.deps());
    this.refreshKey = JSON.stringify(this.refresh() ?? null);
    if (!keepValue) this.value = undefined;
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
