// A CPU profile of the app's page while a benchmark runs (BENCH_PROFILE=<file>): what the main thread
// spent its time on, summed by function (self time), so a missed goal comes with where the time went.
import { writeFileSync } from "node:fs";
import type { CDPSession, Page } from "playwright-core";

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  /** Microseconds from the previous sample (the first from startTime). */
  timeDeltas?: number[];
}

/** Starts profiling `page` when BENCH_PROFILE is set; the returned stop() writes the summary there. */
export async function profileIf(page: Page): Promise<() => Promise<void>> {
  const out = process.env["BENCH_PROFILE"];
  if (!out) return async () => {};
  const cdp: CDPSession = await page.context().newCDPSession(page);
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
  await cdp.send("Profiler.start");
  return async () => {
    const { profile } = (await cdp.send("Profiler.stop")) as unknown as { profile: Profile };
    writeFileSync(out, summarize(profile));
    console.error(`cpu profile summary written to ${out}`);
  };
}

function summarize(p: Profile): string {
  const totalMs = (p.endTime - p.startTime) / 1000;
  const samples = p.samples?.length ?? 1;
  const msPerSample = totalMs / samples;
  const self = new Map<string, number>();
  for (const n of p.nodes) {
    const f = n.callFrame;
    const file = f.url.split("/").pop() ?? "";
    const key = `${f.functionName || "(anonymous)"} ${file}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (n.hitCount ?? 0) * msPerSample);
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 60);
  // Where the heaviest native calls (IndexedDB, DOM) come from: self time by caller chain (3 frames up).
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const name = (n: ProfileNode | undefined) => (n ? `${n.callFrame.functionName || "(anonymous)"}:${n.callFrame.lineNumber + 1}` : "-");
  const callers = new Map<string, number>();
  for (const n of p.nodes) {
    if (!n.hitCount || n.callFrame.url !== "") continue;
    const p1 = parent.get(n.id);
    const p2 = p1 && parent.get(p1.id);
    const p3 = p2 && parent.get(p2.id);
    const key = `${name(n)} <- ${name(p1)} <- ${name(p2)} <- ${name(p3)}`;
    callers.set(key, (callers.get(key) ?? 0) + n.hitCount * msPerSample);
  }
  const chains = [...callers].sort((a, b) => b[1] - a[1]).slice(0, 40);
  const long = longStretches(p, parent, name);
  return (
    [
      `profile ${Math.round(totalMs)} ms, ${samples} samples`,
      ...rows.map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${k}`),
      "",
      "native calls by caller:",
      ...chains.map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${k}`),
      "",
      `inside busy stretches of ${LONG_MS} ms or more (${long.count}, the longest ${Math.round(long.longest)} ms): self time by stack (4 frames)`,
      ...long.rows.map(([k, ms]) => `${ms.toFixed(0).padStart(8)} ms  ${k}`),
    ].join("\n") + "\n"
  );
}

/** A stretch of samples with no idle one between them at least this long is a long task's worth of work. */
const LONG_MS = 50;

/**
 * What the main thread did in its long stretches of work: consecutive samples that are not "(idle)",
 * lasting LONG_MS or more, with the self time of each sample's 4-frame stack summed over all of them.
 */
function longStretches(p: Profile, parent: Map<number, ProfileNode>, name: (n: ProfileNode | undefined) => string): { count: number; longest: number; rows: [string, number][] } {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  const stack = (id: number): string => {
    const frames: string[] = [];
    for (let n = byId.get(id); n && frames.length < 4; n = parent.get(n.id)) frames.push(name(n));
    return frames.join(" <- ");
  };
  const bySamples = new Map<string, number>();
  let run: { ms: number; stacks: Map<string, number> } = { ms: 0, stacks: new Map() };
  let count = 0;
  let longest = 0;
  const close = () => {
    if (run.ms >= LONG_MS) {
      count++;
      longest = Math.max(longest, run.ms);
      for (const [k, ms] of run.stacks) bySamples.set(k, (bySamples.get(k) ?? 0) + ms);
    }
    run = { ms: 0, stacks: new Map() };
  };
  for (let i = 0; i < samples.length; i++) {
    const node = byId.get(samples[i]!);
    const ms = (deltas[i + 1] ?? 0) / 1000;
    if (!node || node.callFrame.functionName === "(idle)") {
      close();
      continue;
    }
    run.ms += ms;
    const k = stack(node.id);
    run.stacks.set(k, (run.stacks.get(k) ?? 0) + ms);
  }
  close();
  return { count, longest, rows: [...bySamples].sort((a, b) => b[1] - a[1]).slice(0, 40) };
}
