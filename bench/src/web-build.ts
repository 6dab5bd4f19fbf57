// The production build of the app that browser benchmarks serve, copied so that a rebuild by other work
// in the middle of a run cannot change what is measured.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { distWeb, repoRoot } from "./paths.js";

/** Runs `npm run build` when there is no build to measure; otherwise measures the build that is there. */
export function ensureBuild(): string {
  if (existsSync(join(distWeb, "index.html"))) return "existing dist/web";
  console.error("dist/web is missing, running npm run build");
  const r = spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "inherit" });
  if (r.status !== 0) throw new Error("npm run build failed");
  return "built by this run (npm run build)";
}

/** Copies dist/web (building it first if missing) to a temp dir; `remove` deletes the copy. */
export function snapshotBuild(): { dir: string; source: string; remove: () => void } {
  const source = ensureBuild();
  const dir = mkdtempSync(join(tmpdir(), "sealed-bench-web-"));
  cpSync(distWeb, dir, { recursive: true });
  return { dir, source, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
