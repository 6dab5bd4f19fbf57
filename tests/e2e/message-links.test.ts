// How messages read (issue 17): http and https links are clickable, open in a new tab without an opener
// or a referrer, and nothing else becomes a link; a 1:1 chat groups bubbles without a name over them,
// a group keeps the sender's name over each run.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { createGroupViaUi, openGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const aliceName = uniqueName("links_alice");
const bobName = uniqueName("links_bob");
let alice: Page;
let bob: Page;

async function person(who: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

/** Whether script that the hostile texts would run, ran. */
function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  alice = await person("alice", { width: 1280, height: 800 });
  bob = await person("bob", { width: 390, height: 844 });
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("messages as they read", () => {
  const local = `${baseURL}/links-test-page?x=1&y=2`;
  const texts = [
    `our page: ${local}.`,
    "javascript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=2</script>",
    "and https://user:pw@example.com/ with a password, and www.example.com",
  ];

  test("http(s) links open in a new tab without an opener; javascript:, data: and the rest stay text", async () => {
    await startChatViaUi(alice, bobName);
    for (const t of texts) await sendViaUi(alice, t);
    await openChatViaUi(bob, aliceName);
    await waitForHistory(bob, texts);
    for (const page of [bob, alice]) {
      expect(await messageTexts(page)).toEqual(texts);
      const anchors = page.getByTestId("message-link");
      expect(await anchors.count()).toBe(1);
      const a = anchors.first();
      expect(await a.textContent()).toBe(local);
      expect(await a.getAttribute("href")).toBe(local);
      expect(await a.getAttribute("target")).toBe("_blank");
      expect(await a.getAttribute("rel")).toBe("noopener noreferrer");
      // The hostile schemes made no element at all: each message is one text node.
      for (const i of [1, 2, 3]) expect(await page.getByTestId("message-text").nth(i).evaluate((el) => el.children.length)).toBe(0);
      expect(await page.locator("a[href^='javascript'], a[href^='data']").count()).toBe(0);
    }
    await bob.screenshot({ path: `${SHOTS}/links-phone.png` });

    // Clicking opens the address in a new tab, which gets no handle on the chat.
    const [tab] = await Promise.all([bob.context().waitForEvent("page"), bob.getByTestId("message-link").click()]);
    await tab.waitForLoadState("domcontentloaded");
    expect(tab.url()).toBe(local);
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    await tab.close();
    // Clicking the plain-text javascript: message runs nothing.
    await bob.getByTestId("message-text").nth(1).click();
    await bob.waitForTimeout(200);
    expect(await pwned(bob)).toBeUndefined();
  });

  test("a 1:1 chat shows no name over the bubbles; a group shows the sender's", async () => {
    // The four messages above are one run of Alice's: no name over them on either side.
    for (const page of [alice, bob]) expect(await page.locator("li.msg .sender").count()).toBe(0);
    await sendViaUi(bob, "a reply from Bob");
    await waitForHistory(alice, [...texts, "a reply from Bob"]);
    for (const page of [alice, bob]) expect(await page.locator("li.msg .sender").count()).toBe(0);

    const group = "Link readers";
    await createGroupViaUi(alice, group, [bobName]);
    await sendViaUi(alice, "hello group");
    await bob.getByTestId("back").click();
    await openGroupViaUi(bob, group);
    await waitForHistory(bob, ["hello group"]);
    await sendViaUi(bob, "hello from Bob");
    await waitForHistory(alice, ["hello group", "hello from Bob"]);
    expect(await bob.locator("li.msg.theirs .sender").allTextContents()).toEqual([aliceName]);
    expect(await alice.locator("li.msg.theirs .sender").allTextContents()).toEqual([bobName]);
    await alice.screenshot({ path: `${SHOTS}/group-names-desktop.png` });
  });

  test("no page errors were thrown", () => {
    expect(pageErrors).toEqual([]);
  });
});
