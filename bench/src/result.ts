/**
 * What a benchmark reports. One JSON file per benchmark in bench/results/<name>.json; docs/BENCHMARKS.md
 * is rendered from the newest of each.
 */

/** A target from the issue: the figure meets it when `value <= goal` (at_most) or `value >= goal` (at_least). */
export interface Goal {
  readonly kind: "at_most" | "at_least";
  readonly value: number;
}

export interface Figure {
  /** Stable key, e.g. "crypto.chromium.seal.100B". */
  readonly id: string;
  readonly label: string;
  readonly value: number;
  /** "µs", "ms", "×", "KB", "B", "msg/s" ... */
  readonly unit: string;
  /** Absent for figures reported for reference only. */
  readonly goal?: Goal;
  /** How it was measured (runs, samples, what the clock covers). */
  readonly method?: string;
  /** For a figure that misses its goal: why, and what would fix it. Shown only when it misses. */
  readonly ifMissed?: { readonly why: string; readonly fix: string };
}

export type Status = "met" | "missed" | "reference";

export function statusOf(f: Figure): Status {
  if (!f.goal || !Number.isFinite(f.value)) return f.goal ? "missed" : "reference";
  return (f.goal.kind === "at_most" ? f.value <= f.goal.value : f.value >= f.goal.value) ? "met" : "missed";
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly ramGiB: number;
  readonly os: string;
  readonly node: string;
  readonly chromium: string;
  readonly gitCommit: string;
  /** True when the working tree had uncommitted changes. */
  readonly gitDirty: boolean;
}

/** What one benchmark module returns; the runner adds the rest of BenchResult. */
export interface BenchOutput {
  readonly figures: readonly Figure[];
  /** Free-form facts worth keeping (parameters, raw per-run numbers). */
  readonly details?: Record<string, unknown>;
  /** Caveats shown under the benchmark's section. */
  readonly notes?: readonly string[];
}

export interface BenchResult extends BenchOutput {
  readonly name: string;
  readonly title: string;
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: MachineInfo;
  /** os.loadavg() (1, 5, 15 min) before and after: above the core count means the machine was shared. */
  readonly loadAverage: { readonly before: readonly number[]; readonly after: readonly number[] };
}

/** A benchmark the runner can run by name. */
export interface Benchmark {
  readonly name: string;
  readonly title: string;
  /** One paragraph for docs/BENCHMARKS.md: what is measured and how. */
  readonly method: string;
  /** How long the runner lets it run before stopping it (default 10 minutes). */
  timeoutMs?(): number;
  run(): Promise<BenchOutput>;
}
