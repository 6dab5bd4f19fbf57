/**
 * The upload runner (issue 18; docs/decisions.md "Sending attachments"): takes the stored uploads that
 * can run (queued, uploading: left by a closed tab, waiting: retry due) oldest first, one at a time, each
 * under the cross-tab lock `upload:<id>`, and runs it to its sealed message (upload-one.ts). The sync
 * engine starts it (sync/sync.ts) and never waits for it, so text keeps flowing while a file goes up.
 */
import type { ClientContext } from "../context.js";
import { withLock } from "../store/lock.js";
import { getUpload, listUploadsIn, patchUpload } from "../store/uploads.js";
import { Backoff, type BackoffOptions } from "../transport/backoff.js";
import { classifyUploadError } from "./upload-errors.js";
import { UploadGone, uploadAndSeal } from "./upload-one.js";
import { ProgressWriter } from "./upload-progress.js";

export interface UploaderOptions {
  /** Delays before retrying a waiting upload (default 1 s growing to 60 s). */
  readonly retry?: BackoffOptions;
  /** At most one progress write per this many ms (default 250: four a second). */
  readonly progressIntervalMs?: number;
  /** A message was sealed: post the outbox. */
  readonly onSealed: () => void;
  /** The session expired (401): log in again; the pass that does runs the uploads again. */
  readonly onSession: () => void;
}

interface Retry {
  readonly backoff: Backoff;
  at: number;
  /** It waits for the network, not for a server fault: a pass that reached the server retries it at once. */
  network: boolean;
}

export class Uploader {
  private loop: Promise<void> | undefined;
  private again = false;
  private networkBack = false;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly retries = new Map<string, Retry>();
  private readonly aborts = new Map<string, AbortController>();
  private readonly progressMs: number;

  constructor(
    private readonly ctx: ClientContext,
    private readonly o: UploaderOptions,
  ) {
    this.progressMs = o.progressIntervalMs ?? 250;
  }

  /** True while uploads are being run (not while only a retry timer is armed). */
  get busy(): boolean {
    return this.loop !== undefined;
  }

  /** Resolves when no upload is running. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  /**
   * Runs what can run now. `networkBack`: the server was just reached, so uploads waiting only for the
   * network go at once instead of at their backoff time; `all`: every upload, backoff or not (after a
   * send, or the browser's online event).
   */
  run(o: { networkBack?: boolean; all?: boolean } = {}): void {
    if (this.stopped) return;
    if (o.all) this.retries.forEach((r) => (r.at = 0));
    if (o.networkBack || o.all) this.networkBack = true;
    if (this.loop) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.loop = this.drain().finally(() => {
      this.loop = undefined;
      this.arm();
    });
  }

  /** Aborts the upload `id` if this tab runs it (cancel). */
  abort(id: string): void {
    this.aborts.get(id)?.abort();
  }

  /** Stops every upload of this tab (the row stays; another tab or a later start resumes it). */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const a of this.aborts.values()) a.abort();
  }

  start(): void {
    this.stopped = false;
  }

  private async drain(): Promise<void> {
    do {
      this.again = false;
      const networkBack = this.networkBack;
      this.networkBack = false;
      for (const row of await listUploadsIn(this.ctx.db, ["queued", "uploading", "waiting"])) {
        if (this.stopped) return;
        const r = this.retries.get(row.id);
        if (r && r.at > Date.now() && !(networkBack && r.network)) continue;
        await this.runOne(row.id);
      }
    } while (this.again && !this.stopped);
  }

  /** Arms a timer for the earliest retry still due. */
  private arm(): void {
    if (this.stopped || this.retries.size === 0) return;
    const at = Math.min(...[...this.retries.values()].map((r) => r.at));
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), Math.max(0, at - Date.now()));
  }

  private runOne(id: string): Promise<void> {
    return withLock(`upload:${id}`, async () => {
      const row = await getUpload(this.ctx.db, id);
      if (!row || row.state === "failed" || this.stopped) return;
      const abort = new AbortController();
      this.aborts.set(id, abort);
      const progress = new ProgressWriter(this.ctx.db, id, this.progressMs);
      try {
        if (!(await patchUpload(this.ctx.db, id, { state: "uploading", error: undefined }))) return;
        await uploadAndSeal(this.ctx, row, { signal: abort.signal, progress: (n, acked) => progress.report(n, acked) });
        await progress.stop();
        this.retries.delete(id);
        this.o.onSealed();
      } catch (e) {
        await progress.stop();
        // Gone (cancelled, or sealed by another tab), or stopped with the tab: the row, if any, stays as
        // it is, for the next start to resume.
        if (e instanceof UploadGone || abort.signal.aborted) {
          this.retries.delete(id);
          return;
        }
        await this.failed(id, e, progress.acknowledged);
      } finally {
        this.aborts.delete(id);
      }
    });
  }

  private async failed(id: string, e: unknown, sentBytes: number): Promise<void> {
    const f = classifyUploadError(e);
    if (f.kind === "refused") {
      console.warn(`upload ${id} refused:`, e);
      this.retries.delete(id);
      await patchUpload(this.ctx.db, id, { state: "failed", error: f.error, sentBytes });
      return;
    }
    const r = this.retries.get(id) ?? { backoff: new Backoff({ initialMs: 1000, maxMs: 60_000, ...this.o.retry }), at: 0, network: false };
    r.at = Date.now() + r.backoff.next();
    r.network = f.kind === "wait" && f.network;
    this.retries.set(id, r);
    await patchUpload(this.ctx.db, id, { state: "waiting", sentBytes });
    if (f.kind === "session") this.o.onSession();
  }
}
