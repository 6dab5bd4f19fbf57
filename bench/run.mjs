// npm run bench [-- NAME ...]: bundles the TypeScript benchmarks with esbuild (Node 20 cannot strip types)
// into bench/.build/, then runs them. The runner's own exit code is passed through.
import { spawnSync } from "node:child_process";
import { build } from "esbuild";

const here = new URL(".", import.meta.url).pathname;
const out = `${here}.build`;

await Promise.all([
  // The runner and every Node-side benchmark: npm packages stay external and resolve from node_modules.
  build({
    entryPoints: [`${here}src/main.ts`],
    outfile: `${out}/bench.mjs`,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    // scripts/wrangler.mjs finds wrangler relative to itself; bench/.build sits as deep as bench/src, so the
    // import path as written still reaches it from the bundle.
    plugins: [{ name: "keep-scripts-external", setup: (b) => b.onResolve({ filter: /\/scripts\/[^/]+\.mjs$/ }, (a) => ({ path: a.path, external: true })) }],
    sourcemap: "inline",
    logLevel: "warning",
  }),
  // What runs inside Chromium pages (protocol code and the measuring loops), as one classic script.
  build({
    entryPoints: [`${here}src/page/entry.ts`],
    outfile: `${out}/page.js`,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    logLevel: "warning",
  }),
  // The app's attachment chunk worker, served to bench pages as /chunk-worker.js (bench/src/browser.ts).
  build({
    entryPoints: [`${here}../web/src/client/attachments/chunk-worker.ts`],
    outfile: `${out}/chunk-worker.js`,
    bundle: true,
    platform: "browser",
    format: "iife",
    target: "es2022",
    logLevel: "warning",
  }),
]);

// --experimental-websocket: Node 20's global WebSocket (undici), for the realtime benchmarks.
const r = spawnSync(process.execPath, ["--experimental-websocket", "--no-warnings", "--enable-source-maps", `${out}/bench.mjs`, ...process.argv.slice(2)], { stdio: "inherit" });
process.exit(r.status ?? 1);
