/**
 * Registers the app's signature worker (verify-pool.ts). Vite bundles the worker from this
 * `new Worker(new URL(...))` form into assets/verify-worker-<hash>.js; strict-csp.ts's Trusted Types policy
 * allows exactly that script URL. Imported for its effect by the page's client (client.ts), not by receive.ts: the service worker
 * bundles the receive path too, and a service worker can start no worker.
 */
import { setVerifyWorker } from "./verify-pool.js";

if (typeof Worker !== "undefined") setVerifyWorker(() => new Worker(new URL("./verify-worker.ts", import.meta.url), { type: "module", name: "signature-verify" }));
