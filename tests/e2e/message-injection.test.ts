// A message made of HTML and script reaches the other person as the very characters typed: nothing is
// parsed as markup, nothing runs, on the receiver's screen or the sender's.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";

const baseURL = inject("baseURL");
const HOSTILE = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b>`;

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function person(who: string): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

/** The marker the hostile text would set if any of it ran. */
function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("a message of HTML and script", () => {
  test("renders as literal text for the receiver and the sender; no element is made and no script runs", async () => {
    const alice = await person("alice");
    const bob = await person("bob");
    const aliceName = uniqueName("inj_alice");
    const bobName = uniqueName("inj_bob");
    await signUpViaUi(alice, baseURL, aliceName);
    await signUpViaUi(bob, baseURL, bobName);
    await startChatViaUi(alice, bobName);
    await sendViaUi(alice, HOSTILE);
    await sendViaUi(alice, "after");
    await openChatViaUi(bob, aliceName);
    await waitForHistory(bob, [HOSTILE, "after"]);
    await waitForHistory(alice, [HOSTILE, "after"]);

    for (const page of [bob, alice]) {
      expect(await messageTexts(page)).toEqual([HOSTILE, "after"]);
      const text = page.getByTestId("message-text").first();
      // The characters are one text node: no <img>, <script> or <b> was made from them.
      expect(await text.evaluate((el) => ({ elements: el.querySelectorAll("*").length, textNodes: Array.from(el.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("") }))).toEqual({ elements: 0, textNodes: HOSTILE });
      const bubble = page.getByTestId("message").first();
      expect(await bubble.locator("img, script, b").count()).toBe(0);
      // Give an onerror handler every chance to fire before looking.
      await page.waitForTimeout(300);
      expect(await pwned(page)).toBeUndefined();
    }
    expect(pageErrors).toEqual([]);
  });
});
