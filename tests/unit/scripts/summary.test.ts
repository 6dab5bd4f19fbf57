// The CI's last line must never hide a failure: these are the cases that could.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, test } from "vitest";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function summary(files: Record<string, unknown>): string {
  dir = mkdtempSync(join(tmpdir(), "summary-"));
  for (const [name, value] of Object.entries(files)) writeFileSync(join(dir, name), JSON.stringify(value));
  return execFileSync("node", ["scripts/summary.mjs", dir], { encoding: "utf8" });
}

const report = (passed: number, failed: number, success = failed === 0) => ({
  numPassedTests: passed,
  numFailedTests: failed,
  success,
});
const steps = (...s: [string, string, number | null][]) => s.map(([name, kind, exitCode]) => ({ name, kind, exitCode }));

test("sums passed and failed tests over the suites' reports", () => {
  const out = summary({
    "steps.json": steps(["typecheck", "command", 0], ["unit", "vitest", 1], ["e2e", "vitest", 0]),
    "unit.json": report(10, 2),
    "e2e.json": report(3, 0),
  });
  expect(out).toBe("13 passed, 2 failed\n");
});

test("counts a suite that left no report as 1 failed", () => {
  const out = summary({ "steps.json": steps(["unit", "vitest", 0], ["worker", "vitest", 1]), "unit.json": report(4, 0) });
  expect(out).toBe("4 passed, 1 failed\n");
});

test("counts a suite that failed outside any test as 1 failed", () => {
  const out = summary({ "steps.json": steps(["worker", "vitest", 1]), "worker.json": report(0, 0, false) });
  expect(out).toBe("0 passed, 1 failed\n");
});

test("counts a failed or unfinished typecheck or build as 1 failed each", () => {
  const out = summary({
    "steps.json": steps(["typecheck", "command", 2], ["unit", "vitest", 0], ["build", "command", null]),
    "unit.json": report(1, 0),
  });
  expect(out).toBe("1 passed, 2 failed\n");
});

test("without steps.json every suite is expected", () => {
  expect(summary({ "unit.json": report(5, 0) })).toBe("5 passed, 2 failed\n");
});

test("counts the tests a failed file left unrun (its beforeAll threw) as failed, not skipped", () => {
  const file = (status: string, ...tests: string[]) => ({ status, assertionResults: tests.map((t) => ({ status: t })) });
  const out = summary({
    "steps.json": steps(["e2e", "vitest", 1]),
    "e2e.json": { ...report(3, 1, false), numPendingTests: 3, testResults: [file("failed", "skipped", "skipped"), file("failed", "failed", "passed"), file("passed", "passed", "passed", "skipped")] },
  });
  expect(out).toBe("3 passed, 3 failed\n");
});
