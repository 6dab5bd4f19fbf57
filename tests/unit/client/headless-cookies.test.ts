// The headless client's cookie jar and fetch wrapper (web/src/client/headless.ts): the session cookie is kept
// per client, sent back with the Origin a page would send, and dropped at Max-Age or Expires.
import { describe, expect, test } from "vitest";
import { CookieJar, browserLikeFetch } from "../../../web/src/client/headless.js";

describe("CookieJar", () => {
  test("keeps a cookie until its Max-Age, then stops sending it", () => {
    let now = 1_000_000;
    const jar = new CookieJar(() => now);
    jar.store(["sealed_session=abc; Max-Age=60; Path=/; HttpOnly; SameSite=Strict"]);
    expect(jar.header()).toBe("sealed_session=abc");
    now += 59_000;
    expect(jar.header()).toBe("sealed_session=abc");
    now += 2_000;
    expect(jar.header()).toBeUndefined();
  });

  test("Max-Age=0 deletes, a newer value replaces, Expires is honoured and Max-Age wins over it", () => {
    let now = Date.parse("2026-01-01T00:00:00Z");
    const jar = new CookieJar(() => now);
    jar.store(["a=1; Max-Age=100", "b=2; Expires=Thu, 01 Jan 2026 00:00:10 GMT", "c=3; Expires=Thu, 01 Jan 2026 00:00:01 GMT; Max-Age=100"]);
    expect(jar.header()).toBe("a=1; b=2; c=3");
    jar.store(["a=9; Max-Age=100"]);
    expect(jar.header()).toBe("a=9; b=2; c=3");
    now += 11_000;
    expect(jar.header()).toBe("a=9; c=3");
    jar.store(["a=; Max-Age=0"]);
    expect(jar.header()).toBe("c=3");
  });
});

describe("browserLikeFetch", () => {
  test("sends Origin and the jar's cookies, stores Set-Cookie, and sends none with credentials omitted", async () => {
    const jar = new CookieJar();
    const seen: Array<{ origin: string | null; cookie: string | null }> = [];
    const fetchFn = browserLikeFetch("http://127.0.0.1:8787", jar, async (_url, init) => {
      const h = new Headers(init.headers);
      seen.push({ origin: h.get("origin"), cookie: h.get("cookie") });
      return new Response("{}", { status: 200, headers: [["set-cookie", "sealed_session=tok; Max-Age=3600; HttpOnly"]] });
    });
    await fetchFn("http://127.0.0.1:8787/api/session", { method: "POST", headers: { accept: "application/json" } });
    await fetchFn("http://127.0.0.1:8787/api/me", { method: "GET" });
    await fetchFn("http://127.0.0.1:8787/api/links", { method: "POST", credentials: "omit" });
    expect(seen).toEqual([
      { origin: "http://127.0.0.1:8787", cookie: null },
      { origin: "http://127.0.0.1:8787", cookie: "sealed_session=tok" },
      { origin: "http://127.0.0.1:8787", cookie: null },
    ]);
  });
});
