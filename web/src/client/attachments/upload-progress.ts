import type { SealedDb } from "../store/db.js";
import { patchUpload } from "../store/uploads.js";

/**
 * An upload's progress written to its row (which the UI watches) at most once per interval, the newest
 * value last: a fast upload of many parts does not write the store on every event.
 */
export class ProgressWriter {
  private latest: number | undefined;
  private acked = 0;
  private lastAt = -Infinity;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly db: SealedDb,
    private readonly id: string,
    private readonly intervalMs: number,
  ) {}

  /** Ciphertext bytes the server holds (`acknowledged`) or holds with the part in flight. */
  report(sentBytes: number, acknowledged = false): void {
    if (acknowledged) this.acked = sentBytes;
    this.latest = sentBytes;
    this.schedule();
  }

  /** What the server acknowledged so far (what to keep when the upload stops). */
  get acknowledged(): number {
    return this.acked;
  }

  /** No more writes; resolves once the one under way is done. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.writing;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined || this.writing) return;
    this.timer = setTimeout(() => this.flush(), Math.max(0, this.lastAt + this.intervalMs - Date.now()));
  }

  private flush(): void {
    this.timer = undefined;
    const n = this.latest;
    if (this.stopped || n === undefined) return;
    this.latest = undefined;
    this.lastAt = Date.now();
    this.writing = patchUpload(this.db, this.id, { sentBytes: n })
      .then(
        () => undefined,
        () => undefined,
      )
      .finally(() => {
        this.writing = undefined;
        if (this.latest !== undefined) this.schedule();
      });
  }
}
