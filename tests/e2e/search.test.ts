// Search over the local history in real Chromium against wrangler dev (issue 20): a message is found by
// a word, by a prefix as it is typed, by an accented word typed without the accent and by a Japanese
// word; an edited message only by its new text, a deleted one not at all; choosing a result far up a
// long history opens the chat there; the dialog is driven by the keyboard and works offline.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";
import { bubble, deleteViaUi, editViaUi } from "./rich-helpers";

const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
/** Enough that the oldest message is far outside the rendered window (250 newest). */
const FILLER = 1_200;
const aliceName = uniqueName("alice");
let browser: Browser;
let context: BrowserContext;
let page: Page;
let bob: ApiContact;
const errors: string[] = [];

const dialog = () => page.getByTestId("search-dialog");
const input = () => page.getByTestId("search-input");
const results = () => page.getByTestId("search-snippet");
const status = () => page.getByTestId("search-status");

/** Types into the search box as a person does and waits until the results are exactly `expected`. */
async function searchFor(text: string, expected: readonly string[]): Promise<void> {
  await input().fill("");
  await input().pressSequentially(text);
  await expect.poll(() => results().allTextContents(), { timeout: 60_000 }).toEqual(expected);
}

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signUpViaUi(page, baseURL, aliceName);
  bob = await ApiContact.create(api, "bob");
  await bob.newEpoch(aliceName);
  await bob.send(["the needle is far up the history"]);
  await bob.send(Array.from({ length: FILLER }, (_, i) => `filler ${i + 1}`));
  await bob.send(["Lunch at the Café tomorrow?", "東京に行きます", "the vault code is zebra"]);
  await openChatViaUi(page, bob.username);
  for (let i = 0; Number(await page.getByTestId("message-list").getAttribute("data-total")) !== FILLER + 4; i++) {
    if (i > 480) throw new Error("the history did not arrive");
    await page.waitForTimeout(250);
  }
  await sendViaUi(page, "pick up the parcel");
  await editViaUi(page, bubble(page, "pick up the parcel"), "pick up the laundry");
  await sendViaUi(page, "secret plan omega");
  await deleteViaUi(page, bubble(page, "secret plan omega"));
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

describe("searching the history", () => {
  test("Ctrl+K opens search from anywhere with the box focused; the index is built in the background", async () => {
    await page.getByTestId("composer").focus();
    await page.keyboard.press("Control+k");
    await dialog().waitFor({ state: "visible" });
    expect(await input().evaluate((el) => el.matches(":focus"))).toBe(true);
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toContain("searched on this device only");
    await page.screenshot({ path: "/tmp/search-empty-desktop.png" });
  }, 90_000);

  test("finds a message by a word, and by a prefix as it is typed", async () => {
    await searchFor("zebra", ["the vault code is zebra"]);
    await input().fill("");
    await input().pressSequentially("nee");
    await expect.poll(() => results().allTextContents(), { timeout: 60_000 }).toEqual(["the needle is far up the history"]);
    await input().pressSequentially("dle far");
    await expect.poll(() => results().allTextContents(), { timeout: 60_000 }).toEqual(["the needle is far up the history"]);
  }, 90_000);

  test("an accented word typed without its accent, marked in the snippet with who and where", async () => {
    await searchFor("cafe", ["Lunch at the Café tomorrow?"]);
    const result = page.getByTestId("search-result").first();
    expect(await result.locator("mark").allTextContents()).toEqual(["Café"]);
    expect(await result.textContent()).toContain(bob.username);
    await page.screenshot({ path: "/tmp/search-results-desktop.png" });
  }, 90_000);

  test("a Japanese word", async () => {
    await input().fill("東京");
    await expect.poll(() => results().allTextContents(), { timeout: 60_000 }).toEqual(["東京に行きます"]);
  }, 90_000);

  test("an edited message is found by its new text only; a deleted one is not found", async () => {
    await searchFor("laundry", ["pick up the laundry"]);
    await searchFor("parcel", []);
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toContain("No messages match “parcel”");
    await searchFor("omega", []);
    await searchFor("secret", []);
  }, 90_000);

  test("arrow keys and Enter open a result far up the history, with its neighbours", async () => {
    await searchFor("up", ["pick up the laundry", "the needle is far up the history"]);
    const selected = () => page.locator('[data-testid="search-result"][aria-selected="true"]').textContent();
    expect(await selected()).toContain("laundry");
    await page.keyboard.press("ArrowDown");
    expect(await selected()).toContain("needle");
    expect(await input().getAttribute("aria-activedescendant")).toBe("result-1");
    await page.keyboard.press("Enter");
    await dialog().waitFor({ state: "hidden" });
    const needle = bubble(page, "the needle is far up the history");
    await needle.waitFor({ timeout: 60_000 });
    await expect.poll(() => needle.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }), { timeout: 30_000 }).toBe(true);
    // Its neighbours are there too: the message after it.
    expect(await bubble(page, "filler 1").isVisible()).toBe(true);
    await page.screenshot({ path: "/tmp/search-jumped-desktop.png" });
  }, 90_000);

  test("from the chat list after a reload, a result in the middle of the history opens its chat there", async () => {
    await page.reload();
    await page.getByTestId("conversation-item").first().waitFor();
    await page.keyboard.press("Control+k");
    await dialog().waitFor({ state: "visible" });
    await searchFor("600", ["filler 600"]);
    await page.keyboard.press("Enter");
    await dialog().waitFor({ state: "hidden" });
    await page.getByTestId("chat-title").filter({ hasText: bob.username }).waitFor();
    const target = bubble(page, "filler 600");
    await target.waitFor({ timeout: 60_000 });
    await expect.poll(() => target.evaluate((el) => {
      const box = el.getBoundingClientRect();
      return box.top >= 0 && box.bottom <= window.innerHeight;
    }), { timeout: 30_000 }).toBe(true);
    for (const neighbour of ["filler 590", "filler 599", "filler 601", "filler 610"]) expect(await bubble(page, neighbour).count()).toBe(1);
    expect(await bubble(page, "the vault code is zebra").count()).toBe(0);
  }, 90_000);

  test("Ctrl+F in a chat searches that chat and can widen to all; Escape closes and returns focus", async () => {
    await page.getByTestId("composer").focus();
    await page.keyboard.press("Control+f");
    await dialog().waitFor({ state: "visible" });
    expect(await page.getByTestId("search-scope").textContent()).toContain(`In ${bob.username}`);
    await searchFor("zebra", ["the vault code is zebra"]);
    await page.getByTestId("search-widen").click();
    expect(await page.getByTestId("search-scope").textContent()).toContain("In all chats");
    await input().focus();
    await page.keyboard.press("Escape");
    await dialog().waitFor({ state: "hidden" });
    await expect.poll(() => page.getByTestId("composer").evaluate((el) => el.matches(":focus"))).toBe(true);
  }, 90_000);

  test("works with the network off", async () => {
    await context.setOffline(true);
    try {
      await page.keyboard.press("Control+k");
      await dialog().waitFor({ state: "visible" });
      await searchFor("zebra", ["the vault code is zebra"]);
      await page.keyboard.press("Escape");
    } finally {
      await context.setOffline(false);
    }
  }, 90_000);

  test("with the index gone (a device whose history arrived before search), the app builds it again from the stored history", async () => {
    await page.evaluate(
      () =>
        new Promise<void>((resolve, reject) => {
          const open = indexedDB.open("sealed");
          open.onsuccess = () => {
            const tx = open.result.transaction(["searchPostings", "searchProgress"], "readwrite");
            tx.objectStore("searchPostings").clear();
            tx.objectStore("searchProgress").clear();
            tx.oncomplete = () => (open.result.close(), resolve());
            tx.onerror = () => reject(tx.error);
          };
          open.onerror = () => reject(open.error);
        }),
    );
    // Cleared behind the app's back (its live queries cache what they read): started again, it indexes by itself.
    await page.reload();
    await page.getByTestId("conversation-item").first().waitFor();
    await page.keyboard.press("Control+k");
    await dialog().waitFor({ state: "visible" });
    await searchFor("zebra", ["the vault code is zebra"]);
    await searchFor("laundry", ["pick up the laundry"]);
    await expect.poll(() => status().textContent(), { timeout: 60_000 }).toBe("1 message");
    await page.keyboard.press("Escape");
  }, 120_000);

  test("fits a phone screen", async () => {
    await page.setViewportSize({ width: 390, height: 800 });
    await page.keyboard.press("Control+k");
    await dialog().waitFor({ state: "visible" });
    await searchFor("up", ["pick up the laundry", "the needle is far up the history"]);
    const box = await dialog().boundingBox();
    expect(box && box.x >= 0 && box.x + box.width <= 390).toBe(true);
    await page.screenshot({ path: "/tmp/search-results-phone.png" });
    await page.keyboard.press("Escape");
    expect(errors).toEqual([]);
  }, 90_000);
});
