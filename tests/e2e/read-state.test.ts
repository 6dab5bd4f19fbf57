// Issue 17, the account's own devices learn what it read with read receipts off (docs/decisions.md
// "Receipts and unread"): Alice (a phone and a linked laptop, read receipts off on both) gets a message from
// Bob; both show it unread; she opens the chat on her phone and the laptop's unread badge clears without a
// reload, through the sealed read state (not a read mark: Bob's message stays delivered, not read).
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { myTicks, unreadBadge, waitForTicks } from "./receipt-helpers";
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
let alicePhone: Device;
let aliceLaptop: Device;
let bob: Device;

async function device(name: string): Promise<Device> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  return { context, page };
}

async function readReceiptsOff(page: Page): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  const setting = page.getByTestId("read-receipts-setting");
  await setting.uncheck();
  expect(await setting.isChecked()).toBe(false);
  await page.goto(`${baseURL}/#/`);
}

beforeAll(async () => {
  browser = await launchBrowser();
  alicePhone = await device("alice phone");
  aliceLaptop = await device("alice laptop");
  bob = await device("bob");
  await signUpViaUi(alicePhone.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  await linkViaPaste(alicePhone.page, aliceLaptop.page, baseURL, aliceName);
  for (const d of [alicePhone, aliceLaptop]) await readReceiptsOff(d.page);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe("read state between one account's devices", () => {
  test("with read receipts off, reading on the phone clears unread on the laptop without a reload; Bob sees delivered, not read", async () => {
    await startChatViaUi(bob.page, aliceName);
    await sendViaUi(bob.page, "did you see the plan?");
    for (const p of [alicePhone.page, aliceLaptop.page]) await expect.poll(() => unreadBadge(p, bobName), { timeout: 30_000 }).toBe("1 unread message");
    await waitForTicks(bob.page, ["delivered"]);
    // A marker that a reload or navigation of the laptop would lose.
    await aliceLaptop.page.evaluate(() => Object.assign(window, { stillTheSamePage: true }));

    await openChatViaUi(alicePhone.page, bobName);
    await waitForHistory(alicePhone.page, ["did you see the plan?"]);
    await expect.poll(() => alicePhone.page.title()).toBe("Sealed");
    await expect.poll(() => unreadBadge(aliceLaptop.page, bobName), { timeout: 15_000 }).toBe("");
    await expect.poll(() => aliceLaptop.page.title()).toBe("Sealed");
    expect(await aliceLaptop.page.evaluate(() => (window as unknown as { stillTheSamePage?: boolean }).stillTheSamePage)).toBe(true);

    // No read mark went out: Bob's message stays delivered.
    await bob.page.waitForTimeout(3000);
    expect(await myTicks(bob.page)).toEqual(["delivered"]);
  }, 120_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
