import { Dexie } from "dexie";
import type { ConversationId } from "../../../../protocol/index.js";
import type { SealedDb } from "../store/db.js";
import { messageRow, parseRows } from "../store/rows.js";
import { applyIndexUpdate, storedRowsUpdate } from "./index-message.js";
import { searchProgressRow, type SearchProgressRow } from "./search-rows.js";

/**
 * Indexes the stored history in the background (docs/decisions.md "Search index"). The durable queue is
 * the history itself: per conversation, `searchProgress.upTo` says up to which server position every row
 * is indexed, and the receive cursor says how far rows are stored. Rows are taken in server order, so an
 * edit or a delete (a row of its own, later than its target) re-indexes its target after the target was
 * indexed. Each batch is one short transaction; between batches the indexer yields, so receiving (a
 * restore's history) is never held up for long.
 */

/** Rows indexed per transaction: small enough that a page being received waits at most a few ms. */
const BATCH = 200;

/** How far the index is: stored rows indexed, of all stored rows (server positions, summed over chats). */
export interface IndexProgress {
  readonly indexed: number;
  readonly total: number;
}

export async function indexProgress(db: SealedDb): Promise<IndexProgress> {
  const [cursors, progress] = await Promise.all([db.cursors.toArray(), db.searchProgress.toArray()]);
  const upTo = new Map(parseRows(searchProgressRow, "searchProgress", progress).map((p) => [p.conversationId, p.upTo]));
  let indexed = 0;
  let total = 0;
  for (const c of cursors) {
    total += c.after;
    indexed += Math.min(c.after, upTo.get(c.conversationId) ?? 0);
  }
  return { indexed, total };
}

/** Indexes one batch of a conversation; returns whether more is left to index there. */
export async function indexBatch(db: SealedDb, conversationId: ConversationId): Promise<boolean> {
  // Read in a read-only transaction, written in one over the index alone: a read-write transaction over
  // `messages` would make every chat's reads (an open chat's live query) wait behind each batch.
  const plan = await db.transaction("r", [db.messages, db.cursors, db.searchProgress], async () => {
    const cursor = await db.cursors.get(conversationId);
    const after = cursor?.after ?? 0;
    const upTo = await progressOf(db, conversationId);
    if (upTo >= after) return undefined;
    const raw = await db.messages
      .where("[conversationId+seq]")
      .between([conversationId, upTo + 1], [conversationId, after], true, true)
      .limit(BATCH)
      .toArray();
    const rows = parseRows(messageRow, "messages", raw);
    const done = rows.length < BATCH;
    return { upTo, update: await storedRowsUpdate(db, rows), done, next: done ? after : (rows.at(-1)?.seq ?? after) };
  });
  if (!plan) return false;
  return db.transaction("rw", [db.searchPostings, db.searchTerms, db.searchProgress], async () => {
    // Another run (another tab) indexed these meanwhile: its postings stand; this batch is read again.
    if ((await progressOf(db, conversationId)) !== plan.upTo) return true;
    await applyIndexUpdate(db, plan.update);
    await db.searchProgress.put({ conversationId, upTo: plan.next } satisfies SearchProgressRow);
    return !plan.done;
  });
}

async function progressOf(db: SealedDb, conversationId: ConversationId): Promise<number> {
  const stored = await db.searchProgress.get(conversationId);
  return stored ? searchProgressRow.parse(stored).upTo : 0;
}

/** Runs batches until every conversation is indexed up to its cursor; one run at a time. */
export class SearchIndexer extends EventTarget {
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly db: SealedDb) {
    super();
  }

  /** Indexes what is stored and not indexed yet; resolves when the index has caught up. */
  catchUp(): Promise<void> {
    this.stopped = false;
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  stop(): void {
    this.stopped = true;
  }

  private async run(): Promise<void> {
    do {
      this.again = false;
      const ids = (await this.db.cursors.toCollection().primaryKeys()) as ConversationId[];
      for (const id of ids) {
        while (!this.stopped && (await indexBatch(this.db, id))) {
          this.dispatchEvent(new Event("progress"));
          // A macrotask between batches: receiving and rendering get their turn.
          await new Promise((r) => setTimeout(r, 0));
        }
        if (this.stopped) return;
      }
      this.dispatchEvent(new Event("progress"));
    } while (this.again && !this.stopped);
  }
}

/** Dexie's own errors once the store is closed or deleted (the device was wiped): the indexer just stops. */
export function isClosedStore(e: unknown): boolean {
  return e instanceof Dexie.DatabaseClosedError;
}
