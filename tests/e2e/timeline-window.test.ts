// A chat longer than the part the app holds of it (client/views/timeline-window.ts holds the newest 400
// bubbles, then the part around wherever the reader is): scrolled to the oldest message and back, a
// search result far up opened with its neighbours, and a reaction to an old message arriving while the
// reader looks at it, and while they look elsewhere, each as a person sees it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";
import { bubble, chips, storedRef } from "./rich-helpers";

const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
/** More than the newest part the chat holds when it opens (400), so its oldest messages are read only when asked for. */
const TOTAL = 650;
const OLD = "the lighthouse keeper wrote first";
const aliceName = uniqueName("window_alice");
let browser: Browser;
let page: Page;
let bob: ApiContact;
const errors: string[] = [];

const list = () => page.getByTestId("message-list");
const host = () => page.locator("sealed-message-list");
const attr = async (name: string) => Number(await list().getAttribute(name));
const texts = () => page.getByTestId("message-text").allTextContents();
const fromBottom = () => host().evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
/** Whether the bubble is inside the list's visible area. */
const inView = (text: string) =>
  bubble(page, text).evaluate((el) => {
    const list = el.getRootNode() instanceof ShadowRoot ? ((el.getRootNode() as ShadowRoot).host as HTMLElement) : document.body;
    const box = el.getBoundingClientRect();
    const view = list.getBoundingClientRect();
    return box.top >= view.top && box.bottom <= view.bottom;
  });

/** Whether the stored read position of the one chat covers Bob's newest message (IndexedDB, as the app wrote it). */
function readToNewest(): Promise<boolean> {
  return page.evaluate(async (newest) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as T[]);
        r.onerror = () => reject(r.error);
      });
    const [convs, messages] = [await all<{ readUpTo?: number }>("conversations"), await all<{ seq?: number; text: string }>("messages")];
    db.close();
    const last = messages.find((m) => m.text === newest)?.seq;
    return convs.length === 1 && last !== undefined && (convs[0]!.readUpTo ?? 0) >= last;
  }, `entry ${TOTAL}`);
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signUpViaUi(page, baseURL, aliceName);
  bob = await ApiContact.create(api, "window_bob");
  await bob.newEpoch(aliceName);
  await bob.send([OLD, ...Array.from({ length: TOTAL - 1 }, (_, i) => `entry ${i + 2}`)]);
  await openChatViaUi(page, bob.username);
  for (let i = 0; (await attr("data-total")) !== TOTAL; i++) {
    if (i > 480) throw new Error(`the list holds ${await attr("data-total")} messages, expected ${TOTAL}`);
    await page.waitForTimeout(250);
  }
  // Opened again with nothing unread: the chat opens at its newest message. The open chat reads what
  // arrives a moment after it is stored: a reload before that would leave the last ones unread, and the
  // chat would rightly open at its "New messages" divider instead.
  for (let i = 0; !(await readToNewest()); i++) {
    if (i > 240) throw new Error("the open chat never read its newest message");
    await page.waitForTimeout(250);
  }
  await page.reload();
  await openChatViaUi(page, bob.username);
  await list().locator(`[data-index="${TOTAL - 1}"]`).waitFor({ timeout: 60_000 });
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

describe("a chat longer than the part the app holds", () => {
  test("scrolls up to its oldest message and back down to the newest, which then follows arrivals", async () => {
    expect(await attr("data-total")).toBe(TOTAL);
    await expect.poll(async () => (await texts()).at(-1)).toBe(`entry ${TOTAL}`);
    let most = 0;
    for (let i = 0; !((await attr("data-first")) === 0 && (await texts())[0] === OLD); i++) {
      if (i > 300) throw new Error(`the oldest message never came (window starts at ${await attr("data-first")})`);
      await host().evaluate((el) => (el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight)));
      await page.waitForTimeout(30);
      most = Math.max(most, (await texts()).length);
    }
    await host().evaluate((el) => (el.scrollTop = 0));
    await expect.poll(() => inView(OLD), { timeout: 30_000 }).toBe(true);
    expect(most).toBeLessThanOrEqual(300);
    expect(await texts()).not.toContain(`entry ${TOTAL}`);
    await page.screenshot({ path: "/tmp/timeline-window-oldest.png" });

    for (let i = 0; (await texts()).at(-1) !== `entry ${TOTAL}`; i++) {
      if (i > 300) throw new Error("the newest message never came back");
      await host().evaluate((el) => (el.scrollTop = el.scrollTop + el.clientHeight));
      await page.waitForTimeout(30);
    }
    await host().evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(fromBottom).toBeLessThan(5);
    expect(await texts()).not.toContain(OLD);
    // Back at the bottom, a new message shows and the view stays pinned to it.
    await bob.send(["back at the newest"]);
    await expect.poll(async () => (await texts()).at(-1), { timeout: 30_000 }).toBe("back at the newest");
    await expect.poll(fromBottom).toBeLessThan(5);
    expect(await attr("data-total")).toBe(TOTAL + 1);
  }, 240_000);

  test("a search result far up opens there, and a reaction to it shows while the reader looks at it", async () => {
    await page.keyboard.press("Control+k");
    await page.getByTestId("search-dialog").waitFor({ state: "visible" });
    await page.getByTestId("search-input").pressSequentially("lighthouse");
    await expect.poll(() => page.getByTestId("search-snippet").allTextContents(), { timeout: 60_000 }).toEqual([OLD]);
    await page.keyboard.press("Enter");
    await page.getByTestId("search-dialog").waitFor({ state: "hidden" });
    await expect.poll(() => inView(OLD), { timeout: 30_000 }).toBe(true);
    // With its neighbours, and not the newest messages.
    expect(await bubble(page, "entry 2").isVisible()).toBe(true);
    expect(await attr("data-first")).toBe(0);
    expect(await texts()).not.toContain("back at the newest");

    // Bob reacts to it now: the reaction is stored after every message the window holds.
    await bob.sendContent({ kind: "reaction", sentAt: Date.now(), to: await storedRef(page, OLD), emoji: "👍" });
    await expect.poll(() => chips(bubble(page, OLD)), { timeout: 30_000 }).toEqual([expect.stringMatching(/^👍 1 /)]);
    expect(await inView(OLD)).toBe(true);
    expect(await texts()).not.toContain("back at the newest");
    await page.screenshot({ path: "/tmp/timeline-window-reaction.png" });
  }, 120_000);

  test("a reaction to an old message that came while the reader was at the newest shows when they get there", async () => {
    await host().evaluate((el) => (el.scrollTop = el.scrollHeight));
    for (let i = 0; (await texts()).at(-1) !== "back at the newest"; i++) {
      if (i > 300) throw new Error("the newest message never came back");
      await host().evaluate((el) => (el.scrollTop = el.scrollHeight));
      await page.waitForTimeout(30);
    }
    await bob.sendContent({ kind: "reaction", sentAt: Date.now(), to: await storedRef(page, "entry 3"), emoji: "🎉" });
    await bob.send(["after the reaction"]);
    await expect.poll(async () => (await texts()).at(-1), { timeout: 30_000 }).toBe("after the reaction");
    expect(await bubble(page, "entry 3").count()).toBe(0);
    // Scrolling up brings it in: the reaction is on it.
    for (let i = 0; (await bubble(page, "entry 3").count()) === 0; i++) {
      if (i > 300) throw new Error("entry 3 never came");
      await host().evaluate((el) => (el.scrollTop = Math.max(0, el.scrollTop - el.clientHeight)));
      await page.waitForTimeout(30);
    }
    await expect.poll(() => chips(bubble(page, "entry 3")), { timeout: 30_000 }).toEqual([expect.stringMatching(/^🎉 1 /)]);
    expect(errors).toEqual([]);
  }, 240_000);
});
