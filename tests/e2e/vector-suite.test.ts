// The shared known-answer suite in Chromium: bundled with esbuild and run in a real page's WebCrypto.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { Browser } from "playwright-core";
import type { VectorResult } from "../shared/vector-suite.js";
import { launchBrowser } from "./harness.js";

let browser: Browser;
let results: VectorResult[] = [];

beforeAll(async () => {
  const entry = fileURLToPath(new URL("../shared/browser-vectors.ts", import.meta.url));
  const out = await build({ entryPoints: [entry], bundle: true, format: "iife", write: false, platform: "browser", target: "es2022" });
  browser = await launchBrowser();
  // The vectors are injected as a script tag, which the app's strict CSP and Trusted Types forbid (as
  // they should): this test page alone bypasses them. It checks crypto, not the app's policy.
  const page = await (await browser.newContext({ bypassCSP: true })).newPage();
  await page.goto(inject("baseURL"));
  await page.addScriptTag({ content: out.outputFiles[0]!.text });
  results = await page.evaluate(() => (globalThis as unknown as { runVectors(): Promise<VectorResult[]> }).runVectors());
});

afterAll(async () => {
  await browser?.close();
});

describe("known-answer vectors in Chromium", () => {
  it("runs every vector", () => expect(results.length).toBeGreaterThan(15));
  it("passes every vector", () => {
    expect(results.filter((r) => !r.ok)).toEqual([]);
  });
});
