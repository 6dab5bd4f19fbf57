import { readFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { launchBrowser } from "../../tests/e2e/harness.js";
import { chunkWorkerScript, pageScript } from "./paths.js";

export { launchBrowser };

/**
 * A blank page on a made-up https origin (a secure context, so WebCrypto is there) served by request
 * interception: no server, nothing else loaded but the app's attachment chunk worker (/chunk-worker.js). The bench page script (bench/src/page/entry.ts) is
 * installed as `window.sealedBench`.
 */
export async function benchPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.route("https://bench.invalid/**", (route) =>
    new URL(route.request().url()).pathname === "/chunk-worker.js"
      ? route.fulfill({ contentType: "text/javascript", body: readFileSync(chunkWorkerScript, "utf8") })
      : route.fulfill({ contentType: "text/html", body: "<!doctype html><title>bench</title>" }),
  );
  await page.goto("https://bench.invalid/");
  await page.addScriptTag({ content: readFileSync(pageScript, "utf8") });
  return page;
}
