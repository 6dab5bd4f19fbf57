// The screens kept out of the app shell (web/src/ui/screens.ts) still open: settings with the devices and
// privacy sections, the new group dialog, the restore screen; and a screen whose chunk cannot be fetched
// (offline before the service worker saved it) says so and opens once the network is back.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { SHOTS } from "./pwa-helpers";

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

describe("screens loaded on demand", () => {
  test("settings, devices, privacy and the new group dialog open after navigation", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      const name = uniqueName("lazy");
      await signUpViaUi(page, inject("baseURL"), name);
      await page.getByTestId("open-settings").click();
      await page.getByTestId("settings").waitFor();
      await page.screenshot({ path: `${SHOTS}/lazy-settings.png` });
      await page.getByTestId("devices").getByTestId("device-item").first().waitFor();
      expect(await page.getByTestId("devices").getByRole("heading", { name: "Devices" }).isVisible()).toBe(true);
      expect(await page.getByTestId("privacy-settings").isVisible()).toBe(true);
      await page.getByTestId("settings-back").click();
      await page.getByTestId("new-group-button").click();
      await page.getByTestId("new-group-dialog").waitFor();
      expect(await page.getByTestId("group-name-input").isVisible()).toBe(true);
    } finally {
      await context.close();
    }
  });

  test("a screen that cannot be loaded offline shows a readable error, then opens by itself once online", async () => {
    // No service worker: nothing is precached, so the restore screen's chunk needs the network.
    const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 390, height: 844 } });
    try {
      const page = await context.newPage();
      await page.goto(inject("baseURL"), { timeout: 60_000 });
      await page.getByTestId("username-input").waitFor();
      await context.setOffline(true);
      await page.getByTestId("restore-account").click();
      const failed = page.getByTestId("screen-load-failed");
      await failed.waitFor();
      expect(await failed.textContent()).toContain("This screen couldn't be loaded. You may be offline");
      expect(await page.getByTestId("restore").count()).toBe(0);
      await page.screenshot({ path: `${SHOTS}/lazy-screen-load-failed.png` });
      // "Try again" while still offline: the same error again, nothing else.
      await failed.getByRole("button", { name: "Try again" }).click();
      await failed.waitFor();
      expect(await page.getByTestId("restore").count()).toBe(0);
      // Back online, it opens without a click.
      await context.setOffline(false);
      await page.getByTestId("restore").waitFor({ timeout: 15_000 });
      expect(await page.getByTestId("screen-load-failed").count()).toBe(0);
    } finally {
      await context.close();
    }
  });
  test("a signed-in app reloaded as its chunk fails says so: Try again opens it; when the network drops instead, it opens by itself once back online", async () => {
    // The receipts e2e once met the second case: a reload finished its page load, the network went before
    // the chat screens' chunk arrived, and the error stayed after the network came back.
    const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const name = uniqueName("lazy");
      await signUpViaUi(page, inject("baseURL"), name);
      const signedIn = page.getByTestId("my-username").filter({ hasText: name });
      const failed = page.getByTestId("screen-load-failed");
      /** Reloads with the first chunk after the entry script failing; `offline` drops the network with it. */
      const reloadFailing = async (offline: boolean): Promise<string> => {
        let dropped = "";
        await context.route("**/assets/*.js", async (route) => {
          const file = new URL(route.request().url()).pathname.split("/").at(-1)!;
          if (dropped || file.startsWith("index-")) return route.continue();
          dropped = file;
          if (offline) await context.setOffline(true);
          await route.abort(offline ? "internetdisconnected" : "connectionreset");
        });
        await page.reload();
        await failed.waitFor();
        await context.unroute("**/assets/*.js");
        return dropped;
      };

      // The server dropped the chunk while the browser stays online: the button loads it.
      expect(await reloadFailing(false)).not.toBe("");
      expect(await signedIn.count()).toBe(0);
      await failed.getByRole("button", { name: "Try again" }).click();
      await signedIn.waitFor();

      // The network dropped: no click, the app tries again when the browser says it is online.
      expect(await reloadFailing(true)).not.toBe("");
      await page.waitForTimeout(1000);
      expect(await failed.count()).toBe(1);
      await context.setOffline(false);
      await signedIn.waitFor({ timeout: 15_000 });
      expect(await failed.count()).toBe(0);
      await page.getByTestId("open-settings").click();
      await page.getByTestId("read-receipts-setting").waitFor();
    } finally {
      await context.close();
    }
  });
});
