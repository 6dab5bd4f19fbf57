// Paths as seen from the bundle bench/.build/bench.mjs (every Node-side module is bundled into it).
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const buildDir = fileURLToPath(new URL("./", import.meta.url));
export const resultsDir = `${repoRoot}bench/results`;
export const benchmarksDoc = `${repoRoot}docs/BENCHMARKS.md`;
export const distWeb = `${repoRoot}dist/web`;
/** The browser bundle made by bench/run.mjs from bench/src/page/entry.ts. */
export const pageScript = `${buildDir}page.js`;
/** The app's attachment chunk worker, bundled by bench/run.mjs; bench pages serve it as /chunk-worker.js. */
export const chunkWorkerScript = `${buildDir}chunk-worker.js`;
