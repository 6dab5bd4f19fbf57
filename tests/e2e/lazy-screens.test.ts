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

  test("a screen that cannot be loaded offline shows a readable error, then opens once online", async () => {
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
      await context.setOffline(false);
      await failed.getByRole("button", { name: "Try again" }).click();
      await page.getByTestId("restore").waitFor();
      expect(await page.getByTestId("screen-load-failed").count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
