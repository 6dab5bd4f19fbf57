// Issue 17, the content model in the browser: Bob's app is newer and sends a kind of message this build
// does not know (kind 200, sealed with his real device key, posted through the real server). Alice's app
// shows it as "This message needs a newer version of the app", in its place, and the chat goes on: Bob's
// next message shows with no gap and nothing counted as refused, and Alice can answer.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { encodeBodyFrame, utf8 } from "../../protocol/index.js";
import { openChatViaUi, sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const PLACEHOLDER = "This message needs a newer version of the app";
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext();
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

/** Every bubble of the open chat, in order: its text, or the placeholder. */
function bubbles(p: Page): Promise<string[]> {
  return p.getByTestId("message").evaluateAll((els) => els.map((el) => el.querySelector("[data-testid=message-text], [data-testid=message-unsupported]")?.textContent ?? "?"));
}

test("a message of a kind this app does not know shows as 'needs a newer version', and the chat continues", async () => {
  const alice = uniqueName("alice");
  await signUpViaUi(page, baseURL, alice);
  const bob = await ApiContact.create(nodeApi(baseURL), "bob");
  await bob.newEpoch(alice);
  await bob.send(["before the new kind"]);
  await bob.sendContent(encodeBodyFrame(200, Date.now(), utf8("something only a newer app can show")));
  await bob.send(["after the new kind"]);

  await openChatViaUi(page, bob.username);
  await waitForHistory(page, ["before the new kind", "after the new kind"]);
  await expect.poll(() => bubbles(page)).toEqual(["before the new kind", PLACEHOLDER, "after the new kind"]);
  // Bob's chain went on through it: no "never arrived" gap, nothing hidden as failing the security checks.
  expect(await page.getByTestId("gap").count()).toBe(0);
  expect(await page.getByText("failed security checks").count()).toBe(0);
  // The list's preview of the chat is Bob's newest message.
  await expect.poll(() => page.getByTestId("conversation-item").filter({ hasText: bob.username }).textContent()).toContain("after the new kind");

  // The conversation continues both ways.
  await sendViaUi(page, "got it");
  await bob.send(["and one more"]);
  await waitForHistory(page, ["before the new kind", "after the new kind", "got it", "and one more"]);
  expect(await bubbles(page)).toEqual(["before the new kind", PLACEHOLDER, "after the new kind", "got it", "and one more"]);
  expect(await page.getByTestId("gap").count()).toBe(0);
  expect(await page.getByText("failed security checks").count()).toBe(0);
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/newer-kind-desktop.png` });

  // It was stored as a message, not only rendered: after a reload it is still in its place.
  await page.reload();
  await openChatViaUi(page, bob.username);
  await waitForHistory(page, ["before the new kind", "after the new kind", "got it", "and one more"]);
  expect(await bubbles(page)).toEqual(["before the new kind", PLACEHOLDER, "after the new kind", "got it", "and one more"]);
  expect(errors).toEqual([]);
}, 120_000);
