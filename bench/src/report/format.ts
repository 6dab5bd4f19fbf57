import { statusOf, type Figure, type Goal, type BenchResult } from "../result.js";

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return n.toLocaleString("en-US", { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2 });
}

export function formatValue(value: number, unit: string): string {
  return unit === "×" ? `${formatNumber(value)}×` : `${formatNumber(value)} ${unit}`;
}

export function formatGoal(goal: Goal | undefined, unit: string): string {
  if (!goal) return "—";
  return `${goal.kind === "at_most" ? "≤" : "≥"} ${formatValue(goal.value, unit)}`;
}

export function formatStatus(f: Figure): string {
  return { met: "met", missed: "MISSED", reference: "reference" }[statusOf(f)];
}

/** One line on where and when a result was measured, flagging a loaded machine. */
export function provenance(r: BenchResult): string {
  const m = r.machine;
  const busiest = Math.max(...r.loadAverage.before.slice(0, 1), ...r.loadAverage.after.slice(0, 1));
  const shared = busiest > m.cores ? ` (above ${m.cores} cores: the machine was shared with other work, so expect noise)` : "";
  return (
    `Measured ${r.startedAt.replace("T", " ").slice(0, 16)} UTC in ${r.seconds} s on ${m.cpuModel}, ${m.cores} cores, ${m.ramGiB} GiB RAM, ` +
    `${m.os}, Node ${m.node}, ${m.chromium}, commit ${m.gitCommit}${m.gitDirty ? " with uncommitted changes" : ""}. ` +
    `1-minute load average ${r.loadAverage.before[0]} before, ${r.loadAverage.after[0]} after${shared}.`
  );
}
