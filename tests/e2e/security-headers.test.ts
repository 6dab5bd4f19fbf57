// The real `wrangler dev` serves every file of the app with the strict CSP, Trusted Types and the other
// security headers (web/public/_headers for static assets, the worker for /api), and the app runs under
// them without a single violation: sign-up, chat, the Argon2id passphrase (WebAssembly), the link QR code.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { API_SECURITY_HEADERS, APP_SECURITY_HEADERS } from "../../worker/http/security-headers.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";

const baseURL = inject("baseURL");

/** Every security header of `expected`, exactly, on `res`. */
function expectHeaders(res: Response, expected: Record<string, string>, what: string): void {
  const seen = Object.fromEntries(Object.keys(expected).map((name) => [name, res.headers.get(name)]));
  expect(seen, what).toEqual(expected);
}

/** Console lines Chromium writes for CSP, Trusted Types and Permissions-Policy problems. */
const POLICY_CONSOLE = /Content Security Policy|Trusted ?Type|TrustedScript|TrustedHTML|Refused to|Permissions-Policy/i;

describe("headers from the real server", () => {
  test("the app shell, a JS asset, the service worker, the manifest and an unknown SPA path carry the app's headers", async () => {
    const root = await fetch(`${baseURL}/`);
    expect(root.status).toBe(200);
    const html = await root.text();
    expectHeaders(root, APP_SECURITY_HEADERS, "/");
    // No inline script or style in the shell: everything is a file the CSP's 'self' covers.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    const js = /<script[^>]+src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(js).toBeDefined();

    const paths: Array<[string, RequestInit, RegExp]> = [
      ["/index.html", { redirect: "manual" }, /./],
      [js!, {}, /javascript/],
      ["/sw.js", {}, /javascript/],
      ["/manifest.webmanifest", {}, /manifest\+json/],
      ["/chats/someone/deep/link", { headers: { Accept: "text/html", "Sec-Fetch-Mode": "navigate", "Sec-Fetch-Dest": "document" } }, /text\/html/],
    ];
    for (const [path, init, type] of paths) {
      const res = await fetch(baseURL + path, init);
      expect(res.status, path).toBeLessThan(400);
      if (res.status === 200) expect(res.headers.get("content-type"), path).toMatch(type);
      expectHeaders(res, APP_SECURITY_HEADERS, path);
      await res.arrayBuffer();
    }
  });

  test("the API answers with its own headers, errors included", async () => {
    for (const [path, status] of [["/api/health", 200], ["/api/me", 401], ["/api/no-such-route", 404]] as const) {
      const res = await fetch(baseURL + path);
      expect(res.status, path).toBe(status);
      expectHeaders(res, { ...API_SECURITY_HEADERS, "Cache-Control": "no-store" }, path);
      await res.arrayBuffer();
    }
  });

  test("the _headers file itself is not served", async () => {
    const res = await fetch(`${baseURL}/_headers`, { headers: { Accept: "text/html", "Sec-Fetch-Mode": "navigate" } });
    expect(await res.text()).not.toContain("Content-Security-Policy:");
  });
});

describe("the app under the policy", () => {
  let browser: Browser;
  const violations: string[] = [];
  const consoleProblems: string[] = [];
  const contexts: BrowserContext[] = [];

  /** A fresh profile whose every page reports CSP violations and policy console errors to the lists above. */
  async function watchedPage(who: string): Promise<Page> {
    const context = await browser.newContext({ acceptDownloads: true });
    contexts.push(context);
    await context.exposeFunction("__reportViolation", (v: string) => violations.push(`${who}: ${v}`));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => {
        (window as unknown as { __reportViolation(v: string): void }).__reportViolation(`${e.effectiveDirective} blocked ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} ${e.sample}`);
      });
    });
    const page = await context.newPage();
    page.on("console", (m) => {
      if ((m.type() === "error" || m.type() === "warning") && POLICY_CONSOLE.test(m.text())) consoleProblems.push(`${who}: ${m.text()}`);
    });
    page.on("pageerror", (e) => consoleProblems.push(`${who} page error: ${e.message}`));
    return page;
  }

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close();
    await browser?.close();
  });

  test("sign-up, a chat, a passphrase set and restored (Argon2id WebAssembly), a key file and the link QR code cause no violation", async () => {
    const alice = await watchedPage("alice");
    const bob = await watchedPage("bob");
    const aliceName = uniqueName("csp_alice");
    const bobName = uniqueName("csp_bob");
    const recoveryKey = await signUpViaUi(alice, baseURL, aliceName);
    await signUpViaUi(bob, baseURL, bobName);
    await startChatViaUi(alice, bobName);
    await sendViaUi(alice, "hello under a strict CSP");
    await openChatViaUi(bob, aliceName);
    await waitForHistory(bob, ["hello under a strict CSP"]);
    await sendViaUi(bob, "and back");
    await waitForHistory(alice, ["hello under a strict CSP", "and back"]);

    // The service worker registered: its URL passed the Trusted Types default policy.
    await expect.poll(() => alice.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.active?.scriptURL ?? ""), { timeout: 30_000 }).toBe(`${baseURL}/sw.js`);

    await alice.goto(`${baseURL}/#/settings`);
    await alice.getByTestId("recovery-settings").waitFor();
    await alice.getByTestId("passphrase-open").click();
    await alice.getByTestId("passphrase-recovery-key").fill(recoveryKey);
    await alice.getByTestId("passphrase-generate").click();
    const passphrase = await alice.getByTestId("passphrase-new").inputValue();
    await alice.getByTestId("passphrase-save").click();
    await expect.poll(() => alice.getByTestId("passphrase-state").textContent(), { timeout: 60_000 }).toBe("set");
    // The key file download (a Blob URL on an anchor) is no script sink either.
    const download = alice.waitForEvent("download");
    await alice.getByTestId("key-file-download").click();
    expect((await download).suggestedFilename().length).toBeGreaterThan(0);

    // Restoring with the passphrase runs Argon2id again in a browser that has nothing.
    const restored = await watchedPage("restored");
    await restored.goto(baseURL);
    await restored.getByTestId("restore-account").click();
    await restored.getByTestId("restore-method-passphrase").check();
    await restored.getByTestId("restore-username").fill(aliceName);
    await restored.getByTestId("restore-secret").fill(passphrase);
    await restored.getByTestId("restore-submit").click();
    await restored.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 90_000 });
    await openChatViaUi(restored, bobName);
    await waitForHistory(restored, ["hello under a strict CSP", "and back"], 60_000);

    const fresh = await watchedPage("new device");
    await fresh.goto(baseURL);
    await fresh.getByRole("button", { name: "Link to an existing account" }).click();
    await fresh.getByTestId("link-qr").waitFor({ timeout: 30_000 });
    expect((await fresh.getByTestId("link-code").inputValue()).length).toBeGreaterThan(20);

    expect(violations).toEqual([]);
    expect(consoleProblems).toEqual([]);
  });

  type ProbeMode = "server" | "server-without-trusted-types" | "no-policy";

  /**
   * A probe document served with the real server's headers (copied from its answer for `/`): an inline
   * script, then a same-origin script that tries eval, new Function, a raw innerHTML and a policy of its
   * own. "server-without-trusted-types" drops the two Trusted Types directives from the real policy, to
   * see that script-src alone refuses eval; "no-policy" shows the probe itself runs everything.
   */
  async function probe(mode: ProbeMode): Promise<Record<string, unknown>> {
    const seen: string[] = [];
    const context = await browser.newContext();
    contexts.push(context);
    await context.exposeFunction("__reportViolation", (v: string) => seen.push(v));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) => (window as unknown as { __reportViolation(v: string): void }).__reportViolation(e.effectiveDirective));
    });
    const page = await context.newPage();
    await page.route(`${baseURL}/csp-probe`, async (route) => {
      const real = await route.fetch({ url: `${baseURL}/` });
      const headers = real.headers();
      if (mode === "no-policy") delete headers["content-security-policy"];
      if (mode === "server-without-trusted-types") {
        const csp = headers["content-security-policy"] ?? "";
        headers["content-security-policy"] = csp.split(";").filter((d) => !/trusted-types/.test(d)).join(";");
      }
      await route.fulfill({ status: 200, headers, body: `<!doctype html><body><script>window.__inline = 1;</script><script src="/csp-probe.js"></script></body>` });
    });
    await page.route(`${baseURL}/csp-probe.js`, (route) =>
      route.fulfill({
        status: 200,
        headers: { "content-type": "text/javascript" },
        body: `
          try { window.__eval = eval("'ran'"); } catch (e) { window.__eval = e.name; }
          try { window.__fn = new Function("return 'ran'")(); } catch (e) { window.__fn = e.name; }
          try { document.body.appendChild(document.createElement("div")).innerHTML = "<b>x</b>"; window.__html = "ran"; } catch (e) { window.__html = e.name; }
          try { window.trustedTypes.createPolicy("probe", { createHTML: (s) => s }); window.__policy = "ran"; } catch (e) { window.__policy = e.name; }
          window.__probeDone = true;`,
      }),
    );
    await page.goto(`${baseURL}/csp-probe`);
    await page.waitForFunction(() => (window as unknown as { __probeDone?: boolean }).__probeDone === true);
    const result = await page.evaluate(() => {
      const w = window as unknown as Record<string, unknown>;
      return { inline: w.__inline, eval: w.__eval, fn: w.__fn, html: w.__html, policy: w.__policy };
    });
    await context.close();
    return { ...result, violations: [...new Set(seen)].sort() };
  }

  test("the server's policy blocks inline script, eval, new Function, raw HTML sinks and unlisted policies", async () => {
    expect(await probe("server")).toEqual({
      inline: undefined,
      eval: "EvalError",
      fn: "EvalError",
      html: "TypeError",
      policy: "TypeError",
      violations: ["require-trusted-types-for", "script-src-elem", "trusted-types"],
    });
    // Without Trusted Types, script-src alone still refuses eval (no 'unsafe-eval').
    expect(await probe("server-without-trusted-types")).toEqual({
      inline: undefined,
      eval: "EvalError",
      fn: "EvalError",
      html: "ran",
      policy: "ran",
      violations: ["script-src", "script-src-elem"],
    });
    expect(await probe("no-policy")).toEqual({ inline: 1, eval: "ran", fn: "ran", html: "ran", policy: "ran", violations: [] });
  });
});
