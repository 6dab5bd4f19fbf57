import { spawnSync } from "node:child_process";
import os from "node:os";
import type { MachineInfo } from "./result.js";
import { repoRoot } from "./paths.js";

export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: "utf8" });
  return r.status === 0 ? r.stdout.trim() : "";
}

/** The machine a result was measured on, so a reader can compare like with like. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const chromium = /Chromium [\d.]+/.exec(run(chromiumPath, ["--version"]))?.[0] ?? "unknown";
  return {
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    cores: cpus.length,
    ramGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium,
    gitCommit: run("git", ["rev-parse", "--short", "HEAD"]) || "unknown",
    gitDirty: run("git", ["status", "--porcelain"]) !== "",
  };
}

export function loadAverage(): number[] {
  return os.loadavg().map((x) => Math.round(x * 100) / 100);
}
