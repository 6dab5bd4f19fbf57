/**
 * sync/: moving messages between the store and the server. sync.ts: the Syncer (poll loop, realtime
 * socket, session renewal, status); outbox.ts: posting pending messages; receive.ts: fetching, judging
 * and committing envelopes page by page; push.ts: what each realtime frame means; history.ts: loading a
 * long history with progress.
 */
import { logIn } from "../identity/account.js";
import type { RealtimeServerFrame } from "../../../../protocol/api.js";
import { isApiError } from "../transport/api.js";
import { Backoff, type BackoffOptions } from "../transport/backoff.js";
import type { ClientContext } from "../context.js";
import { syncConversations } from "../conversations/conversations.js";
import { getCursor } from "../store/db.js";
import { classifySendError, flushAll } from "./outbox.js";
import { applyFrames } from "./push.js";
import { pullReadStates } from "./read-state.js";
import { pullChatSettings, pushChatSettings, queueResealAfterRotation } from "./chat-settings.js";
import { pullMessages } from "./receive.js";
import { reopenMarked } from "./reopen.js";
import type { FrameEvent, RealtimeConnection } from "../transport/realtime.js";
import { Uploader } from "../attachments/upload.js";

/**
 * What the UI shows: `connecting` before the server has answered (at start, or after the network came
 * back), `syncing` while catching up by cursor, `online` when caught up (live over the socket, or by
 * polling when the socket cannot be had), `offline` when the network or the server is unreachable.
 */
export type SyncStatus = "connecting" | "syncing" | "online" | "offline";

/** Poll interval without a realtime socket (the fallback). */
export const POLL_INTERVAL_MS = 1500;
/** Poll interval while the socket is up: only a safety net for a push that was lost. */
export const SAFETY_NET_INTERVAL_MS = 30_000;

/**
 * The least time between two batches of realtime frames while they keep coming: an isolated message is
 * applied at once, a burst (reactions pouring in, a group's busy minute) in batches at most this often.
 */
export const BURST_GAP_MS = 100;

export interface SyncOptions {
  readonly realtime?: RealtimeConnection;
  readonly pollMs?: number;
  readonly safetyNetMs?: number;
  /** Retry delays after a failed pass or a stalled outbox (default 0.5-1 s, growing to 15-30 s). */
  readonly retry?: BackoffOptions;
  /** Retry delays of an upload waiting for the network or the server (default 0.5-1 s, growing to 30-60 s). */
  readonly uploadRetry?: BackoffOptions;
  /** The least gap between batches of realtime frames in a burst (BURST_GAP_MS). */
  readonly burstGapMs?: number;
}

/** No answer, or a server fault: the connection is down as far as the user is concerned. */
function unreachable(e: unknown): boolean {
  return isApiError(e) && (e.code === "network" || e.status >= 500);
}

/**
 * Keeps the local store in step with the server and empties the outbox. A pass lists the conversations,
 * posts the outbox, then pulls messages where the server's sequence moved past the local cursor. Passes
 * run on start, on every realtime (re)connect, when the network returns, after a failure (with backoff)
 * and on a timer: every 1.5 s without a socket, every 30 s with one. Pushed frames are applied in
 * arrival order. A lost session is renewed by logging in again.
 *
 * Uploads (attachments/upload.ts) run beside all this, never holding it up: started after each pass that
 * reached the server, after a send, and when the network returns.
 *
 * Events: "status" when `status` or `live` changes; "stalled" when the outbox could not be emptied (the
 * page registers Background Sync then); "refused" when the server refused to log this device in.
 */
export class Syncer extends EventTarget {
  status: SyncStatus = "connecting";
  private readonly realtime: RealtimeConnection | undefined;
  private readonly pollMs: number;
  private readonly safetyNetMs: number;
  private readonly retry: Backoff;
  private retryDelay: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private reachable: boolean | undefined;
  private networkDown = false;
  private catchingUp = 0;
  private frames: Promise<void> = Promise.resolve();
  /** Frames received and not yet taken into a batch (onFrame). */
  private waitingFrames: RealtimeServerFrame[] = [];
  /** When the last batch of frames was applied (performance.now()), and the least gap to the next in a burst. */
  private lastBatchAt = -Infinity;
  private readonly burstGapMs: number;
  private flushing: Promise<void> | undefined;
  private flushAgain = false;
  /** Files being sent. */
  readonly uploads: Uploader;

  constructor(
    private readonly ctx: ClientContext,
    o: SyncOptions = {},
  ) {
    super();
    this.realtime = o.realtime;
    this.pollMs = o.pollMs ?? POLL_INTERVAL_MS;
    this.safetyNetMs = o.safetyNetMs ?? SAFETY_NET_INTERVAL_MS;
    this.burstGapMs = o.burstGapMs ?? BURST_GAP_MS;
    this.retry = new Backoff({ initialMs: 1000, maxMs: 30_000, ...o.retry });
    this.uploads = new Uploader(ctx, {
      ...(o.uploadRetry ? { retry: o.uploadRetry } : {}),
      onSealed: () => this.flushSoon(),
      onSession: () => void this.syncNow(),
    });
    this.realtime?.addEventListener("connected", () => {
      this.setReachable(true);
      void this.catchUp();
    });
    this.realtime?.addEventListener("frame", (e) => this.onFrame(e as FrameEvent));
    // The server closes a revoked device's socket with 4401: find out at once (the pass logs in again).
    this.realtime?.addEventListener("revoked", () => void this.syncNow());
    this.realtime?.addEventListener("state", () => {
      this.reschedule();
      this.dispatchEvent(new Event("status"));
    });
  }

  /** True while the realtime socket is open (pushes arrive without polling). */
  get live(): boolean {
    return this.realtime?.state === "open";
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.uploads.start();
    if (!this.networkDown) this.realtime?.start();
    void this.catchUp();
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.realtime?.stop();
    this.uploads.stop();
  }

  /** Runs one pass now, or joins the one under way. */
  syncNow(): Promise<void> {
    this.inFlight ??= this.pass().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  /**
   * A pass that starts after any pass under way (which may have listed conversations before the event
   * that asks for this one), shown as `syncing`.
   */
  async catchUp(): Promise<void> {
    this.catchingUp++;
    this.updateStatus();
    try {
      if (!this.inFlight) await this.syncNow();
      else {
        this.queued ??= this.inFlight.then(() => {
          this.queued = undefined;
          return this.syncNow();
        });
        await this.queued;
      }
    } finally {
      this.catchingUp--;
      this.updateStatus();
    }
  }

  /** The browser's online/offline events. Offline suspends the socket; online reconnects and catches up. */
  setNetwork(online: boolean): void {
    if (online === !this.networkDown) return;
    this.networkDown = !online;
    if (!this.running) return;
    if (!online) {
      this.updateStatus();
      this.realtime?.suspend();
      return;
    }
    this.reachable = undefined;
    this.retry.reset();
    this.retryDelay = undefined;
    this.realtime?.resume();
    this.uploads.run({ all: true });
    void this.catchUp();
  }

  /** Posts the outbox now (after a send). On failure, retries with backoff and reports "stalled". */
  flushSoon(): void {
    if (this.flushing) {
      this.flushAgain = true;
      return;
    }
    this.flushing = (async () => {
      do {
        this.flushAgain = false;
        try {
          await flushAll(this.ctx);
        } catch (e) {
          if (classifySendError(e) === "session") void this.syncNow(); // logs in again, then flushes
          else this.stalled(e);
          return;
        }
      } while (this.flushAgain);
    })().finally(() => (this.flushing = undefined));
  }

  /** Runs every stored upload now (after a send or a retry), without waiting for them. */
  runUploads(): void {
    this.uploads.run({ all: true });
  }

  /** Stops this tab's run of one upload (it is being cancelled). */
  abortUpload(uploadId: string): void {
    this.uploads.abort(uploadId);
  }

  /** Resolves when no flush, pass or pushed frame is being processed (tests wait on it). */
  async settled(): Promise<void> {
    while (this.flushing || this.inFlight || this.uploads.busy) {
      await this.flushing;
      await this.inFlight;
      await this.uploads.idle();
    }
    await this.frames;
  }

  private stalled(e: unknown): void {
    console.warn("outbox stalled, will retry:", e);
    this.retryDelay ??= this.retry.next();
    this.reschedule();
    this.dispatchEvent(new Event("stalled"));
  }

  /**
   * Frames are applied one batch at a time: those that arrive while a batch is applied wait and go
   * together in the next (applyFrames stores a run of pushed messages as one page).
   */
  private onFrame(e: FrameEvent): void {
    const waiting = this.waitingFrames.length > 0;
    this.waitingFrames.push(e.frame);
    if (waiting) return;
    this.frames = this.frames
      .then(() => {
        // In a burst (the last batch was applied moments ago) the next one waits out the gap, so frames
        // that arrive meanwhile are stored together: one commit, one re-run of the open chat's views.
        const wait = this.lastBatchAt + this.burstGapMs - performance.now();
        return wait > 0 ? new Promise<void>((r) => setTimeout(r, wait)) : undefined;
      })
      .then(() => {
        const batch = this.waitingFrames.splice(0);
        return applyFrames(this.ctx, batch).finally(() => (this.lastBatchAt = performance.now())).catch((err: unknown) => {
          // Frames are only hints: a pass soon fetches the same by cursor.
          console.warn(`realtime frames (${batch.map((f) => f.type).join(", ")}) not all applied, catching up instead:`, err);
          this.retryDelay ??= this.retry.next();
          this.reschedule();
        });
      });
  }

  private reschedule(): void {
    clearTimeout(this.timer);
    if (!this.running || this.inFlight) return; // a pass reschedules when it ends
    const delay = this.retryDelay ?? (this.live ? this.safetyNetMs : this.pollMs);
    this.timer = setTimeout(() => void this.syncNow(), delay);
  }

  private setReachable(r: boolean): void {
    this.reachable = r;
    this.updateStatus();
  }

  private updateStatus(): void {
    const s: SyncStatus =
      this.networkDown || this.reachable === false ? "offline" : this.reachable === undefined ? "connecting" : this.catchingUp > 0 ? "syncing" : "online";
    if (s === this.status) return;
    this.status = s;
    this.dispatchEvent(new Event("status"));
  }

  private async pass(): Promise<void> {
    clearTimeout(this.timer);
    try {
      let stalled: unknown;
      try {
        stalled = await this.passOnce();
      } catch (e) {
        if (!(isApiError(e) && e.status === 401)) throw e;
        await this.logInOrRefused();
        this.realtime?.resume(); // the socket's handshake needed the new session cookie
        stalled = await this.passOnce();
      }
      if (stalled !== undefined) this.stalled(stalled);
      else {
        this.retry.reset();
        this.retryDelay = undefined;
      }
    } catch (e) {
      if (unreachable(e)) this.setReachable(false);
      else console.warn("sync failed:", e);
      this.retryDelay = this.retry.next();
    } finally {
      // inFlight is still set here; clear it first so reschedule arms the timer.
      this.inFlight = undefined;
      this.reschedule();
    }
  }

  /**
   * Logs in again after a 401. A challenge refused as forbidden, or two refused logins in a row (each
   * with a fresh nonce), stop the loop and fire "refused": the owner (ChatClient) then checks this
   * device's own log before believing it was removed (issue 15 item 7).
   */
  private async logInOrRefused(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await logIn(this.ctx);
        return;
      } catch (e) {
        // The challenge answers 403 for a revoked device (docs/API.md); login_failed twice looks the same.
        const forbidden = isApiError(e, "forbidden");
        if (!forbidden && !isApiError(e, "login_failed")) throw e;
        if (forbidden || attempt >= 1) {
          this.stop();
          this.dispatchEvent(new Event("refused"));
          throw e;
        }
      }
    }
  }

  /** One pass. Returns the outbox's error when it must retry (the rest of the pass still ran). */
  private async passOnce(): Promise<unknown> {
    const conversations = await syncConversations(this.ctx);
    this.setReachable(true);
    // The server answers: files waiting for the network go now, beside the rest of the pass.
    this.uploads.run({ networkBack: true });
    let stalled: unknown;
    try {
      await flushAll(this.ctx);
    } catch (e) {
      if (classifySendError(e) === "session") throw e;
      stalled = e;
    }
    // Rows an older version stored without applying their kind (sync/reopen.ts): usually none.
    await reopenMarked(this.ctx);
    for (const c of conversations) {
      if (c.lastSeq > (await getCursor(this.ctx.db, c.id))) await pullMessages(this.ctx, c.id);
    }
    // After the messages, so a read state's position names a row this device holds (the realtime nudge
    // pulls them at once; this is the safety net).
    await pullReadStates(this.ctx);
    // After the messages too, so a "Delete chat" from another device deletes the rows fetched; then the
    // settings sealed under an older AHK generation are sealed again under the current one.
    await pullChatSettings(this.ctx);
    if ((await queueResealAfterRotation(this.ctx)) > 0) await pushChatSettings(this.ctx);
    return stalled;
  }
}
