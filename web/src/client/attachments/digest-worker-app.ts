/**
 * Registers the app's attachment digest worker (digest-pool.ts). Vite bundles the worker from this
 * `new Worker(new URL(...))` form into assets/digest-worker-<hash>.js; strict-csp.ts's Trusted Types policy
 * allows exactly that script URL. Imported for its effect by the code that encrypts and decrypts files.
 */
import { setDigestWorker } from "./digest-pool.js";

setDigestWorker(() => new Worker(new URL("./digest-worker.ts", import.meta.url), { type: "module", name: "attachment-digest" }));
