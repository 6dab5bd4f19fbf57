// Which test files were running at a moment: those started before it and not ended before it.
// Usage: node scripts/running-at.mjs <unix-ms> [progress.log]   (written by running-reporter.mjs)
import { existsSync, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

/** Files whose last "start" line is before `at` with no "end" line between that start and `at`. */
export function runningAt(text, at) {
  const open = new Map();
  for (const line of text.split("\n")) {
    const [ms, what, file] = line.split(" ");
    if (!file || Number(ms) > at) continue;
    if (what === "start") open.set(file, Number(ms));
    else if (what === "end") open.delete(file);
  }
  return [...open.keys()];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const at = Number(process.argv[2]);
  const log = process.argv[3] ?? "test-results/progress.log";
  const files = existsSync(log) ? runningAt(readFileSync(log, "utf8"), at) : [];
  console.log(files.length ? `Running when the cap fired: ${files.join(", ")}` : "No test file was running when the cap fired (a step outside the test runners).");
}
