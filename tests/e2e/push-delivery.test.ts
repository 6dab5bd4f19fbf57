// Web Push on the device (issue 19): a push delivered to Bob's service worker through the DevTools
// protocol (PLATFORM.md "Web Push") is stored through the app's own receive path and shown as a
// notification built from what passed the app's checks. The payload is what the server encrypts per
// RFC 8291 (protocol/push.ts), taken from the server's stored message, so each case (tampered, hint,
// privacy, open chat) is set up directly: the browser hands the service worker the plaintext either way.
// The whole chain through the server and a push service is push-chain.test.ts. Bob's app is closed
// (about:blank) unless a test opens it.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { answerConfirm, openChatViaUi, signUpViaUi, startChatViaUi, sendViaUi, uniqueName } from "./app";
import { createGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";
import { DESKTOP, People } from "./people";
import { waitForServiceWorker } from "./pwa-helpers";
import { PushLine, closeAllNotifications, messagePayload, newestAfter, notifications, observerPage, senderOf, tampered, waitForNotification } from "./push-helpers";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
let alice: Page;
let bob: Page;
/** Bob's page on his origin that runs no app: reads notifications and the server's list. */
let watch: Page;
let line: PushLine;
let aliceName: string;
let bobName: string;
let aliceId: string;
let chat: string;
let lastSeq = 0;

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
  aliceName = uniqueName("alice");
  bobName = uniqueName("bob");
  alice = await people.page("alice");
  bob = await people.page("bob");
  await bob.context().grantPermissions(["notifications"], { origin: baseURL });
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await waitForServiceWorker(bob, 60_000);
  await startChatViaUi(alice, bobName);
  chat = /#\/c\/([^/?]+)/.exec(alice.url())![1]!;
  await bob.goto("about:blank");
  watch = await bob.context().newPage();
  await observerPage(watch, baseURL);
  line = await PushLine.open(watch, baseURL);
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

/** The privacy choice as the store holds it (store/db.ts version 10, table pushPrefs). */
function storedPrivacy(page: Page): Promise<string | undefined> {
  return page.evaluate(
    () =>
      new Promise<string | undefined>((resolve, reject) => {
        const open = indexedDB.open("sealed");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction("pushPrefs").objectStore("pushPrefs").get("self");
          get.onsuccess = () => {
            open.result.close();
            resolve((get.result as { privacy?: string } | undefined)?.privacy);
          };
        };
      }),
  );
}

/** Alice sends `text`; returns the stored message as the server holds it. */
async function aliceSends(text: string) {
  await sendViaUi(alice, text);
  const m = await newestAfter(watch, chat, lastSeq, aliceId);
  lastSeq = m.seq;
  return m;
}

test("a pushed message shows who wrote what, decrypted on the device", async () => {
  const m = await aliceSends("hello push");
  aliceId = senderOf(m);
  await line.deliver(messagePayload(chat, m));
  const n = await waitForNotification(watch, chat, (x) => x.body.includes("hello push"));
  expect(n.title).toBe(aliceName);
  expect(n.body).toBe(`${aliceName}: hello push`);
  expect(n.data).toEqual({ conversationId: chat });
});

test("a tampered envelope (one byte flipped) shows no text", async () => {
  await closeAllNotifications(watch);
  const m = await aliceSends("tampered secret");
  await line.deliver(messagePayload(chat, { ...m, envelope: tampered(m.envelope) }));
  const n = await waitForNotification(watch, chat, () => true);
  expect(n.body).toBe("New message");
  expect(JSON.stringify(await notifications(watch))).not.toContain("tampered secret");
});

test("a second message updates the chat's one notification", async () => {
  await closeAllNotifications(watch);
  await line.deliver(messagePayload(chat, await aliceSends("third message")));
  await waitForNotification(watch, chat, (x) => x.body.includes("third message"));
  await line.deliver(messagePayload(chat, await aliceSends("fourth message")));
  const n = await waitForNotification(watch, chat, (x) => x.body.includes("fourth message"));
  // Unread: "hello push", "third message" and "fourth message" (the tampered one was refused).
  expect(n.body).toBe(`3 new messages\n${aliceName}: fourth message`);
  expect(await notifications(watch, chat)).toHaveLength(1);
});

test("the app badge shows the unread total, one more for each message pushed", async () => {
  // Headless Chromium shows no badge: the service worker's navigator.setAppBadge is watched instead.
  const worker = bob.context().serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
  if (!worker) throw new Error("Bob's service worker is not running");
  await worker.evaluate(() => {
    const g = globalThis as unknown as { badges: number[]; navigator: { setAppBadge?: (n?: number) => Promise<void> } };
    g.badges = [];
    Object.defineProperty(Object.getPrototypeOf(g.navigator), "setAppBadge", {
      configurable: true,
      value: (n?: number) => {
        g.badges.push(n ?? 0);
        return Promise.resolve();
      },
    });
  });
  const badges = () => worker.evaluate(() => (globalThis as unknown as { badges: number[] }).badges);
  await line.deliver(messagePayload(chat, await aliceSends("badge one")));
  await expect.poll(badges, { timeout: 30_000 }).toHaveLength(1);
  await line.deliver(messagePayload(chat, await aliceSends("badge two")));
  await expect.poll(badges, { timeout: 30_000 }).toHaveLength(2);
  const [first, second] = await badges();
  // Unread so far: "hello push", "third message", "fourth message" (the tampered one was refused), then these.
  expect(first).toBe(4);
  expect(second).toBe(5);
});

test("a hint (the message did not fit the push) is fetched and ends in the same notification", async () => {
  await closeAllNotifications(watch);
  const m = await aliceSends("sent as a hint");
  await line.deliver({ v: 1, type: "hint", conversationId: chat, seq: m.seq });
  const n = await waitForNotification(watch, chat, (x) => x.body.includes("sent as a hint"));
  expect(n.body).toContain(`${aliceName}: sent as a hint`);
});

test("a push that is not a valid payload shows a notification with no text", async () => {
  await closeAllNotifications(watch);
  await line.deliver({ v: 1, type: "message", conversationId: chat, seq: 1, envelope: "not base64url!", receivedAt: 1 });
  const n = await waitForNotification(watch, "sealed-new-message", () => true);
  expect(n).toMatchObject({ title: "Sealed", body: "New message" });
});

test("a group message shows the group's name and who wrote it", async () => {
  await closeAllNotifications(watch);
  const groupName = `Weekend plans ${uniqueName("g")}`;
  const group = await createGroupViaUi(alice, groupName, [bobName]);
  // Bob's app learns the group once, then is closed again.
  await bob.goto(baseURL);
  await bob.getByTestId("conversation-item").filter({ hasText: groupName }).waitFor({ timeout: 45_000 });
  await bob.goto("about:blank");
  await sendViaUi(alice, "who brings the tent?");
  const m = await newestAfter(watch, group, 0, aliceId);
  await line.deliver(messagePayload(group, m));
  const n = await waitForNotification(watch, group, (x) => x.body.includes("who brings the tent?"));
  expect(n.title).toBe(groupName);
  expect(n.body).toBe(`${aliceName}: who brings the tent?`);
  // The 1:1 chat's notification is another one: one per chat.
  expect(await notifications(watch, chat)).toHaveLength(0);
  // Alice goes back to her chat with Bob for the tests after this one.
  await openChatViaUi(alice, bobName);
});

test("with 'No details', the notification shows neither name nor text", async () => {
  await closeAllNotifications(watch);
  await bob.goto(`${baseURL}/#/settings`);
  await bob.getByTestId("push-settings").waitFor({ timeout: 45_000 });
  await bob.getByLabel("No details").check();
  // Kept on the device (where the service worker reads it): still chosen after a reload.
  await expect.poll(() => storedPrivacy(bob), { timeout: 20_000 }).toBe("none");
  await bob.reload();
  await expect.poll(() => bob.getByLabel("No details").isChecked(), { timeout: 45_000 }).toBe(true);
  await bob.goto("about:blank");
  const m = await aliceSends("private words");
  await line.deliver(messagePayload(chat, m));
  const n = await waitForNotification(watch, chat, (x) => x.title === "Sealed");
  expect(n.body).toMatch(/^(New message|\d+ new messages)$/);
  expect(JSON.stringify(n)).not.toContain(aliceName);
  expect(JSON.stringify(n)).not.toContain("private words");
});

test("nothing shows for the chat Bob has open", async () => {
  await closeAllNotifications(watch);
  await bob.setViewportSize(DESKTOP);
  await bob.goto(`${baseURL}/#/c/${chat}`);
  await bob.getByTestId("chat-title").filter({ hasText: aliceName }).waitFor({ timeout: 45_000 });
  const m = await aliceSends("seen in the open chat");
  await bob.getByTestId("message-text").filter({ hasText: "seen in the open chat" }).waitFor({ timeout: 45_000 });
  await line.deliver(messagePayload(chat, m));
  // Pushes are handled one at a time: once the next (unreadable) one shows, the first was handled.
  await line.deliver("not json");
  await waitForNotification(watch, "sealed-new-message", () => true);
  expect(await notifications(watch, chat)).toEqual([]);
});

test("nothing shows for a chat whose peer Bob blocked (blocking is enforced on his device, issue 21)", async () => {
  await closeAllNotifications(watch);
  await bob.goto(`${baseURL}/#/`);
  await bob.getByRole("button", { name: `Options for ${aliceName}` }).click();
  await bob.getByTestId("chat-menu-block").click();
  await answerConfirm(bob, { mentions: "Block" });
  await bob.getByTestId("blocked-indicator").waitFor({ timeout: 15_000 });
  const m = await aliceSends("from a blocked contact");
  await line.deliver(messagePayload(chat, m));
  // Pushes are handled one at a time: once the next (unreadable) one shows, the first was handled.
  await line.deliver("not json");
  await waitForNotification(watch, "sealed-new-message", () => true);
  expect(await notifications(watch, chat)).toEqual([]);
});
