// Issue 15 item 7 in the browser: a server that refuses to sign a device in (403 on the login challenge)
// while the device's own verified log still lists it makes the device wipe nothing. The app keeps the
// history on screen with "The server refused this device", and "Try again" brings it back once the
// server lets it in. (The real removal, which does wipe, is in link.test.ts and reset.test.ts.)
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { answerConfirm, openChatViaUi, sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");
const CHALLENGE = /\/api\/session\/challenge$/;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  // No service worker, so every API request passes the routes below.
  context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

async function shots(name: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.screenshot({ path: `${SHOTS}/${name}-desktop.png` });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${SHOTS}/${name}-phone.png` });
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("a login the server refuses, while this device's own log still lists it, wipes nothing and can be retried", async () => {
  const alice = uniqueName("alice");
  await signUpViaUi(page, baseURL, alice);
  const bob = await ApiContact.create(nodeApi(baseURL), "bob");
  await bob.newEpoch(alice);
  const history = ["hello from bob", "are you there?"];
  await bob.send(history);
  await openChatViaUi(page, bob.username);
  await waitForHistory(page, history);
  await sendViaUi(page, "still here");
  history.push("still here");
  await waitForHistory(page, history);
  await shots("main-chat");

  // The server refuses this device: its session is gone and the login challenge answers 403.
  let refusals = 0;
  await context.route(CHALLENGE, async (route) => {
    refusals++;
    await route.fulfill({ status: 403, json: { error: { code: "forbidden", message: "this device was removed from the account" } } });
  });
  await context.clearCookies();
  await page.reload();

  const banner = page.getByTestId("device-refused");
  await banner.waitFor({ timeout: 30_000 });
  expect(refusals).toBeGreaterThan(0);
  await expect(banner.textContent()).resolves.toContain("The server refused this device");
  // Nothing was deleted: the account, the chat and its history are all still here.
  expect(await page.getByTestId("device-removed").count()).toBe(0);
  expect(await page.evaluate(() => localStorage.getItem("sealed-removed-device"))).toBeNull();
  await openChatViaUi(page, bob.username);
  await waitForHistory(page, history);
  await shots("server-refused");

  // "Delete this device's data" asks in the app first; Cancel deletes nothing.
  await page.getByTestId("refused-forget").click();
  await answerConfirm(page, { mentions: "Your account and your other devices are not changed", accept: false, shot: `${SHOTS}/refused-forget-confirm.png` });
  await banner.waitFor();
  await waitForHistory(page, history);

  // The server lets the device in again: "Try again" signs in and the chat goes on.
  await context.unroute(CHALLENGE);
  await page.getByTestId("refused-retry").click();
  await banner.waitFor({ state: "detached", timeout: 30_000 });
  await sendViaUi(page, "back again");
  history.push("back again");
  await waitForHistory(page, history);
  expect(errors).toEqual([]);
}, 120_000);

test("confirming 'Delete this device's data' on a refused device wipes this browser and leaves the account", async () => {
  const alice = uniqueName("alice");
  // A browser profile of its own (no service worker, so the route below sees every request).
  const context = await browser.newContext({ serviceWorkers: "block", viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  await signUpViaUi(page, baseURL, alice);
  await context.route(CHALLENGE, (route) => route.fulfill({ status: 403, json: { error: { code: "forbidden", message: "this device was removed from the account" } } }));
  await context.clearCookies();
  await page.reload();
  await page.getByTestId("device-refused").waitFor({ timeout: 30_000 });
  await page.getByTestId("refused-forget").click();
  await answerConfirm(page, { mentions: "Delete this device's data?" });
  await page.getByTestId("restore-account").waitFor({ timeout: 30_000 });
  await context.close();
  // The account itself is untouched: its username is still taken on the server.
  const bob = await ApiContact.create(nodeApi(baseURL), "bob");
  expect((await bob.api.call("GET", `/api/users/${alice}`, { cookie: bob.me.cookie })).status).toBe(200);
  expect(errors).toEqual([]);
}, 120_000);
