// Issue 17, receipts and unread in Chromium: Alice (a phone, and a linked laptop) writes to Bob (a desktop,
// and a linked laptop). Her ticks go ✓ while Bob is offline, ✓✓ once his devices have the messages, and
// highlighted ✓✓ once he opens the chat; his list shows the chat bold with a count, the tab "(2) Sealed"
// and a "New messages" divider; reading on one of his devices clears unread on the other. With read
// receipts off Alice sees delivered only (his laptop still learns what he read, from the sealed read
// state); a chat read offline sends its read mark once, when back online.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { waitForStatus } from "./pwa-helpers";
import { isBold, myTicks, unreadBadge, waitForTicks } from "./receipt-helpers";
import { linkViaPaste } from "./rich-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };
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
let bobLaptop: Device;
const history: string[] = [];

async function device(name: string, viewport: { width: number; height: number }): Promise<Device> {
  // Service workers blocked: every request shows in the page's own events (the offline test counts them).
  const context = await browser.newContext({ viewport, serviceWorkers: "block" });
  // The app badge has no visible effect headless: record what the page asks of the Badging API.
  await context.addInitScript(() => {
    const calls: number[] = [];
    Object.assign(window, { badgeCalls: calls });
    const nav = navigator as Navigator & { setAppBadge?: (n?: number) => Promise<void>; clearAppBadge?: () => Promise<void> };
    const set = nav.setAppBadge?.bind(nav);
    const clear = nav.clearAppBadge?.bind(nav);
    if (set) nav.setAppBadge = (n?: number) => (calls.push(n ?? 0), set(n));
    if (clear) nav.clearAppBadge = () => (calls.push(0), clear());
  });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  return { context, page };
}

/** The count the page last gave the Badging API (0: cleared), or undefined if it never called it. */
function lastBadge(page: Page): Promise<number | undefined> {
  return page.evaluate(() => (window as unknown as { badgeCalls?: number[] }).badgeCalls?.at(-1));
}

async function say(text: string): Promise<void> {
  await sendViaUi(alicePhone.page, text);
  history.push(text);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  alicePhone = await device("alice phone", PHONE);
  aliceLaptop = await device("alice laptop", DESKTOP);
  bob = await device("bob", DESKTOP);
  bobLaptop = await device("bob laptop", DESKTOP);
  await signUpViaUi(alicePhone.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  await linkViaPaste(alicePhone.page, aliceLaptop.page, baseURL, aliceName);
  await linkViaPaste(bob.page, bobLaptop.page, baseURL, bobName);
}, 180_000);

afterAll(async () => {
  await browser?.close();
});

describe("receipts and unread", () => {
  test("✓ while Bob is offline, ✓✓ once his devices have it, read once he opens the chat; unread, title and divider on his side", async () => {
    // Bob's devices are offline: Alice's messages reach the server and stop there.
    await bob.context.setOffline(true);
    await bobLaptop.context.setOffline(true);
    await startChatViaUi(alicePhone.page, bobName);
    await say("are you there?");
    await say("lunch at noon");
    await waitForTicks(alicePhone.page, ["sent", "sent"]);
    await openChatViaUi(aliceLaptop.page, bobName);
    await waitForHistory(aliceLaptop.page, history);
    await waitForTicks(aliceLaptop.page, ["sent", "sent"]);
    await alicePhone.page.screenshot({ path: `${SHOTS}/receipts-sent-phone.png` });

    // Back online, Bob's devices store both: ✓✓ on Alice's phone and on her laptop, Bob's chat unread.
    await bob.context.setOffline(false);
    await bobLaptop.context.setOffline(false);
    await waitForTicks(alicePhone.page, ["delivered", "delivered"]);
    await waitForTicks(aliceLaptop.page, ["delivered", "delivered"]);
    for (const p of [bob.page, bobLaptop.page]) {
      await expect.poll(() => unreadBadge(p, aliceName), { timeout: 30_000 }).toBe("2 unread messages");
      expect(await isBold(p, aliceName)).toBe(true);
      await expect.poll(() => p.title()).toBe("(2) Sealed");
      await expect.poll(() => lastBadge(p)).toBe(2);
    }
    await bob.page.screenshot({ path: `${SHOTS}/receipts-unread-list.png` });
    // Still delivered, not read, while Bob has not opened the chat.
    await alicePhone.page.waitForTimeout(2000);
    expect(await myTicks(alicePhone.page)).toEqual(["delivered", "delivered"]);

    // Bob opens the chat on his desktop: the divider sits above the first unread message, unread clears
    // at once there, and the read mark reaches Alice's two devices and Bob's laptop.
    await openChatViaUi(bob.page, aliceName);
    await waitForHistory(bob.page, history);
    const divider = bob.page.getByTestId("unread-divider");
    await divider.waitFor();
    expect(await divider.textContent()).toContain("New messages");
    const order = await bob.page.getByTestId("message-list").evaluate((ol) => Array.from(ol.querySelectorAll("li")).map((li) => (li.matches("[data-testid=unread-divider]") ? "divider" : (li.querySelector("[data-testid=message-text]")?.textContent ?? ""))).filter((t) => t !== ""));
    expect(order).toEqual(["divider", ...history]);
    await expect.poll(() => bob.page.title()).toBe("Sealed");
    await expect.poll(() => lastBadge(bob.page)).toBe(0);
    expect(await unreadBadge(bob.page, aliceName)).toBe("");
    await bob.page.screenshot({ path: `${SHOTS}/receipts-divider.png` });
    await waitForTicks(alicePhone.page, ["read", "read"]);
    await waitForTicks(aliceLaptop.page, ["read", "read"]);
    await alicePhone.page.screenshot({ path: `${SHOTS}/receipts-read-phone.png` });
    // Reading on Bob's desktop cleared unread on his laptop (his own read mark).
    await expect.poll(() => unreadBadge(bobLaptop.page, aliceName), { timeout: 30_000 }).toBe("");
    await expect.poll(() => bobLaptop.page.title()).toBe("Sealed");
    expect(await isBold(bobLaptop.page, aliceName)).toBe(false);

    // The divider stays while the chat stays open, also as new messages arrive.
    await say("see you there");
    await waitForHistory(bob.page, history);
    expect(await bob.page.getByTestId("unread-divider").count()).toBe(1);
    await waitForTicks(alicePhone.page, ["read", "read", "read"]);
  }, 180_000);

  test("with read receipts off on Bob's desktop, Alice sees delivered only, and his laptop still learns what he read", async () => {
    await bob.page.goto(`${baseURL}/#/settings`);
    const setting = bob.page.getByTestId("read-receipts-setting");
    expect(await setting.isChecked()).toBe(true);
    await setting.uncheck();
    await bob.page.goto(`${baseURL}/#/`);
    await say("did you get the file?");
    await waitForTicks(alicePhone.page, ["read", "read", "read", "delivered"]);
    await expect.poll(() => unreadBadge(bob.page, aliceName), { timeout: 30_000 }).toBe("1 unread message");
    await openChatViaUi(bob.page, aliceName);
    await waitForHistory(bob.page, history);
    await expect.poll(() => bob.page.title()).toBe("Sealed");
    // Bob read it, but no read mark goes out: Alice's tick stays at delivered.
    await alicePhone.page.waitForTimeout(3000);
    expect(await myTicks(alicePhone.page)).toEqual(["read", "read", "read", "delivered"]);
    // His laptop learns it from the sealed read state (only his own devices can open it), not a read mark.
    await expect.poll(() => unreadBadge(bobLaptop.page, aliceName), { timeout: 30_000 }).toBe("");
    // And Bob does not see Alice's read marks either: his own message stops at delivered.
    await sendViaUi(bob.page, "yes, thanks");
    history.push("yes, thanks");
    await openChatViaUi(alicePhone.page, bobName);
    await waitForHistory(alicePhone.page, history);
    await waitForTicks(alicePhone.page, ["read", "read", "read", "delivered"]);
    await alicePhone.page.waitForTimeout(3000);
    await waitForTicks(bob.page, ["delivered"]);
  }, 120_000);

  test("a chat read while offline sends its read mark once, when back online", async () => {
    await bob.page.goto(`${baseURL}/#/settings`);
    await bob.page.getByTestId("read-receipts-setting").check();
    await bob.page.goto(`${baseURL}/#/`);
    await say("one more thing");
    await waitForTicks(alicePhone.page, ["read", "read", "read", "delivered", "delivered"]);
    await expect.poll(() => unreadBadge(bob.page, aliceName), { timeout: 30_000 }).toBe("1 unread message");
    // Let any delivered mark of Bob's two devices settle before counting his posts.
    await bob.page.waitForTimeout(2500);
    await bob.context.setOffline(true);
    await waitForStatus(bob.page, "offline");
    await openChatViaUi(bob.page, aliceName);
    await waitForHistory(bob.page, history);
    await expect.poll(() => bob.page.title()).toBe("Sealed");
    await bob.page.waitForTimeout(2500);
    expect(await myTicks(alicePhone.page)).toEqual(["read", "read", "read", "delivered", "delivered"]);

    const posted: number[] = [];
    bob.page.on("response", (r) => {
      if (r.request().method() === "POST" && /\/api\/conversations\/[^/]+\/messages$/.test(r.url()) && r.status() === 201) posted.push(r.status());
    });
    await bob.context.setOffline(false);
    // One read mark covers everything up to the newest: all of Alice's ticks are read.
    await waitForTicks(alicePhone.page, ["read", "read", "read", "read", "read"]);
    await waitForTicks(aliceLaptop.page, ["read", "read", "read", "read", "read"]);
    await bob.page.waitForTimeout(3000);
    expect(posted).toHaveLength(1);
    // Bob's laptop learned it too.
    await expect.poll(() => unreadBadge(bobLaptop.page, aliceName), { timeout: 30_000 }).toBe("");
  }, 120_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
