// A `wrangler dev` of our own for one benchmark: a spare port, fresh state in a temp dir, and snapshots of
// the worker and the app. wrangler dev reloads the worker whenever its sources change, and other work
// edits worker/ and rebuilds dist/web while benchmarks run, so it serves a bundle of worker/ made once at
// start (`wrangler deploy --dry-run`, then `--no-bundle`) and whatever assets folder it is given.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { setPriority, tmpdir } from "node:os";
import { join } from "node:path";
// Kept external by bench/run.mjs: the module finds wrangler relative to its own location.
import { applyMigrations, localDevVars, stopDev, wranglerEnv } from "../../scripts/wrangler.mjs";
import { repoRoot } from "./paths.js";
import { sleep } from "./stats.js";

const READY_TIMEOUT_MS = 60_000;

export interface DevServer {
  readonly baseURL: string;
  /** CPU seconds (user + system) used so far by wrangler's Node process and by its workerd processes. */
  cpuSeconds(): ServerCpu;
  /** Runs wrangler and workerd at the lowest CPU priority from now on (see lowerPriority). */
  lowerPriority(): void;
  /** Everything wrangler printed, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export interface ServerCpu {
  /** wrangler's own Node process: the dev supervisor (it receives the inspector's events and logs them). */
  readonly node: number;
  /** workerd: the dev proxy worker's runtime and the runtime running our worker, D1 and Durable Objects. */
  readonly workerd: number;
}

export function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no free port"))));
    });
  });
}

const wranglerBin = join(repoRoot, "node_modules/.bin/wrangler");

/** The repo's wrangler.toml with absolute paths, `main` as the worker and `assetsDir` as the static assets. */
function writeConfig(main: string, assetsDir: string, dir: string): string {
  const toml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8")
    .replace(/^main = ".*"$/m, `main = ${JSON.stringify(main)}`)
    .replace(/^directory = ".*"$/m, `directory = ${JSON.stringify(assetsDir)}`)
    .replace(/^migrations_dir = ".*"$/m, `migrations_dir = ${JSON.stringify(join(repoRoot, "worker/migrations"))}`);
  const file = join(dir, "wrangler.toml");
  writeFileSync(file, toml);
  return file;
}

/** Bundles worker/ as `wrangler deploy` would (into `bundleDir`/index.js), without deploying. */
export function bundleWorker(assetsDir: string, configDir: string, bundleDir: string, env: NodeJS.ProcessEnv = wranglerEnv): void {
  const bundled = spawnSync(wranglerBin, ["deploy", "--dry-run", "--outdir", bundleDir, "--config", writeConfig(join(repoRoot, "worker/index.ts"), assetsDir, configDir)], { env, encoding: "utf8", cwd: repoRoot });
  if (bundled.status !== 0) throw new Error(`bundling the worker failed:\n${bundled.stdout}\n${bundled.stderr}`);
}

/**
 * Starts wrangler dev (local mode, D1 migrated) on a snapshot of worker/ and `assetsDir`; resolves once
 * /api/health answers. A second attempt covers losing a port to another process between choosing and binding it.
 */
export async function startServer(assetsDir: string, vars: Readonly<Record<string, string>> = {}): Promise<DevServer> {
  try {
    return await startOnce(assetsDir, vars);
  } catch (e) {
    console.error(`wrangler dev did not start, trying once more: ${e instanceof Error ? e.message.split("\n")[0] : String(e)}`);
    return startOnce(assetsDir, vars);
  }
}

async function startOnce(assetsDir: string, vars: Readonly<Record<string, string>>): Promise<DevServer> {
  const persistDir = mkdtempSync(join(tmpdir(), "sealed-bench-state-"));
  const configDir = mkdtempSync(join(tmpdir(), "sealed-bench-conf-"));
  const cleanup = () => {
    rmSync(persistDir, { recursive: true, force: true });
    rmSync(configDir, { recursive: true, force: true });
  };
  // wrangler appends every debug message (tens of MB under load) to a log file: keep it in the temp dir.
  const env = { ...wranglerEnv, WRANGLER_LOG_PATH: join(configDir, "logs") };
  const bundleDir = join(configDir, "worker");
  try {
    applyMigrations(persistDir);
    bundleWorker(assetsDir, configDir, bundleDir, env);
  } catch (e) {
    cleanup();
    throw e;
  }
  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const config = writeConfig(join(bundleDir, "index.js"), assetsDir, configDir);
  // An explicit inspector port too: left to itself, wrangler takes 9229 when it looks free, and another
  // wrangler starting at the same moment may take it first.
  const args = ["dev", "--local", "--ip", "127.0.0.1", "--port", String(port), "--inspector-port", String(await freePort()), "--show-interactive-dev-session=false", "--persist-to", persistDir, "--config", config, "--no-bundle"];
  // The fleet signs up and logs in hundreds of devices from 127.0.0.1: lift the per-address limits, as npm start does.
  for (const [name, value] of Object.entries(localDevVars)) args.push("--var", `${name}:${value}`);
  // A benchmark's own vars (the push benchmark's VAPID keys and push service origin).
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  // Its own process group, so stopDev's signal reaches wrangler and workerd together.
  const child = spawn(wranglerBin, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: repoRoot });
  const lastResort = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  };
  process.on("exit", lastResort);
  let output = "";
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  let exited: number | string | null | undefined;
  child.on("exit", (code, signal) => (exited = code ?? signal));
  const stop = async () => {
    await stopDev(child);
    process.off("exit", lastResort);
    cleanup();
  };
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    const ok = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
    if (ok) return { baseURL, output: () => output, stop, cpuSeconds: () => treeCpu(child.pid as number), lowerPriority: () => lowerPriority(child.pid as number) };
    if (exited !== undefined || Date.now() > deadline) {
      await stop();
      throw new Error(`wrangler dev ${exited !== undefined ? `exited (${exited})` : "never became healthy"} on ${baseURL}. Output:\n${output}`);
    }
    await sleep(250);
  }
}

interface Proc {
  readonly pid: number;
  readonly ppid: number;
  readonly comm: string;
  readonly ticks: number;
}

/** `root` and its descendants, read from /proc. */
export function processTree(root: number): Proc[] {
  const procs: Proc[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // The command name may contain spaces: it sits between the first "(" and the last ")".
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      procs.push({ pid: Number(name), ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // exited while we looked
    }
  }
  const tree: Proc[] = [];
  const stack = [root];
  while (stack.length) {
    const pid = stack.pop() as number;
    for (const p of procs) {
      if (p.pid === pid) tree.push(p);
      if (p.ppid === pid) stack.push(p.pid);
    }
  }
  return tree;
}

/**
 * Runs the server at the lowest CPU priority (nice 19): for benchmarks that measure the page as a user's
 * device, where the server runs on other machines and only shares these 2 cores because of the setup.
 */
function lowerPriority(root: number): void {
  for (const p of processTree(root)) {
    try {
      setPriority(p.pid, 19);
    } catch {
      // exited meanwhile
    }
  }
}

/** Sums utime + stime (/proc/PID/stat fields 14 and 15, in 1/100 s) over `root` and its descendants, by program. */
function treeCpu(root: number): ServerCpu {
  const cpu = { node: 0, workerd: 0 };
  for (const p of processTree(root)) cpu[p.comm === "workerd" ? "workerd" : "node"] += p.ticks / 100;
  return cpu;
}
