import type { ClientContext } from "../context.js";
import { SearchIndexer, indexProgress, isClosedStore, type IndexProgress } from "./indexer.js";
import { onPageStored } from "./stored-signal.js";
import { searchMessages, type SearchOptions, type SearchResult } from "./query.js";

/** How long the indexer waits after a page is stored: a history arriving page after page is indexed once it pauses. */
const SETTLE_MS = 400;
/**
 * How long it waits after a whole history has loaded (a restore or link): the chat list is drawn from the
 * new history first, without indexing batches between its reads (issue 20: a restore no slower).
 */
const AFTER_LOAD_MS = 2_000;

/**
 * `client.search`: full-text search over this device's decrypted history, from a local index that is
 * never sent anywhere (search/*.ts). Works offline: it reads only IndexedDB.
 */
export class SearchFacade {
  private readonly indexer: SearchIndexer;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private started = false;
  /** Work under way that indexing must not slow down (a restore loading the history). */
  private held = 0;

  constructor(private readonly ctx: ClientContext) {
    this.indexer = new SearchIndexer(ctx.db);
  }

  /** Newest matching messages first; see search/query.ts. */
  query(text: string, o: SearchOptions = {}): Promise<SearchResult[]> {
    return searchMessages(this.ctx.db, text, o);
  }

  /** How much of the stored history is indexed (read it in a live query to follow it). */
  progress(): Promise<IndexProgress> {
    return indexProgress(this.ctx.db);
  }

  /** Indexes everything stored so far; resolves once the index has caught up (tests, benchmarks). */
  catchUp(): Promise<void> {
    return this.indexer.catchUp();
  }

  /** Keeps the index up to date in the background from now on: what is stored now, then each new page. */
  start(): void {
    if (this.started) return;
    this.started = true;
    onPageStored(this.ctx, () => this.soon());
    this.soon();
  }

  stop(): void {
    this.started = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    onPageStored(this.ctx, () => undefined);
    this.indexer.stop();
  }

  /**
   * Runs `work` with background indexing paused (a restore or link loading the whole history: pages are
   * committed as fast as without search), then indexes what it stored.
   */
  async holdWhile<T>(work: () => Promise<T>): Promise<T> {
    this.held++;
    this.indexer.stop();
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    try {
      return await work();
    } finally {
      this.held--;
      if (this.held === 0 && this.started) this.soon(AFTER_LOAD_MS);
    }
  }

  private soon(wait = SETTLE_MS): void {
    if (this.held > 0) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.indexer.catchUp().catch((e: unknown) => {
        if (!isClosedStore(e)) console.warn("search indexing failed:", e);
      });
    }, wait);
  }
}
