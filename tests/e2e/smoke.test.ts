import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { findInServerStorage, launchBrowser, readServerStorage } from "./harness";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

test("serves the app and the API from one origin", async () => {
  const page = await browser.newPage();
  await page.goto(inject("baseURL"));
  expect(await page.title()).toBe("Sealed");
  const health = await page.evaluate(async () => {
    const r = await fetch("/api/health");
    return { status: r.status, body: await r.json() };
  });
  expect(health).toEqual({ status: 200, body: { ok: true } });
});

test("can read the server's D1 files for server-blind scans", () => {
  const files = readServerStorage(inject("persistDir"));
  expect(files.some((f) => f.path.includes("/v3/d1/"))).toBe(true);
  // wrangler records applied migrations in d1_migrations, so its name proves the scan sees D1 content.
  expect(findInServerStorage(inject("persistDir"), "d1_migrations").length).toBeGreaterThan(0);
});
