// A dedicated `wrangler dev` for one test file (its own port and state), for tests that stop the server
// or swap the app it serves, so the shared server of the other files keeps running.
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { applyMigrations, startDev, stopDev } from "../../scripts/wrangler.mjs";
import { readServerStorage } from "./harness";
import { secretHits } from "./known-secrets";

const READY_TIMEOUT_MS = 60_000;
const repo = resolve(import.meta.dirname, "../..");

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? ok(addr.port) : fail(new Error("no port"))));
    });
  });
}

/** The repo's wrangler.toml with absolute paths and `assetsDir` as the assets folder. */
function configFor(assetsDir: string, dir: string): string {
  const toml = readFileSync(join(repo, "wrangler.toml"), "utf8")
    .replace(/^main = ".*"$/m, `main = ${JSON.stringify(join(repo, "worker/index.ts"))}`)
    .replace(/^directory = ".*"$/m, `directory = ${JSON.stringify(assetsDir)}`)
    .replace(/^migrations_dir = ".*"$/m, `migrations_dir = ${JSON.stringify(join(repo, "worker/migrations"))}`);
  const file = join(dir, "wrangler.toml");
  writeFileSync(file, toml);
  return file;
}

export class DedicatedServer {
  readonly persistDir = mkdtempSync(join(tmpdir(), "sealed-e2e-own-"));
  private readonly configDir = mkdtempSync(join(tmpdir(), "sealed-e2e-conf-"));
  private child: ChildProcess | undefined;
  output = "";
  port = 0;

  get baseURL(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts (or restarts, on the same port and state) serving `assetsDir` (default: the repo's build). */
  async start(assetsDir?: string): Promise<void> {
    if (this.child) throw new Error("already running");
    if (!this.port) {
      this.port = await freePort();
      applyMigrations(this.persistDir);
    }
    const config = assetsDir ? configFor(assetsDir, this.configDir) : undefined;
    const child = startDev({ port: this.port, persistTo: this.persistDir, ...(config ? { config } : {}), stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout?.on("data", (d) => (this.output += d));
    child.stderr?.on("data", (d) => (this.output += d));
    let exited: number | string | null | undefined;
    child.on("exit", (code, signal) => (exited = code ?? signal));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const ok = await fetch(`${this.baseURL}/api/health`, { signal: AbortSignal.timeout(2000) }).then((r) => r.status === 200, () => false);
      if (ok) return;
      if (exited !== undefined || Date.now() > deadline) {
        await this.stop();
        throw new Error(`dedicated wrangler dev ${exited !== undefined ? `exited (${exited})` : "never became healthy"}. Output:\n${this.output}`);
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  /** Stops the server (SIGINT to its process group); the port is refused afterwards. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child) await stopDev(child);
  }

  /**
   * Stops the server and deletes its state, after checking that state holds none of the secrets the
   * tests recorded (known-secrets.ts), as zz-server-blind.test.ts does for the shared server.
   */
  async dispose(): Promise<void> {
    await this.stop();
    const hits = secretHits(readServerStorage(this.persistDir));
    rmSync(this.persistDir, { recursive: true, force: true });
    rmSync(this.configDir, { recursive: true, force: true });
    if (hits.length) throw new Error(`the dedicated server stored secrets in the clear:\n${hits.join("\n")}`);
  }
}
