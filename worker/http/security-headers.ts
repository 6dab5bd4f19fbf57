import type { MiddlewareHandler } from "hono";

/**
 * The Content-Security-Policy of the app shell (index.html and every static asset, via web/public/_headers).
 * No inline script and no eval: the only script is our own files. 'wasm-unsafe-eval' lets hash-wasm compile
 * its Argon2id WebAssembly and nothing else (CSP3 section 6.1.2). Styles are Lit's adopted stylesheets
 * (constructable, not subject to style-src) and our one CSS file. `data:` images are the QR code the link
 * screen draws; `blob:` images and media are attachments decrypted in the page (previews, photos, voice
 * notes), which never exist as a URL on any server. Trusted Types (W3C Trusted Types section 4): every HTML sink needs a policy's output, and
 * the only policies allowed are Lit's `lit-html` and the `default` one of web/src/strict-csp.ts, which lets
 * through nothing but the service worker's URL, so no other code can turn a string into markup or script.
 */
export const APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "media-src 'self' blob:",
  "worker-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types lit-html default",
].join("; ");

/** API answers are JSON, never a document: nothing may load from them or frame them. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/**
 * Features the app may use, on its own origin only: the camera to scan a link QR code, the microphone to
 * record voice notes (issue 18). Everything else a page could ask for is off, so injected or third-party
 * code cannot prompt for it.
 */
export const PERMISSIONS_POLICY = [
  "camera=(self)",
  "microphone=(self)",
  "geolocation=()",
  "payment=()",
  "usb=()",
  "serial=()",
  "hid=()",
  "midi=()",
  "display-capture=()",
  "screen-wake-lock=()",
  "xr-spatial-tracking=()",
  "accelerometer=()",
  "gyroscope=()",
  "magnetometer=()",
  "browsing-topics=()",
].join(", ");

/**
 * HTTP Strict Transport Security (RFC 6797): once a browser has seen the origin over https, it never
 * speaks plain http to it (or its subdomains) for two years, so a network attacker cannot strip TLS and
 * serve other code. Browsers ignore it over plain http (RFC 6797 section 8.1), as on a local `npm start`.
 * No `preload`: that is a list one applies to per domain, an operator's choice.
 */
export const HSTS = "max-age=63072000; includeSubDomains";

/** Headers every response of the origin carries, whatever its type (the app's and the API's). */
export const COMMON_SECURITY_HEADERS = {
  "Strict-Transport-Security": HSTS,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Permissions-Policy": PERMISSIONS_POLICY,
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Resource-Policy": "same-origin",
} as const;

/** The full set for the app shell and static assets; web/public/_headers must say exactly this. */
export const APP_SECURITY_HEADERS = { ...COMMON_SECURITY_HEADERS, "Content-Security-Policy": APP_CSP } as const;

/** The full set for API answers (Cache-Control comes from api-headers.ts). */
export const API_SECURITY_HEADERS = { ...COMMON_SECURITY_HEADERS, "Content-Security-Policy": API_CSP } as const;

/**
 * Puts the security headers on every response the worker makes, errors and 404s included (Hono calls
 * onError and notFound inside the middleware chain, so this runs after them). Static assets never reach
 * the worker (wrangler.toml runs it first only for /api/*): they get theirs from web/public/_headers.
 */
export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next();
  for (const [name, value] of Object.entries(API_SECURITY_HEADERS)) c.header(name, value);
};
