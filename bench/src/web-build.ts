// The production build of the app that browser benchmarks serve, copied so that a rebuild by other work
// in the middle of a run cannot change what is measured.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { distWeb, repoRoot } from "./paths.js";

/** The newest modification time of the files under `path` (the sources a build is made from). */
function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** What the app is built from: a build older than any of these measures code that is no longer there. */
const SOURCES = ["web", "protocol", "index.html", "vite.config.ts", "manifest.webmanifest"];

/** Runs `npm run build` when there is no build, or one older than its sources; otherwise measures the build that is there. */
export function ensureBuild(): string {
  const index = join(distWeb, "index.html");
  const stale = existsSync(index) && Math.max(...SOURCES.map((p) => newestMtime(join(repoRoot, p)))) > statSync(index).mtimeMs;
  if (existsSync(index) && !stale) return "existing dist/web";
  console.error(stale ? "dist/web is older than its sources, running npm run build" : "dist/web is missing, running npm run build");
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
