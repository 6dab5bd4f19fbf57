// Measuring code that runs inside the app's page (passed to page.evaluate, so each function is
// self-contained): long tasks while reactions and edits arrive in the open chat.
import type { ShadowFind } from "../page/shadow-find.js";

/** Starts recording long tasks (Chromium reports tasks of 50 ms and more) into globalThis.sealedLongTasks. */
export function watchLongTasksInPage(): void {
  const g = globalThis as unknown as { sealedLongTasks?: number[]; sealedLongTaskObserver?: PerformanceObserver };
  g.sealedLongTaskObserver?.disconnect();
  const tasks: number[] = (g.sealedLongTasks = []);
  g.sealedLongTaskObserver = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) tasks.push(e.duration);
  });
  g.sealedLongTaskObserver.observe({ type: "longtask" });
  // Long animation frames name the scripts that ran in them (what a long task alone cannot say).
  const lg = globalThis as unknown as { sealedLongFrames?: LongFrame[]; sealedLongFrameObserver?: PerformanceObserver };
  lg.sealedLongFrameObserver?.disconnect();
  const frames: LongFrame[] = (lg.sealedLongFrames = []);
  const scripts: Record<string, number> = ((globalThis as unknown as { sealedScriptBuckets?: Record<string, number> }).sealedScriptBuckets = {});
  lg.sealedLongFrameObserver = new PerformanceObserver((l) => {
    for (const e of l.getEntries() as unknown as LoafEntry[]) {
      for (const s of e.scripts) {
        // Scripts of the long frames by how long each ran: a finer figure than the few tasks over 50 ms.
        const bucket = [40, 30, 20].find((b) => s.duration >= b);
        if (bucket !== undefined) scripts[`>=${bucket} ms ${s.invoker.split(".")[0]}`] = (scripts[`>=${bucket} ms ${s.invoker.split(".")[0]}`] ?? 0) + 1;
      }
      frames.push({
        duration: Math.round(e.duration),
        styleAndLayout: Math.round(e.styleAndLayoutStart > 0 ? e.startTime + e.duration - e.styleAndLayoutStart : 0),
        scripts: e.scripts.map((s) => ({
          what: `${s.invoker} ${s.sourceFunctionName || ""}@${(s.sourceURL || "").split("/").pop()}:${s.sourceCharPosition}`,
          ms: Math.round(s.duration),
          forcedLayoutMs: Math.round(s.forcedStyleAndLayoutDuration),
        })),
      });
      frames.sort((a, b) => b.duration - a.duration);
      frames.splice(5);
    }
  });
  lg.sealedLongFrameObserver.observe({ type: "long-animation-frame" });
}

interface LoafEntry {
  readonly startTime: number;
  readonly duration: number;
  readonly styleAndLayoutStart: number;
  readonly scripts: readonly { invoker: string; sourceFunctionName: string; sourceURL: string; sourceCharPosition: number; duration: number; forcedStyleAndLayoutDuration: number }[];
}

/** One of the longest animation frames: its length, its rendering part, and the scripts that ran in it. */
export interface LongFrame {
  readonly duration: number;
  readonly styleAndLayout: number;
  readonly scripts: readonly { readonly what: string; readonly ms: number; readonly forcedLayoutMs: number }[];
}

export interface ApplyRun {
  /** From the call to the frame in which the open chat shows `text`. */
  readonly ms: number;
  /** Long tasks seen since watchLongTasksInPage, durations in ms. */
  readonly longTasks: number[];
  /** The longest gap between two animation frames while waiting (a stall the user would see). */
  readonly longestFrameMs: number;
  /** The five longest animation frames, with the scripts that ran in them. */
  readonly longestFrames: readonly LongFrame[];
  /** How many scripts in long animation frames ran 20, 30 or 40 ms or more, by what invoked them. */
  readonly scriptBuckets: Readonly<Record<string, number>>;
}

/** Waits, frame by frame, until a message text in the open chat reads `text`; then returns the long tasks. */
export async function waitForTextInPage(a: { text: string; timeoutMs: number }): Promise<ApplyRun> {
  const find = (globalThis as unknown as { sealedFind: ShadowFind }).sealedFind;
  const t0 = performance.now();
  let last = t0;
  let longestFrameMs = 0;
  // The probe runs in the page it measures: it finds the list once and looks at its texts every 8th
  // frame, so its own work stays far below the long tasks it is there to catch.
  let ol: Element | null | undefined;
  let frames = 0;
  await new Promise<void>((resolve, reject) => {
    const frame = (now: number) => {
      longestFrameMs = Math.max(longestFrameMs, now - last);
      last = now;
      if (frames++ % 8 === 0) {
        if (!ol?.isConnected) ol = find(document, "sealed-message-list")?.shadowRoot?.querySelector("[data-testid=message-list]");
        const texts = ol ? [...ol.querySelectorAll("[data-testid=message-text]")].map((t) => t.textContent) : [];
        if (texts.includes(a.text)) return resolve();
      }
      if (now - t0 > a.timeoutMs) return reject(new Error(`${JSON.stringify(a.text)} not shown after ${a.timeoutMs} ms`));
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  const ms = performance.now() - t0;
  // Long-task entries are delivered after their task ends.
  await new Promise((r) => setTimeout(r, 300));
  const g = globalThis as unknown as { sealedLongTasks?: number[]; sealedLongFrames?: LongFrame[]; sealedScriptBuckets?: Record<string, number> };
  return { ms, longTasks: [...(g.sealedLongTasks ?? [])], longestFrameMs, longestFrames: [...(g.sealedLongFrames ?? [])], scriptBuckets: { ...(g.sealedScriptBuckets ?? {}) } };
}
