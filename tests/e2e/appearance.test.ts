// Settings → Appearance (issue 21): System follows the operating system's light or dark mode, Light and
// Dark override it, the choice stays on this device across a reload, and every screen's colours follow
// (the tokens are light-dark() pairs chosen by color-scheme).
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { signUpViaUi, startChatViaUi, sendViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { PHONE, People } from "./people";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const LIGHT_BG = "rgb(243, 244, 248)";
const DARK_BG = "rgb(15, 17, 23)";
let browser: Browser;
let people: People;
let page: Page;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  page = await people.page("alice");
  const bob = await people.page("bob");
  const bobName = uniqueName("bob");
  await signUpViaUi(bob, baseURL, bobName);
  await signUpViaUi(page, baseURL, uniqueName("alice"));
  await startChatViaUi(page, bobName);
  await sendViaUi(page, "colours, please");
});

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

const background = (p: Page) => p.evaluate(() => getComputedStyle(document.body).backgroundColor);
/** The colour of a surface inside a shadow root: the tokens reach the components too. */
const bubbleColour = (p: Page) => p.getByTestId("message").first().locator(".bubble").evaluate((el) => getComputedStyle(el).backgroundColor);

async function pick(theme: "system" | "light" | "dark"): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  await page.getByTestId(`theme-${theme}`).check();
  await expect.poll(() => page.getByTestId(`theme-${theme}`).isChecked()).toBe(true);
}

test("System follows the operating system's mode", async () => {
  await page.emulateMedia({ colorScheme: "light" });
  await pick("system");
  expect(await background(page)).toBe(LIGHT_BG);
  await page.emulateMedia({ colorScheme: "dark" });
  await expect.poll(() => background(page)).toBe(DARK_BG);
});

test("Dark overrides a light system, stays after a reload, and reaches the chat's bubbles", async () => {
  await page.emulateMedia({ colorScheme: "light" });
  await pick("dark");
  await expect.poll(() => background(page)).toBe(DARK_BG);
  await page.screenshot({ path: `${SHOTS}/appearance-dark-settings-desktop.png` });
  await page.reload();
  await page.getByTestId("appearance-settings").waitFor();
  expect(await page.getByTestId("theme-dark").isChecked()).toBe(true);
  expect(await background(page)).toBe(DARK_BG);
  await page.goto(`${baseURL}/`);
  await page.getByTestId("conversation-item").first().click();
  await page.getByTestId("message").first().waitFor();
  const dark = await bubbleColour(page);
  await page.setViewportSize(PHONE);
  await page.screenshot({ path: `${SHOTS}/appearance-dark-chat-phone.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
  await pick("light");
  await page.goto(`${baseURL}/`);
  await page.getByTestId("conversation-item").first().click();
  await page.getByTestId("message").first().waitFor();
  expect(await bubbleColour(page)).not.toBe(dark);
});

test("Light overrides a dark system", async () => {
  await page.emulateMedia({ colorScheme: "dark" });
  await pick("light");
  await expect.poll(() => background(page)).toBe(LIGHT_BG);
  await page.screenshot({ path: `${SHOTS}/appearance-light-on-dark-desktop.png` });
  await pick("system");
  await expect.poll(() => background(page)).toBe(DARK_BG);
});

test("no page errors were thrown", () => {
  expect(people.errors).toEqual([]);
});
