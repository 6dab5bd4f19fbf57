// One `wrangler dev` with its own fresh state for the whole e2e run (tests see it via inject()).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { applyMigrations, startDev, stopDev } from "../../scripts/wrangler.mjs";
import { startPushService } from "../support/push-service.js";

declare module "vitest" {
  export interface ProvidedContext {
    baseURL: string;
    persistDir: string;
    /** JSON lines of values the server must never see (known-secrets.ts). */
    knownSecretsFile: string;
    /** The test push service (tests/support/push-service.ts) the server may POST to (PUSH_EXTRA_ORIGINS). */
    pushServiceUrl: string;
  }
}

const READY_TIMEOUT_MS = 60_000;

/** A port the OS says is free now; E2E_PORT pins it. */
async function freePort(): Promise<number> {
  if (process.env.E2E_PORT) return Number(process.env.E2E_PORT);
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

/** E2E_KEEP_STATE=1 keeps the server's state for a post-mortem. */
function removeState(persistDir: string) {
  if (process.env.E2E_KEEP_STATE) console.log(`e2e server state kept in ${persistDir}`);
  else rmSync(persistDir, { recursive: true, force: true });
}

export default async function setup(project: TestProject) {
  const persistDir = mkdtempSync(join(tmpdir(), "sealed-e2e-"));
  applyMigrations(persistDir);

  // The push service first: the server must be told its origin (startDev passes PUSH_EXTRA_ORIGINS on).
  const pushService = await startPushService();
  process.env.PUSH_EXTRA_ORIGINS = [process.env.PUSH_EXTRA_ORIGINS, pushService.origin].filter(Boolean).join(",");

  const port = await freePort();
  const baseURL = `http://127.0.0.1:${port}`;
  const dev = startDev({ port, persistTo: persistDir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  dev.stdout?.on("data", (d) => (output += d));
  dev.stderr?.on("data", (d) => (output += d));
  let exited: number | string | null | undefined;
  dev.on("exit", (code, signal) => (exited = code ?? signal));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    // A short per-request timeout: a half-started server (or a stranger on the port) may accept and never answer.
    const ok = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(2000) })
      .then((r) => r.status === 200, () => false);
    if (ok) break;
    if (exited !== undefined || Date.now() > deadline) {
      await stopDev(dev);
      await pushService.stop();
      removeState(persistDir);
      const why = exited !== undefined ? `exited (${exited})` : `not healthy after ${READY_TIMEOUT_MS} ms`;
      throw new Error(`wrangler dev ${why} on ${baseURL}. Its output:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }

  project.provide("baseURL", baseURL);
  project.provide("persistDir", persistDir);
  project.provide("pushServiceUrl", pushService.origin);
  const knownSecretsFile = join(persistDir, "..", `${persistDir.split("/").pop()}-known-secrets.jsonl`);
  writeFileSync(knownSecretsFile, "");
  project.provide("knownSecretsFile", knownSecretsFile);

  return async () => {
    await stopDev(dev);
    await pushService.stop();
    removeState(persistDir);
    if (!process.env.E2E_KEEP_STATE) rmSync(knownSecretsFile, { force: true });
    // The server's log, for reading after a failed run (CI keeps test-results/).
    mkdirSync("test-results", { recursive: true });
    writeFileSync("test-results/e2e-server.log", output);
  };
}
