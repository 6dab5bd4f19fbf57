import { describe, expect, test } from "vitest";
import { toBase64url } from "../../protocol/bytes.js";
import { DEFAULT_BODY_LIMIT } from "../../worker/http/body-limits.js";
import { API_CSP, APP_CSP, PERMISSIONS_POLICY } from "../../worker/http/security-headers.js";
import { createAccount } from "../support/account.js";
import { createLink, freshAddress } from "../support/link-relay.js";
import { api, expectError } from "./api.js";

/** A CSP as directive name -> source list, failing on a directive given twice (browsers keep only the first). */
function directives(policy: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of policy.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(out.has(name), `directive ${name} given twice`).toBe(false);
    out.set(name, sources);
  }
  return out;
}

/** Asserts the security headers every API answer must carry, whatever its status. */
function expectApiSecurityHeaders(res: Response): void {
  const h = res.headers;
  expect({
    status: res.status,
    hsts: h.get("strict-transport-security"),
    csp: h.get("content-security-policy"),
    nosniff: h.get("x-content-type-options"),
    referrer: h.get("referrer-policy"),
    permissions: h.get("permissions-policy"),
    coop: h.get("cross-origin-opener-policy"),
    corp: h.get("cross-origin-resource-policy"),
    cache: h.get("cache-control"),
  }).toEqual({
    status: res.status,
    hsts: "max-age=63072000; includeSubDomains",
    csp: "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
    nosniff: "nosniff",
    referrer: "no-referrer",
    permissions: PERMISSIONS_POLICY,
    coop: "same-origin",
    corp: "same-origin",
    cache: "no-store",
  });
}

describe("security headers on API answers", () => {
  test("a 200 carries them", async () => {
    const res = await api.call("GET", "/api/health");
    expect(res.status).toBe(200);
    expectApiSecurityHeaders(res);
  });

  test("a 201 with a session cookie carries them", async () => {
    const res = await createLink(api);
    expect(res.status).toBe(201);
    expectApiSecurityHeaders(res);
  });

  test("400 malformed JSON carries them", async () => {
    const res = await api.call("POST", "/api/accounts", { body: "{not json", headers: { "Content-Type": "application/json" } });
    expectApiSecurityHeaders(res);
    await expectError(res, 400, "invalid_body");
  });

  test("401 without a session carries them", async () => {
    const res = await api.call("GET", "/api/me");
    expectApiSecurityHeaders(res);
    await expectError(res, 401, "unauthenticated");
  });

  test("403 from another origin carries them", async () => {
    const res = await api.call("POST", "/api/accounts", { json: {}, headers: { Origin: "https://evil.example" } });
    expectApiSecurityHeaders(res);
    expect(res.status).toBe(403);
  });

  test("404 for an unknown API route and for a known route's unknown id carry them", async () => {
    const unknown = await api.call("GET", "/api/no-such-route");
    expectApiSecurityHeaders(unknown);
    await expectError(unknown, 404, "not_found");
    const alice = await createAccount(api, "hdr");
    const missing = await api.call("GET", `/api/conversations/${toBase64url(new Uint8Array(16))}/messages`, { cookie: alice.cookie });
    expectApiSecurityHeaders(missing);
    expect(missing.status).toBe(404);
  });

  test("413 for a body over the limit carries them", async () => {
    const res = await api.call("POST", "/api/accounts", { body: JSON.stringify({ username: "x", genesis: "A".repeat(DEFAULT_BODY_LIMIT) }), headers: { "Content-Type": "application/json" } });
    expectApiSecurityHeaders(res);
    await expectError(res, 413, "too_large");
  });

  test("429 with Retry-After carries them", async () => {
    const address = freshAddress();
    let res = await createLink(api, address);
    for (let i = 0; i < 50 && res.status !== 429; i++) res = await createLink(api, address);
    expect(res.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    expectApiSecurityHeaders(res);
    await expectError(res, 429, "rate_limited");
  });

  test("426 on the WebSocket route without an upgrade carries them", async () => {
    const res = await api.call("GET", "/api/realtime");
    expectApiSecurityHeaders(res);
    expect(res.status).toBe(426);
  });

  test("a path outside /api that reaches the worker is a JSON 404 with the same headers", async () => {
    // Deployed, only /api/* runs the worker first; anything else the worker sees still gets the headers.
    const res = await api.call("GET", "/not-an-asset");
    expect(res.headers.get("content-security-policy")).toBe(API_CSP);
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    await expectError(res, 404, "not_found");
  });
});

describe("the app shell's policy (APP_CSP, served from web/public/_headers)", () => {
  const csp = directives(APP_CSP);

  test("allows script only from the origin, WebAssembly compilation but no eval and no inline script", () => {
    expect(csp.get("script-src")).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(APP_CSP).not.toMatch(/unsafe-inline|'unsafe-eval'|unsafe-hashes|strict-dynamic|nonce-|sha256-|\*/);
    expect(csp.get("default-src")).toEqual(["'self'"]);
  });

  test("refuses plugins, base rewriting, framing and foreign form targets", () => {
    expect(csp.get("object-src")).toEqual(["'none'"]);
    expect(csp.get("base-uri")).toEqual(["'none'"]);
    expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
    expect(csp.get("form-action")).toEqual(["'self'"]);
  });

  test("connects, loads workers and the manifest from the origin only", () => {
    expect(csp.get("connect-src")).toEqual(["'self'"]);
    expect(csp.get("worker-src")).toEqual(["'self'"]);
    expect(csp.get("manifest-src")).toEqual(["'self'"]);
    expect(csp.get("style-src")).toEqual(["'self'"]);
  });

  test("requires Trusted Types for script sinks and allows only Lit's policy and the narrow default one", () => {
    expect(csp.get("require-trusted-types-for")).toEqual(["'script'"]);
    expect(csp.get("trusted-types")).toEqual(["lit-html", "default"]);
  });

  test("the Permissions-Policy gives the camera and the microphone to the origin alone and turns location and the rest off", () => {
    const features = new Map(PERMISSIONS_POLICY.split(",").map((f) => f.trim().split("=") as [string, string]));
    expect(features.get("camera")).toBe("(self)");
    expect(features.get("microphone")).toBe("(self)");
    expect(features.get("geolocation")).toBe("()");
    expect([...features.entries()].filter(([name, allow]) => name !== "camera" && name !== "microphone" && allow !== "()")).toEqual([]);
  });
});
