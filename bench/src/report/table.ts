import type { BenchResult } from "../result.js";
import { formatGoal, formatStatus, formatValue } from "./format.js";

/** The figures of this run, for the terminal. */
export function printTable(results: readonly BenchResult[]): void {
  const rows = results.flatMap((r) => r.figures.map((f) => [r.name, formatValue(f.value, f.unit), formatGoal(f.goal, f.unit), formatStatus(f), f.label]));
  if (!rows.length) return;
  const head = ["bench", "measured", "goal", "status", "figure"];
  const widths = head.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 4 ? c : i === 1 || i === 2 ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number))).join("  ");
  console.log(`\n${line(head)}\n${line(widths.map((w) => "-".repeat(w)).concat("------"))}`);
  for (const r of rows) console.log(line(r));
}
