// Issue 21, chat settings follow the account (docs/decisions.md "Chat settings sync"): Alice has a phone
// and a linked laptop, in a chat with Bob. Pinning, archiving and blocking Bob on one device shows on the
// other without a reload, and so does unblocking and marking Bob verified; a tablet linked afterwards gets
// all of it. Real Chromium against wrangler dev; the settings travel sealed under Alice's history key.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { answerConfirm, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { linkViaPaste } from "./rich-helpers";

const baseURL = inject("baseURL");
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const errors: string[] = [];
let browser: Browser;

interface Device {
  context: BrowserContext;
  page: Page;
}
let phone: Device;
let laptop: Device;
let bob: Device;

async function device(name: string): Promise<Device> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  return { context, page };
}

const item = (page: Page, peer: string) => page.getByTestId("conversation-item").filter({ hasText: peer });
const pinned = (page: Page) => item(page, bobName).getByRole("img", { name: "Pinned" }).count();

async function menu(page: Page, peer: string, action: string): Promise<void> {
  await page.getByRole("button", { name: `Options for ${peer}` }).click();
  const m = page.getByRole("menu", { name: `Options for ${peer}` });
  await m.waitFor();
  await m.getByTestId(`chat-menu-${action}`).click();
}

/** A marker that a reload or navigation of the page would lose. */
async function mark(page: Page): Promise<void> {
  await page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));
}
async function samePage(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage === true);
}

beforeAll(async () => {
  browser = await launchBrowser();
  phone = await device("alice phone");
  laptop = await device("alice laptop");
  bob = await device("bob");
  await signUpViaUi(phone.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  await linkViaPaste(phone.page, laptop.page, baseURL, aliceName);
  await startChatViaUi(phone.page, bobName);
  await sendViaUi(phone.page, "hello bob");
  for (const p of [phone.page, laptop.page]) await p.goto(`${baseURL}/#/`);
  await item(laptop.page, bobName).waitFor({ timeout: 30_000 });
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

describe("chat settings between one account's devices", () => {
  test("pinning and archiving on the phone show on the laptop without a reload", async () => {
    await mark(laptop.page);
    await menu(phone.page, bobName, "pin");
    await expect.poll(() => pinned(phone.page), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => pinned(laptop.page), { timeout: 30_000 }).toBe(1);
    await laptop.page.screenshot({ path: "/tmp/settings-sync-pinned-laptop.png" });

    await menu(phone.page, bobName, "archive");
    await laptop.page.getByTestId("archived-row").filter({ hasText: "Archived (1)" }).waitFor({ timeout: 30_000 });
    expect(await item(laptop.page, bobName).count()).toBe(0);
    // Back from the laptop this time: the phone follows.
    await laptop.page.getByTestId("archived-row").click();
    await menu(laptop.page, bobName, "unarchive");
    await laptop.page.getByTestId("archived-back").click();
    await item(phone.page, bobName).waitFor({ timeout: 30_000 });
    expect(await phone.page.getByTestId("archived-row").count()).toBe(0);
    expect(await samePage(laptop.page)).toBe(true);
  }, 120_000);

  test("blocking Bob on the phone blocks him on the laptop; unblocking on the laptop unblocks on the phone", async () => {
    await openChatViaUi(laptop.page, bobName);
    await mark(laptop.page);
    await menu(phone.page, bobName, "block");
    await answerConfirm(phone.page, { mentions: "Block" });
    const notice = laptop.page.getByTestId("blocked-notice").filter({ hasText: `You blocked ${bobName}` });
    await notice.waitFor({ timeout: 30_000 });
    expect(await laptop.page.getByTestId("composer").isDisabled()).toBe(true);
    await laptop.page.screenshot({ path: "/tmp/settings-sync-blocked-laptop.png" });

    await openChatViaUi(phone.page, bobName);
    await mark(phone.page);
    await laptop.page.getByTestId("unblock").click();
    await notice.waitFor({ state: "detached", timeout: 15_000 });
    await phone.page.getByTestId("blocked-notice").waitFor({ state: "detached", timeout: 30_000 });
    await openChatViaUi(bob.page, aliceName);
    await sendViaUi(bob.page, "after unblock");
    for (const p of [phone.page, laptop.page]) await waitForHistory(p, ["hello bob", "after unblock"], 30_000);
    expect(await samePage(phone.page)).toBe(true);
    expect(await samePage(laptop.page)).toBe(true);
  }, 120_000);

  test("marking Bob verified on the phone shows the verified mark on the laptop", async () => {
    expect(await laptop.page.getByTestId("verified-mark").count()).toBe(0);
    await phone.page.getByTestId("safety-number-button").click();
    const dialog = phone.page.getByTestId("safety-number-dialog");
    await dialog.getByTestId("verify-mark").click();
    await dialog.getByTestId("verified-mark-dialog").waitFor({ timeout: 15_000 });
    await dialog.getByRole("button", { name: "Done" }).click();
    await phone.page.getByTestId("verified-mark").waitFor({ timeout: 15_000 });
    await laptop.page.getByTestId("verified-mark").waitFor({ timeout: 30_000 });
    expect(await laptop.page.getByTestId("verified-mark").getAttribute("aria-label")).toBe("Verified");
    expect(await samePage(laptop.page)).toBe(true);
    await laptop.page.screenshot({ path: "/tmp/settings-sync-verified-laptop.png" });
  }, 90_000);

  test("a tablet linked afterwards gets the pin and the verified mark", async () => {
    await phone.page.goto(`${baseURL}/#/`);
    await menu(phone.page, bobName, "pin");
    await expect.poll(() => pinned(phone.page), { timeout: 15_000 }).toBe(1);
    const tablet = await device("alice tablet");
    await tablet.page.setViewportSize({ width: 390, height: 844 });
    await linkViaPaste(phone.page, tablet.page, baseURL, aliceName);
    await tablet.page.goto(`${baseURL}/#/`);
    await expect.poll(() => pinned(tablet.page), { timeout: 60_000 }).toBe(1);
    await openChatViaUi(tablet.page, bobName);
    await tablet.page.getByTestId("verified-mark").waitFor({ timeout: 30_000 });
    await tablet.page.screenshot({ path: "/tmp/settings-sync-tablet-phone.png" });
  }, 180_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
