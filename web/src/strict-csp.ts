// Runs before the app (index.html loads it ahead of main.ts): what the page needs to work under the strict
// Content-Security-Policy and Trusted Types of web/public/_headers without a single violation.

// zod compiles object parsers with `new Function` unless told not to, probing once with a caught
// `new Function("")`. Under a CSP without 'unsafe-eval' (and Trusted Types) that probe is still reported as a
// violation, so the page tells zod up front not to try. It must be set before any object schema is built (zod
// reads the flag then), and without importing zod, which is not in the app shell (docs/decisions.md "The app
// shell holds the first screen"): zod keeps its configuration in `globalThis.__zod_globalConfig`, adopting an
// object already there (zod 4.6.7's core.js; colinhacks/zod PR 5889), so this is what `z.config({ jitless: true })` sets.
// The CSP e2e test (tests/e2e/security-headers.test.ts) fails if a zod upgrade stops reading it.
const zodGlobal = globalThis as { __zod_globalConfig?: Record<string, unknown> };
zodGlobal.__zod_globalConfig = { ...zodGlobal.__zod_globalConfig, jitless: true };

/** The one piece of the Trusted Types API used here (lib.dom does not declare it yet). */
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL?: (input: string) => string | null }): unknown;
}

/**
 * The page builds two script URLs from strings: workbox-window passes "/sw.js" to
 * `navigator.serviceWorker.register`, and the attachment chunk worker's URL reaches `new Worker`; both are
 * Trusted Types sinks. The `default` policy
 * (W3C Trusted Types section 4.3.2) is consulted only for plain strings reaching a sink; it allows exactly
 * those same-origin URLs and refuses everything else (returning null blocks the sink). It has no
 * createHTML or createScript, so HTML and script strings still need Lit's `lit-html` policy or are blocked.
 */
export const SERVICE_WORKER_PATH = "/sw.js";
/** The attachment chunk worker as Vite emits it (web/src/client/attachments/chunk-worker-app.ts). */
const CHUNK_WORKER_PATH = /^\/assets\/chunk-worker-[\w-]+\.js$/;
/** The receive path's signature worker as Vite emits it (web/src/client/sync/verify-worker-app.ts). */
const VERIFY_WORKER_PATH = /^\/assets\/verify-worker-[\w-]+\.js$/;

const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
factory?.createPolicy("default", {
  createScriptURL(input: string): string | null {
    const url = new URL(input, location.href);
    const script = url.pathname === SERVICE_WORKER_PATH || CHUNK_WORKER_PATH.test(url.pathname) || VERIFY_WORKER_PATH.test(url.pathname);
    if (url.origin === location.origin && script && url.search === "" && url.hash === "") return url.href;
    return null;
  },
});
