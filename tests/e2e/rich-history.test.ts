// Replies and edits against a contact who writes at protocol level (issue 17): a quote far up a long
// history jumps there, a reply to a message this device never held says so, and an edit forged by
// someone other than the author is refused, counted and shown as such, never applied.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { ClientMessageId, DeviceId } from "../../protocol/index.js";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";
import { bubble, storedRef } from "./rich-helpers";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
const TOTAL = 400;
const aliceName = uniqueName("rich_hist_alice");
let browser: Browser;
let page: Page;
let bob: ApiContact;
const errors: string[] = [];
const history = Array.from({ length: TOTAL }, (_, i) => `old ${i + 1}`);

const list = () => page.getByTestId("message-list");
const attr = async (name: string) => Number(await list().getAttribute(name));

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signUpViaUi(page, baseURL, aliceName);
  bob = await ApiContact.create(api, "rich_hist_bob");
  await bob.newEpoch(aliceName);
  await bob.send(history);
  await openChatViaUi(page, bob.username);
  for (let i = 0; (await attr("data-total")) !== TOTAL; i++) {
    if (i > 240) throw new Error(`the list holds ${await attr("data-total")} messages, expected ${TOTAL}`);
    await page.waitForTimeout(250);
  }
});

afterAll(async () => {
  await browser?.close();
  expect(errors).toEqual([]);
});

describe("an edit by someone other than the author", () => {
  test("is refused and counted: the message keeps its text and the chat says a message was hidden", async () => {
    await sendViaUi(page, "Alice wrote exactly this");
    await page.getByTestId("message").filter({ hasText: "Alice wrote exactly this" }).and(page.locator('[data-status="sent"]')).waitFor({ timeout: 20_000 });
    const target = await storedRef(page, "Alice wrote exactly this");
    await bob.sendContent({ kind: "edit", sentAt: Date.now(), to: target, text: "Alice agrees to pay for everything" });
    await bob.sendContent({ kind: "delete", sentAt: Date.now(), to: target });
    await bob.send(["after the forgery"]);
    await bubble(page, "after the forgery").waitFor({ timeout: 20_000 });
    await page.getByText("2 messages failed security checks and were hidden.").waitFor();
    const texts = await messageTexts(page);
    expect(texts.slice(-2)).toEqual(["Alice wrote exactly this", "after the forgery"]);
    expect(texts.some((t) => t.includes("pay for everything"))).toBe(false);
    expect(await bubble(page, "Alice wrote exactly this").getByTestId("message-edited").count()).toBe(0);
    expect(await page.getByTestId("message-deleted").count()).toBe(0);
    await page.screenshot({ path: `${SHOTS}/rich-forged-edit-refused.png` });
  });
});

describe("a reply to a message not held here", () => {
  test("a reply to a message this device does not hold shows 'Original message not available'", async () => {
    const unknown = { deviceId: DeviceId.fromBytes(new Uint8Array(16).fill(5)), clientMessageId: ClientMessageId.fromBytes(new Uint8Array(16).fill(6)) };
    await bob.sendContent({ kind: "reply", sentAt: Date.now(), to: unknown, text: "replying to something older" });
    const reply = bubble(page, "replying to something older");
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.getByTestId("reply-quote").textContent()).toContain("Original message not available");
    expect(await reply.getByTestId("reply-quote").getAttribute("data-state")).toBe("unavailable");
  });
});

describe("a reply to a message far up the history", () => {
  test("its quote moves the window to the original, scrolls to it and highlights it", async () => {
    const first = await storedRef(page, "old 1");
    await bob.sendContent({ kind: "reply", sentAt: Date.now(), to: first, text: "about the very first one" });
    const reply = bubble(page, "about the very first one");
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.getByTestId("reply-quote").textContent()).toContain("old 1");
    expect(await bubble(page, "old 1").count()).toBe(0); // outside the rendered window
    await reply.getByTestId("reply-quote").click();
    const original = bubble(page, "old 1");
    await original.waitFor();
    await expect.poll(() => original.getAttribute("class")).toContain("flash");
    await expect.poll(() => original.evaluate((el) => {
      const r = el.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    })).toBe(true);
    expect(await attr("data-first")).toBe(0);
    await page.screenshot({ path: `${SHOTS}/rich-jump-to-quote.png` });
  });
});
