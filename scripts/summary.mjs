// Prints one line, "N passed, N failed", for the last `npm test` run (CI shows it last).
// Usage: node scripts/summary.mjs [results-dir]   (default test-results)
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const SUITES = ["unit", "worker", "e2e"];

/**
 * Per-step counts from `dir`: each vitest suite from its JSON report, each other step (typecheck,
 * build) from steps.json. Nothing is allowed to vanish: a suite without a report, or one that
 * failed with no failed test (a crash outside tests), counts as 1 failed, and so does a failed step;
 * the tests of a file that failed before they ran count as failed.
 * Without steps.json (test.mjs itself died), all suites are expected.
 */
export function tally(dir = "test-results") {
  const stepsFile = join(dir, "steps.json");
  const steps = existsSync(stepsFile)
    ? JSON.parse(readFileSync(stepsFile, "utf8"))
    : SUITES.map((name) => ({ name, kind: "vitest", exitCode: null }));
  const rows = steps.map((step) => {
    if (step.kind !== "vitest") {
      const failed = step.exitCode === 0 ? 0 : 1;
      const note = step.exitCode === 0 ? "ok" : step.exitCode === null ? "did not finish" : `exited ${step.exitCode}`;
      return { ...step, passed: 0, failed, note };
    }
    const file = join(dir, `${step.name}.json`);
    if (!existsSync(file)) {
      return { ...step, passed: 0, failed: 1, note: "crashed before writing its report: counted as 1 failed" };
    }
    const r = JSON.parse(readFileSync(file, "utf8"));
    const passed = r.numPassedTests ?? 0;
    let failed = r.numFailedTests ?? 0;
    // A file that failed outside its tests (a beforeAll threw) leaves its tests unrun, reported as
    // skipped: they count as failed, since the suite skips nothing on purpose.
    const unrun = (r.testResults ?? [])
      .filter((f) => f.status === "failed")
      .flatMap((f) => f.assertionResults ?? [])
      .filter((a) => a.status !== "passed" && a.status !== "failed").length;
    failed += unrun;
    let note = `${passed} passed, ${failed} failed`;
    if (unrun) note += ` (${unrun} not run because their file failed)`;
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0) - unrun;
    if (skipped > 0) note += `, ${skipped} skipped`;
    if (failed === 0 && (r.success === false || (step.exitCode ?? 0) !== 0)) {
      failed = 1;
      note += " but the run failed outside tests (see its output): counted as 1 failed";
    }
    return { ...step, passed, failed, note };
  });
  const passed = rows.reduce((n, r) => n + r.passed, 0);
  const failed = rows.reduce((n, r) => n + r.failed, 0);
  return { rows, passed, failed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const { passed, failed } = tally(process.argv[2]);
  console.log(`${passed} passed, ${failed} failed`);
}
