// A conversation longer than the message list renders at once: the list shows a window of the newest
// messages, the whole history is reachable by scrolling or with "Show earlier messages", the reader's
// place holds while older messages come in above, and new arrivals still pin the view to the bottom. A chat
// opened with more unread than fits opens at the "New messages" divider instead (as Signal and WhatsApp do).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";

const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
const TOTAL = 700;
const aliceName = uniqueName("alice");
let browser: Browser;
let page: Page;
let bob: ApiContact;
const errors: string[] = [];

const list = () => page.getByTestId("message-list");
const attr = async (name: string) => Number(await list().getAttribute(name));
const texts = () => page.getByTestId("message-text").allTextContents();

/** The scroll position of the list (its host element scrolls) and how far it is from the bottom. */
function scrollState(): Promise<{ top: number; fromBottom: number }> {
  return page.locator("sealed-message-list").evaluate((el) => ({ top: el.scrollTop, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight }));
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signUpViaUi(page, baseURL, aliceName);
  bob = await ApiContact.create(api, "bob");
  await bob.newEpoch(aliceName);
  await bob.send(Array.from({ length: TOTAL }, (_, i) => `m ${i + 1}`));
  await openChatViaUi(page, bob.username);
  for (let i = 0; (await attr("data-total")) !== TOTAL; i++) {
    if (i > 240) throw new Error(`the list holds ${await attr("data-total")} messages, expected ${TOTAL}`);
    await page.waitForTimeout(250);
  }
});

afterAll(async () => {
  await browser?.close();
});

describe("a long conversation", () => {
  test("opened with more unread than fits, it opens at the 'New messages' divider, not at the newest", async () => {
    // All 700 arrived before Alice ever opened the chat: all unread, the divider above the first.
    const divider = page.getByTestId("unread-divider");
    await divider.waitFor();
    await expect.poll(async () => (await texts())[0]).toBe("m 1");
    const placed = await page.locator("sealed-message-list").evaluate((el) => {
      const li = el.shadowRoot!.querySelector<HTMLElement>("li.unread-divider")!;
      const box = li.getBoundingClientRect();
      const view = el.getBoundingClientRect();
      return { fromTop: box.top - view.top, visible: box.top >= view.top && box.bottom <= view.bottom, fromBottom: el.scrollHeight - el.scrollTop - el.clientHeight };
    });
    expect(placed.visible).toBe(true);
    expect(placed.fromTop).toBeLessThan(60);
    expect(placed.fromBottom).toBeGreaterThan(1000);
    expect(await texts()).not.toContain(`m ${TOTAL}`);
    // Opened again with nothing unread, the chat opens on the newest messages.
    await page.reload();
    await openChatViaUi(page, bob.username);
    await expect.poll(() => attr("data-total"), { timeout: 60_000 }).toBe(TOTAL);
  }, 120_000);

  test("opens on a window of the newest messages, pinned to the bottom", async () => {
    await expect.poll(async () => (await texts()).length).toBe(250);
    const shown = await texts();
    expect(shown.at(-1)).toBe(`m ${TOTAL}`);
    expect(shown[0]).toBe(`m ${TOTAL - 249}`);
    expect(await attr("data-first")).toBe(TOTAL - 250);
    expect((await scrollState()).fromBottom).toBeLessThan(5);
  });

  test("scrolling up keeps the reader's place and reaches the oldest message", async () => {
    const host = page.locator("sealed-message-list");
    // Each time the reader reaches the top of what is rendered, older messages come in above and the
    // messages they were reading stay where they were (the view is no longer at the top).
    let first = await attr("data-first");
    for (let moves = 0; first > 0; moves++) {
      if (moves > 100) throw new Error("the window never reached the oldest message");
      await host.evaluate((el) => (el.scrollTop = 0));
      await expect.poll(() => attr("data-first")).toBeLessThan(first);
      first = await attr("data-first");
      expect((await scrollState()).top).toBeGreaterThan(0);
    }
    await host.evaluate((el) => (el.scrollTop = 0));
    await expect.poll(async () => (await texts())[0]).toBe("m 1");
    expect((await texts()).length).toBeLessThanOrEqual(300);
  });

  test("a message arriving while the reader is far up does not move the view; back at the bottom it shows", async () => {
    const before = await scrollState();
    await bob.send(["while reading old ones"]);
    await expect.poll(() => attr("data-total"), { timeout: 30_000 }).toBe(TOTAL + 1);
    expect((await scrollState()).top).toBe(before.top);
    expect(await texts()).not.toContain("while reading old ones");
    // Scrolling down slides the window back to the newest message.
    const host = page.locator("sealed-message-list");
    for (let i = 0; (await texts()).at(-1) !== "while reading old ones"; i++) {
      if (i > 200) throw new Error("the window never came back to the newest message");
      await host.evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(50);
    }
    await host.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await bob.send(["at the bottom"]);
    await expect.poll(async () => (await texts()).at(-1), { timeout: 30_000 }).toBe("at the bottom");
    await expect.poll(async () => (await scrollState()).fromBottom).toBeLessThan(5);
  });

  test("'Show earlier messages' moves the window without scrolling", async () => {
    await page.reload();
    await openChatViaUi(page, bob.username);
    await expect.poll(() => attr("data-first")).toBe(TOTAL + 2 - 250);
    const button = page.getByTestId("show-earlier");
    await expect(button.textContent()).resolves.toContain(`${TOTAL + 2 - 250} more`);
    // Activated without Playwright scrolling it into view first (that scroll alone would move the window).
    await button.evaluate((b: HTMLButtonElement) => b.click());
    await expect.poll(() => attr("data-first")).toBe(TOTAL + 2 - 280);
    expect((await scrollState()).fromBottom).toBeLessThan(5);
    expect(await list().getAttribute("aria-busy")).toBe("false");
    expect(errors).toEqual([]);
  });
});
