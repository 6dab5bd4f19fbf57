// The app shell alone (the entry script and what it imports statically, docs/decisions.md "The app shell
// holds the first screen") shows a working onboarding form; creating the account needs the client, loaded on
// demand: when its chunk cannot be fetched the form says so, and once it can, the account is made.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { SHOTS } from "./pwa-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Paths of the entry script named by index.html and of the chunks it imports statically (not import()). */
async function shellScripts(baseURL: string): Promise<Set<string>> {
  const html = await (await fetch(new URL("/", baseURL))).text();
  const entry = /<script type="module"[^>]*src="([^"]+)"/.exec(html)?.[1];
  if (!entry) throw new Error("index.html names no module script");
  const code = await (await fetch(new URL(entry, baseURL))).text();
  const scripts = new Set([entry]);
  // Static imports: `import{...}from"./x.js"` or `import"./x.js"`; a dynamic import() has a parenthesis.
  for (const m of code.matchAll(/import\s*(?:[\w$*{}\s,]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) scripts.add(new URL(m[1]!, new URL(entry, baseURL)).pathname);
  return scripts;
}

describe("the app shell", () => {
  test("shows a working onboarding form without the client, and signs up once the client can load", async () => {
    const baseURL = inject("baseURL");
    const shell = await shellScripts(baseURL);
    // No service worker: every chunk comes from the network, where the test can hold it back.
    const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      const blocked: string[] = [];
      await page.route("**/assets/*.js", (route) => {
        const path = new URL(route.request().url()).pathname;
        if (shell.has(path)) return route.continue();
        blocked.push(path);
        return route.abort("internetdisconnected");
      });
      await page.goto(baseURL, { timeout: 60_000 });
      const input = page.getByTestId("username-input");
      await input.waitFor({ timeout: 30_000 });
      expect(await input.isEnabled()).toBe(true);
      // The form checks what it can by itself: a bad username is refused without the client.
      await input.fill("1x");
      await page.getByRole("button", { name: "Create account" }).click();
      const alert = page.getByRole("alert");
      await alert.waitFor({ timeout: 30_000 });
      expect(await alert.textContent()).toContain("Usernames are 3–32 characters");
      // A good one needs the client, whose chunk is held back (it was asked for: the prefetch or this click).
      await input.fill(uniqueName("shell"));
      await page.getByRole("button", { name: "Create account" }).click();
      await alert.filter({ hasText: "needs a part of the app that couldn't be loaded" }).waitFor({ timeout: 30_000 });
      expect(blocked.length).toBeGreaterThan(0);
      await page.screenshot({ path: `${SHOTS}/shell-client-unavailable.png` });
      // The network is back: the same click makes the account.
      await page.unroute("**/assets/*.js");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.getByTestId("recovery-key").waitFor({ timeout: 60_000 });
      expect(await page.getByTestId("recovery-key").locator("span").count()).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });
});
