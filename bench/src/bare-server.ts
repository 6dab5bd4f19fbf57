// The worker under workerd alone (issue 22's CPU goal is "measured under workerd without the inspector"):
// the same bundle `wrangler deploy` makes, with the bindings of wrangler.toml, run by Miniflare (the
// library wrangler dev itself runs workerd with) but without wrangler's dev session: no inspector
// (wrangler dev relays DevTools events for every storage round trip to its Node supervisor) and no dev
// proxy worker in front. Requests go straight to workerd's socket; its CPU is the only server CPU.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { applyMigrations, localDevVars } from "../../scripts/wrangler.mjs";
import { repoRoot } from "./paths.js";
import { bundleWorker, processTree, type DevServer } from "./server.js";

/** compatibility_date and compatibility_flags of wrangler.toml, so the bare runtime behaves as the deployed worker. */
function compatibility(): { date: string; flags: string[] } {
  const toml = readFileSync(join(repoRoot, "wrangler.toml"), "utf8");
  const date = /^compatibility_date = "([^"]+)"$/m.exec(toml)?.[1];
  const flags = /^compatibility_flags = \[([^\]]*)\]$/m.exec(toml)?.[1];
  if (!date || flags === undefined) throw new Error("wrangler.toml has no compatibility_date or compatibility_flags line");
  return { date, flags: [...flags.matchAll(/"([^"]+)"/g)].map((m) => m[1] as string) };
}

/**
 * Starts the bundled worker in workerd (D1 migrated, Durable Objects and R2 local, fresh state); resolves once
 * /api/health answers. `inspectorPort` opens workerd's inspector, for a CPU profile taken by hand (never in a figure).
 */
export async function startBareServer(vars: Readonly<Record<string, string>> = {}, inspectorPort?: number): Promise<DevServer> {
  const dir = mkdtempSync(join(tmpdir(), "sealed-bench-bare-"));
  const persist = join(dir, "state");
  const bundleDir = join(dir, "worker");
  const noAssets = mkdtempSync(join(tmpdir(), "sealed-bench-noassets-"));
  const cleanup = () => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(noAssets, { recursive: true, force: true });
  };
  let mf: Miniflare | undefined;
  try {
    // wrangler's local D1 migrations write the same files Miniflare reads under <persist>/v3.
    applyMigrations(persist);
    bundleWorker(noAssets, dir, bundleDir);
    const script = join(bundleDir, "index.js");
    const { date, flags } = compatibility();
    mf = new Miniflare({
      host: "127.0.0.1",
      port: 0,
      modules: [{ type: "ESModule", path: script, contents: readFileSync(script, "utf8") }],
      modulesRoot: bundleDir,
      compatibilityDate: date,
      compatibilityFlags: flags,
      d1Databases: { DB: "00000000-0000-4000-8000-000000000000" },
      durableObjects: { ACCOUNT_HUB: { className: "AccountHub", useSQLite: true }, CONVERSATION_LOG: { className: "ConversationLog", useSQLite: true } },
      r2Buckets: ["FILES"],
      defaultPersistRoot: join(persist, "v3"),
      bindings: { ...localDevVars, ...vars },
      ...(inspectorPort === undefined ? {} : { inspectorPort }),
    });
    const url = await mf.ready;
    const baseURL = url.origin;
    const health = await fetch(`${baseURL}/api/health`, { signal: AbortSignal.timeout(10_000) });
    if (health.status !== 200) throw new Error(`/api/health answered ${health.status}`);
    const running = mf;
    return {
      baseURL,
      output: () => "",
      // This process is the load client: only its workerd children are the server.
      cpuSeconds: () => ({ node: 0, workerd: processTree(process.pid).filter((p) => p.comm === "workerd").reduce((sum, p) => sum + p.ticks / 100, 0) }),
      lowerPriority: () => {},
      stop: async () => {
        await running.dispose();
        cleanup();
      },
    };
  } catch (e) {
    await mf?.dispose().catch(() => undefined);
    cleanup();
    throw e;
  }
}
