/**
 * Registers the app's attachment chunk worker (chunk-pool.ts). Vite bundles the worker from this
 * `new Worker(new URL(...))` form into assets/chunk-worker-<hash>.js; strict-csp.ts's Trusted Types policy
 * allows exactly that script URL. Imported for its effect by the code that encrypts and decrypts files.
 */
import { setChunkWorker } from "./chunk-pool.js";

setChunkWorker(() => new Worker(new URL("./chunk-worker.ts", import.meta.url), { type: "module", name: "attachment-chunks" }));
