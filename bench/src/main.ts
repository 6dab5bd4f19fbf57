// The benchmark runner. `npm run bench [-- NAME ...]` runs each benchmark in its own Node process (a crash or
// a hang in one cannot take the others down or skew them), writes bench/results/<name>.json, prints the
// figures, and regenerates docs/BENCHMARKS.md from the newest result of every benchmark. Exits non-zero if
// any benchmark failed. Internal: `--child NAME --out FILE` runs one benchmark in the current process.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchmarks, findBenchmark } from "./registry.js";
import { loadAverage, machineInfo } from "./machine.js";
import { resultsDir } from "./paths.js";
import { loadResults, writeDoc } from "./report/doc.js";
import { printTable } from "./report/table.js";
import type { BenchOutput, BenchResult } from "./result.js";

/** A benchmark still running after this (or its own timeoutMs()) is killed and counted as failed. */
const TIMEOUT_MS = 10 * 60_000;

async function child(name: string, out: string): Promise<void> {
  // On SIGINT/SIGTERM exit normally, so 'exit' handlers (stopping wrangler dev) run.
  for (const sig of ["SIGINT", "SIGTERM"] as const) process.on(sig, () => process.exit(130));
  const bench = findBenchmark(name);
  if (!bench) throw new Error(`no benchmark ${name}`);
  const output = await bench.run();
  writeFileSync(out, JSON.stringify(output));
}

function runChild(name: string, out: string, timeoutMs: number): Promise<{ ok: boolean; why?: string }> {
  const self = fileURLToPath(import.meta.url);
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [...process.execArgv, self, "--child", name, "--out", out], { stdio: "inherit" });
    const timer = setTimeout(() => {
      console.error(`\n${name}: still running after ${Math.round(timeoutMs / 60_000)} min, stopping it`);
      proc.kill("SIGTERM");
    }, timeoutMs);
    proc.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve(code === 0 ? { ok: true } : { ok: false, why: signal ? `killed by ${signal}` : `exited with ${code}` });
    });
  });
}

async function parent(names: string[]): Promise<number> {
  // `npm run bench -- --doc`: regenerate docs/BENCHMARKS.md from the stored results, running nothing.
  if (names[0] === "--doc") {
    writeDoc(loadResults());
    console.log("docs/BENCHMARKS.md regenerated from bench/results");
    return 0;
  }
  const unknown = names.filter((n) => !findBenchmark(n));
  if (unknown.length) {
    console.error(`Unknown benchmark ${unknown.join(", ")}; choose from: ${benchmarks.map((b) => b.name).join(", ")}`);
    return 2;
  }
  const picked = names.length ? benchmarks.filter((b) => names.includes(b.name)) : benchmarks;
  const machine = machineInfo();
  console.log(`bench: ${picked.map((b) => b.name).join(", ")} on ${machine.cpuModel}, ${machine.cores} cores, ${machine.ramGiB} GiB, Node ${machine.node}, ${machine.chromium}`);
  mkdirSync(resultsDir, { recursive: true });
  const tmp = mkdtempSync(join(tmpdir(), "sealed-bench-"));
  const ran: BenchResult[] = [];
  const failed: string[] = [];
  const t0 = performance.now();
  try {
    for (const b of picked) {
      console.log(`\n=== ${b.name}: ${b.title}`);
      const before = loadAverage();
      const startedAt = new Date().toISOString();
      const t = performance.now();
      const out = join(tmp, `${b.name}.json`);
      const r = await runChild(b.name, out, b.timeoutMs?.() ?? TIMEOUT_MS);
      const seconds = Math.round((performance.now() - t) / 100) / 10;
      if (!r.ok) {
        console.error(`${b.name}: FAILED (${r.why}) after ${seconds} s; bench/results/${b.name}.json left as it was`);
        failed.push(b.name);
        continue;
      }
      const output = JSON.parse(readFileSync(out, "utf8")) as BenchOutput;
      const result: BenchResult = { name: b.name, title: b.title, startedAt, seconds, machine, loadAverage: { before, after: loadAverage() }, ...output };
      writeFileSync(join(resultsDir, `${b.name}.json`), JSON.stringify(result, null, 2) + "\n");
      ran.push(result);
      console.log(`${b.name}: done in ${seconds} s`);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  printTable(ran);
  writeDoc(loadResults());
  const total = Math.round((performance.now() - t0) / 1000);
  console.log(`\ndocs/BENCHMARKS.md regenerated; ${ran.length} benchmark(s) ran in ${total} s${failed.length ? `; FAILED: ${failed.join(", ")}` : ""}`);
  return failed.length ? 1 : 0;
}

const args = process.argv.slice(2);
if (args[0] === "--child") {
  child(args[1] ?? "", args[3] ?? "").then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? (e.stack ?? e.message) : e);
      process.exit(1);
    },
  );
} else {
  parent(args).then((code) => process.exit(code));
}
