// npm test [-- unit|worker|e2e ...]: every suite runs even after a failure, so the totals are complete.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { SUITES, tally } from "./summary.mjs";

const RESULTS = "test-results";
const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const picked = process.argv.slice(2);
const unknown = picked.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  console.error(`Unknown suite ${unknown.join(", ")}; choose from ${SUITES.join(", ")}.`);
  process.exit(2);
}
const suites = picked.length ? SUITES.filter((s) => picked.includes(s)) : SUITES;

// Never skip e2e silently because the browser is missing.
if (suites.includes("e2e") && !existsSync(chromium)) {
  console.error(
    "Chromium is required for the end-to-end tests. Install it with: sudo apt-get install -y chromium (or set CHROMIUM_PATH)",
  );
  process.exit(1);
}

const vitest = (suite) => ({
  name: suite,
  kind: "vitest",
  cmd: "node_modules/.bin/vitest",
  args: ["run", "--config", `vitest.${suite}.config.ts`, "--reporter=default", "--reporter=json",
    `--outputFile.json=${RESULTS}/${suite}.json`, "--reporter=./scripts/running-reporter.mjs"],
});
const steps = [];
if (!picked.length) steps.push({ name: "typecheck", kind: "command", cmd: "npm", args: ["run", "--silent", "typecheck"] });
if (suites.includes("unit")) steps.push(vitest("unit"));
// Before the worker suite too: vitest-pool-workers refuses to start without wrangler.toml's assets dir.
if (suites.includes("worker") || suites.includes("e2e")) {
  steps.push({ name: "build", kind: "command", cmd: "node_modules/.bin/vite", args: ["build", "--logLevel", "warn"] });
}
if (suites.includes("worker")) steps.push(vitest("worker"));
if (suites.includes("e2e")) steps.push(vitest("e2e"));

rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });

// Every planned step is recorded up front (exitCode null until it ends), so a run killed midway
// still leaves summary.mjs an honest list of what was expected.
const record = steps.map((s) => ({ name: s.name, kind: s.kind, exitCode: null, seconds: null }));
const save = () => writeFileSync(`${RESULTS}/steps.json`, JSON.stringify(record, null, 2) + "\n");
save();
for (const [i, step] of steps.entries()) {
  console.log(`\n=== ${step.name}: ${step.cmd} ${step.args.join(" ")}`);
  const t0 = performance.now();
  const r = spawnSync(step.cmd, step.args, { stdio: "inherit" });
  record[i] = { ...record[i], exitCode: r.status ?? 1, seconds: Math.round((performance.now() - t0) / 100) / 10 };
  save();
}

const { rows, passed, failed } = tally(RESULTS);
console.log("\n=== results");
for (const r of rows) console.log(`  ${r.name.padEnd(10)} ${`${r.seconds ?? "-"}s`.padStart(7)}  ${r.note}`);
console.log(`  total: ${passed} passed, ${failed} failed`);
process.exit(record.some((r) => r.exitCode !== 0) || failed ? 1 : 0);
