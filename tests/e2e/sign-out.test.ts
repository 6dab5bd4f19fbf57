// Settings → Sign out (issues 19 and 21), in real Chromium against wrangler dev: the device leaves the
// account (a leave entry, docs/PROTOCOL.md kind 6), its session dies, its store is deleted and every tab
// of the browser returns to the welcome screen. The other device lists it as removed and the next epoch
// leaves it out. The only device without recovery is warned in plain words; offline nothing is touched.
import type { Browser, Page } from "playwright-core";
import { messageListResponse } from "../../protocol/api.js";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { answerConfirm, openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi, waitForCount } from "./link-helpers";
import { PHONE, People } from "./people";
import { senderOf } from "./push-helpers";
import { allowPush, turnOnNotificationsViaUi } from "./push-optin-helpers";
import { pushedSeq, pushesTo, servedVapidKey, subscribeAtPushService } from "./push-service-client";
import { SHOTS, waitForServiceWorker } from "./pwa-helpers";
import { linkViaPaste } from "./rich-helpers";

const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
let browser: Browser;
let people: People;

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

/** Row counts of the account's tables in this origin's "sealed" database (none when it is gone). */
function localRows(page: Page): Promise<Record<string, number>> {
  return page.evaluate(async () => {
    const rows: Record<string, number> = {};
    if (!(await indexedDB.databases()).some((d) => d.name === "sealed")) return rows;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    for (const store of ["device", "account", "contacts", "conversations", "epochs", "envelopes", "messages", "searchPostings", "searchTerms"]) {
      if (!db.objectStoreNames.contains(store)) continue;
      rows[store] = await new Promise<number>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).count();
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
    }
    db.close();
    return rows;
  });
}

function nothingLeft(rows: Record<string, number>): boolean {
  return Object.values(rows).every((n) => n === 0);
}

async function cookieOf(page: Page): Promise<string> {
  return (await page.context().cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");
}

async function ownDeviceId(page: Page): Promise<string> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const row = await new Promise<{ deviceId: string }>((resolve, reject) => {
      const r = db.transaction("device").objectStore("device").get("self");
      r.onsuccess = () => resolve(r.result as { deviceId: string });
      r.onerror = () => reject(r.error);
    });
    db.close();
    return row.deviceId;
  });
}

/** How many notifications of the app's service worker are on screen. */
function shownNotifications(page: Page): Promise<number> {
  return page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length);
}

async function openSignOut(page: Page): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  await page.getByTestId("sign-out").waitFor({ timeout: 45_000 });
}

/** The welcome screen, as a person who never signed up sees it. */
function welcome(page: Page): Promise<void> {
  return page.getByLabel("Choose a username").waitFor({ timeout: 60_000 });
}

/** The confirmation's text, read while it is open. */
async function asked(page: Page): Promise<string> {
  const dialog = page.locator("dialog[data-testid=confirm-dialog][open]");
  await dialog.waitFor({ timeout: 45_000 });
  return (await dialog.textContent()) ?? "";
}

describe("signing out one of two devices", () => {
  test("the device leaves: welcome screen, nothing local left, its cookie refused, listed as removed, left out of the next epoch", async () => {
    const aliceName = uniqueName("alice");
    const first = await people.page("alice-first");
    const second = await people.page("alice-second");
    await signUpViaUi(first, baseURL, aliceName);
    await linkViaPaste(first, second, baseURL, aliceName);
    const bob = await ApiContact.create(api, "bob");
    await bob.newEpoch(aliceName);
    await bob.send(["before signing out"]);
    await second.goto(baseURL);
    await openChatViaUi(second, bob.username);
    await waitForCount(second, 1);

    // A reply the server never gets (its posts fail as if offline) stays in the outbox: the dialog counts it.
    await second.route("**/api/conversations/*/messages", (route) => (route.request().method() === "POST" ? route.abort("internetdisconnected") : route.fallback()));
    await sendViaUi(second, "written but never sent");
    const before = await localRows(second);
    expect(before.device).toBe(1);
    expect(before.messages).toBeGreaterThan(0);
    const secondId = await ownDeviceId(second);
    const cookie = await cookieOf(second);
    expect((await api.call("GET", "/api/me", { cookie })).status).toBe(200);

    await openSignOut(second);
    await second.getByTestId("sign-out").click();
    const text = await asked(second);
    expect(text).toContain("This browser will forget your account, its keys and its message history");
    expect(text).toContain("Your other device keeps working");
    expect(text).toContain("link this browser from one of them or restore it with your recovery key");
    expect(text).toContain("1 message written here hasn't been sent yet and will be lost");
    await answerConfirm(second, { mentions: "Sign out of this browser?", shot: `${SHOTS}/sign-out-confirm.png` });
    await welcome(second);
    await second.screenshot({ path: `${SHOTS}/sign-out-welcome.png` });
    expect(nothingLeft(await localRows(second))).toBe(true);
    expect(await second.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("sealed") && k !== "sealed-setting:theme"))).toEqual([]);
    expect((await api.call("GET", "/api/me", { cookie })).status).toBe(401);

    // The first device lists it as removed, under the name it had.
    await first.goto(`${baseURL}/#/settings`);
    const removed = first.locator("[data-testid=device-item][data-revoked]");
    await expect.poll(() => removed.count(), { timeout: 30_000 }).toBe(1);
    expect(await removed.textContent()).toContain("Removed");
    expect(await removed.textContent()).not.toContain("Unnamed device");
    await first.getByTestId("devices").screenshot({ path: `${SHOTS}/sign-out-devices.png` });

    // Bob's next epoch, made from Alice's log as the server now serves it, wraps no key for it.
    await bob.newEpoch(aliceName);
    const wrapped = await bob.wrappedDevices(await bob.latestEpoch());
    expect(wrapped).toHaveLength(2);
    expect(wrapped).not.toContain(secondId);
    expect(wrapped).toContain(await ownDeviceId(first));
    await bob.send(["after signing out"]);
    await first.goto(baseURL);
    await openChatViaUi(first, bob.username);
    expect((await waitForCount(first, 2)).at(-1)).toBe("after signing out");
  });
});

describe("signing out with two tabs open", () => {
  test("the other tab of the same browser returns to the welcome screen too, at phone width", async () => {
    const name = uniqueName("carol");
    const tab = await people.page("carol", PHONE);
    await signUpViaUi(tab, baseURL, name);
    const other = await tab.context().newPage();
    other.on("pageerror", (e) => people.errors.push(`carol's other tab: ${e.message}`));
    await other.goto(baseURL);
    await other.getByTestId("my-username").filter({ hasText: name }).waitFor({ timeout: 45_000 });

    // A notification still on screen shows a message's text: signing out closes it.
    await tab.context().grantPermissions(["notifications"], { origin: baseURL });
    await waitForServiceWorker(tab, 60_000);
    await tab.evaluate(async () => (await navigator.serviceWorker.ready).showNotification("Sealed", { tag: "left-over", body: "bob: a secret" }));
    expect(await shownNotifications(tab)).toBe(1);

    await openSignOut(tab);
    await tab.getByTestId("sign-out").click();
    // Carol saved her recovery key at sign-up: the only device, but not the end of the account.
    const text = await asked(tab);
    expect(text).toContain("This browser is your account's only device: to use your account again, restore it with your recovery key");
    expect(text).not.toContain("lost forever");
    await tab.screenshot({ path: `${SHOTS}/sign-out-confirm-phone.png` });
    await answerConfirm(tab, { mentions: "Sign out of this browser?" });
    await welcome(tab);
    await welcome(other);
    expect(await other.getByTestId("my-username").count()).toBe(0);
    expect(nothingLeft(await localRows(other))).toBe(true);
    expect(await shownNotifications(tab)).toBe(0);
  });
});

describe("the only device, with no recovery set up", () => {
  test("offline nothing happens and it says so; the dialog warns the account is lost forever; Cancel keeps everything", async () => {
    const name = uniqueName("dave");
    const page = await people.page("dave");
    await page.goto(baseURL, { timeout: 60_000 });
    await page.getByLabel("Choose a username").fill(name);
    await page.getByRole("button", { name: "Create account" }).click();
    // Dave leaves the recovery key screen without confirming he saved the key.
    await page.getByTestId("recovery-key").waitFor({ timeout: 45_000 });
    await page.reload();
    await page.getByTestId("my-username").filter({ hasText: name }).waitFor({ timeout: 45_000 });
    await openSignOut(page);

    await page.context().setOffline(true);
    await page.getByTestId("sign-out").click();
    await expect.poll(() => page.getByTestId("sign-out-error").textContent(), { timeout: 45_000 }).toContain("Can't reach the server, so this browser was not signed out: nothing was deleted");
    expect(await page.locator("dialog[data-testid=confirm-dialog][open]").count()).toBe(0);
    await page.context().setOffline(false);

    await page.getByTestId("sign-out").click();
    const text = await asked(page);
    expect(text).toContain("Sign out and lose your account?");
    expect(text).toContain("no recovery is set up");
    expect(text).toContain("your account and all its history will be lost forever");
    expect((await page.locator("dialog[data-testid=confirm-dialog][open]").getByTestId("confirm-ok").textContent())?.trim()).toBe("Sign out and lose my account");
    await answerConfirm(page, { mentions: "lost forever", accept: false, shot: `${SHOTS}/sign-out-lose-account.png` });

    const rows = await localRows(page);
    expect(rows.device).toBe(1);
    expect(rows.account).toBe(1);
    expect((await api.call("GET", "/api/me", { cookie: await cookieOf(page) })).status).toBe(200);
    await page.goto(baseURL);
    await page.getByTestId("my-username").filter({ hasText: name }).waitFor({ timeout: 45_000 });
  });
});

/** The position of Bob's newest message in his chat, as the server lists it (Alice's read marks left out). */
async function bobsLatestSeq(bob: ApiContact): Promise<number> {
  const res = await bob.api.call("GET", `/api/conversations/${bob.conversationId}/messages?after=0&limit=200`, { cookie: bob.me.cookie });
  expect(res.status).toBe(200);
  const mine = messageListResponse.parse(await res.json()).messages.filter((m) => senderOf(m) === bob.me.accountId);
  return Math.max(...mine.map((m) => m.seq));
}

describe("signing out a device that receives push notifications", () => {
  test("its subscription is dropped in the browser and on the server: pushed before, never after", async () => {
    const aliceName = uniqueName("alice");
    const first = await people.page("alice-first-push");
    const second = await people.page("alice-second-push");
    // PLATFORM.md: a real subscribe never succeeds here, so the page's PushManager hands out a real
    // subscription at the test push service, which records every push the server sends it.
    const sub = await subscribeAtPushService(await servedVapidKey(baseURL));
    await allowPush(second, baseURL, [sub]);
    await signUpViaUi(first, baseURL, aliceName);
    await linkViaPaste(first, second, baseURL, aliceName);
    await turnOnNotificationsViaUi(second, baseURL);

    // With its app closed, Bob's messages are pushed to it. The server pushes only to a device with no
    // open socket, and notices the closed tab's socket a little later: Bob writes until one is pushed.
    const bob = await ApiContact.create(api, "bob");
    await bob.newEpoch(aliceName);
    await second.goto("about:blank");
    let sent = 0;
    await expect
      .poll(
        async () => {
          await bob.send([`pushed before signing out ${++sent}`]);
          return (await pushesTo(sub)).length;
        },
        { timeout: 45_000, interval: 1_000 },
      )
      .toBeGreaterThan(0);

    await openSignOut(second);
    await second.getByTestId("sign-out").click();
    await answerConfirm(second, { mentions: "Sign out of this browser?" });
    await welcome(second);
    expect(await second.evaluate(() => localStorage.getItem("__pushStubCurrent"))).toBeNull();

    // The server holds no subscription for it any more: Bob's next message reaches the first device, and
    // no push for it reached the push service. (The server starts pushing when it stores a message, as it
    // starts the first device's realtime frame; this check cannot fail wrongly, only pass early.)
    await second.goto("about:blank");
    await bob.newEpoch(aliceName);
    await bob.send(["not pushed after signing out"]);
    await first.goto(baseURL);
    await openChatViaUi(first, bob.username);
    expect((await waitForCount(first, sent + 1)).at(-1)).toBe("not pushed after signing out");
    const last = await bobsLatestSeq(bob);
    const pushed = (await pushesTo(sub)).map(pushedSeq);
    expect(pushed.length).toBeGreaterThan(0);
    expect(pushed.every((seq) => seq !== undefined && seq < last)).toBe(true);
  });
});
