// Runs before the app (index.html loads it ahead of main.ts): what the page needs to work under the strict
// Content-Security-Policy and Trusted Types of web/public/_headers without a single violation.
import { z } from "zod";

// zod compiles object parsers with `new Function` unless told not to, probing once with a caught
// `new Function("")`. Under a CSP without 'unsafe-eval' (and Trusted Types) that probe is still reported as a
// violation, so the page tells zod up front not to try. Must run before any schema parses.
z.config({ jitless: true });

/** The one piece of the Trusted Types API used here (lib.dom does not declare it yet). */
interface TrustedTypesFactory {
  createPolicy(name: string, rules: { createScriptURL?: (input: string) => string | null }): unknown;
}

/**
 * The page builds two script URLs from strings: workbox-window passes "/sw.js" to
 * `navigator.serviceWorker.register`, and the attachment digest worker's URL reaches `new Worker`; both are
 * Trusted Types sinks. The `default` policy
 * (W3C Trusted Types section 4.3.2) is consulted only for plain strings reaching a sink; it allows exactly
 * those same-origin URLs and refuses everything else (returning null blocks the sink). It has no
 * createHTML or createScript, so HTML and script strings still need Lit's `lit-html` policy or are blocked.
 */
export const SERVICE_WORKER_PATH = "/sw.js";
/** The attachment digest worker as Vite emits it (web/src/client/attachments/digest-worker-app.ts). */
const DIGEST_WORKER_PATH = /^\/assets\/digest-worker-[\w-]+\.js$/;

const factory = (globalThis as { trustedTypes?: TrustedTypesFactory }).trustedTypes;
factory?.createPolicy("default", {
  createScriptURL(input: string): string | null {
    const url = new URL(input, location.href);
    const script = url.pathname === SERVICE_WORKER_PATH || DIGEST_WORKER_PATH.test(url.pathname);
    if (url.origin === location.origin && script && url.search === "" && url.hash === "") return url.href;
    return null;
  },
});
