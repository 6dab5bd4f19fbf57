// Languages (issue 21): a browser whose language is German gets the app in German from the first screen
// (<html lang="de">, German words, German dates), a person can switch to English in Settings → Appearance
// and the app changes at once and stays English after a reload, and a right-to-left message shows
// right-to-left inside the left-to-right app (dir="auto").
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { firstVisit, openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { expectAccessible } from "./axe";
import { launchBrowser } from "./harness";
import { rememberPublic, rememberSecret } from "./known-secrets";
import { DESKTOP, PHONE, People } from "./people";
import { waitForServiceWorker } from "./pwa-helpers";
import { PushLine, messagePayload, observerPage, senderOf, serverMessages, tampered, waitForNotification } from "./push-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const ARABIC = "مرحبا، كيف حالك اليوم؟";
let browser: Browser;
let people: People;
let german: BrowserContext;
let anna: Page;
let bob: Page;
const errors: string[] = [];
const annaName = uniqueName("anna");
const bobName = uniqueName("bob");
let chat = "";

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  bob = await people.page("bob");
  await signUpViaUi(bob, baseURL, bobName);
  german = await browser.newContext({ viewport: DESKTOP, locale: "de-DE" });
  anna = await german.newPage();
  anna.on("pageerror", (e) => errors.push(e.message));
}, 180_000);

afterAll(async () => {
  await german?.close();
  await people?.close();
  await browser?.close();
});

const htmlLang = (p: Page) => p.evaluate(() => document.documentElement.lang);

test("a German browser signs up in German, from the first screen", async () => {
  await firstVisit(anna, baseURL);
  await anna.getByRole("heading", { name: "Willkommen bei Sealed" }).waitFor({ timeout: 60_000 });
  expect(await htmlLang(anna)).toBe("de");
  await expect.poll(() => anna.getByText("Welcome to Sealed").count()).toBe(0);
  await anna.getByLabel("Wähle einen Benutzernamen").fill(annaName);
  await anna.screenshot({ path: `${SHOTS}/languages-de-onboarding-desktop.png` });
  await expectAccessible(anna, "German onboarding");
  await anna.getByRole("button", { name: "Konto erstellen" }).click();

  const key = anna.getByTestId("recovery-key");
  await key.waitFor({ timeout: 60_000 });
  await anna.getByRole("heading", { name: "Speichere deinen Wiederherstellungsschlüssel" }).waitFor();
  const groups = await key.locator("span").allTextContents();
  await anna.setViewportSize(PHONE);
  await anna.screenshot({ path: `${SHOTS}/languages-de-recovery-key-phone.png`, fullPage: true });
  await anna.setViewportSize(DESKTOP);
  await anna.getByLabel("Ich habe meinen Wiederherstellungsschlüssel gespeichert").check();
  const confirm = anna.getByTestId("confirm-group");
  const n = Number(await confirm.getAttribute("data-group"));
  await anna.getByText(`Gib zur Kontrolle Gruppe ${n} ein`).waitFor();
  await confirm.fill(groups[n - 1]!);
  await anna.getByRole("button", { name: "Weiter" }).click();
  await anna.getByTestId("my-username").filter({ hasText: annaName }).waitFor({ timeout: 60_000 });
  rememberPublic(annaName);
  rememberSecret("recovery key", groups.join("-"));

  // The chat list, empty, in German.
  await anna.getByText("Angemeldet als").waitFor();
  await anna.getByText("Noch keine Unterhaltungen – beginne eine mit einem Benutzernamen.").waitFor();
  await expectAccessible(anna, "German chat list");
  await anna.setViewportSize(PHONE);
  await anna.getByTestId("new-chat").click();
  await anna.getByRole("heading", { name: "Neuer Chat" }).waitFor();
  await anna.screenshot({ path: `${SHOTS}/languages-de-new-chat-phone.png` });
  await expectAccessible(anna, "German new-chat dialog, phone");
  await anna.keyboard.press("Escape");
  await anna.getByRole("heading", { name: "Neuer Chat" }).waitFor({ state: "hidden" });
  await anna.screenshot({ path: `${SHOTS}/languages-de-chat-list-phone.png` });
  await anna.setViewportSize(DESKTOP);
}, 180_000);

test("chats in German: composer, German day and time, and an Arabic message right-to-left", async () => {
  await anna.getByTestId("new-chat").click();
  await anna.getByLabel("Benutzername").fill(bobName);
  await anna.getByRole("button", { name: "Chat beginnen" }).click();
  await anna.getByTestId("chat-title").filter({ hasText: bobName }).waitFor({ timeout: 60_000 });
  chat = /#\/c\/([^/?]+)/.exec(anna.url())![1]!;
  await anna.getByPlaceholder("Nachricht schreiben").waitFor();
  await sendViaUi(anna, "Hallo Bob, wie geht's?");

  await openChatViaUi(bob, annaName);
  await bob.getByTestId("message-text").filter({ hasText: "Hallo Bob, wie geht's?" }).waitFor({ timeout: 60_000 });
  // Bob's browser is English: what Anna chose changes nothing there.
  await bob.getByPlaceholder("Write a message").waitFor();
  await sendViaUi(bob, ARABIC);

  const arabic = anna.getByTestId("message-text").filter({ hasText: ARABIC });
  await arabic.waitFor({ timeout: 60_000 });
  expect(await arabic.getAttribute("dir")).toBe("auto");
  expect(await arabic.evaluate((el) => getComputedStyle(el).direction)).toBe("rtl");
  expect(await arabic.evaluate((el) => el.matches(":dir(rtl)"))).toBe(true);
  // ...inside a left-to-right app, and a German message beside it stays left-to-right.
  expect(await anna.evaluate(() => getComputedStyle(document.body).direction)).toBe("ltr");
  const hallo = anna.getByTestId("message-text").filter({ hasText: "Hallo Bob" });
  expect(await hallo.evaluate((el) => getComputedStyle(el).direction)).toBe("ltr");
  // The chat list's preview of the Arabic message is right-to-left too.
  const preview = anna.getByTestId("conversation-item").filter({ hasText: bobName }).locator(".preview");
  await expect.poll(() => preview.evaluate((el) => getComputedStyle(el).direction), { timeout: 30_000 }).toBe("rtl");

  // German dates: today's divider says "Heute", and times are on the 24-hour clock, with no AM/PM.
  await anna.getByText("Heute", { exact: true }).first().waitFor();
  const time = await anna.getByTestId("message").first().locator("time").textContent();
  expect(time?.trim()).toMatch(/^\d{1,2}:\d{2}$/);

  await anna.screenshot({ path: `${SHOTS}/languages-de-chat-desktop.png` });
  await expectAccessible(anna, "German chat view");
  await anna.setViewportSize(PHONE);
  await arabic.waitFor();
  await anna.screenshot({ path: `${SHOTS}/languages-de-chat-phone.png` });
  await expectAccessible(anna, "German chat view, phone");
  await anna.setViewportSize(DESKTOP);
}, 180_000);

test("Settings in German; English chosen there applies at once and stays after a reload", async () => {
  await anna.goto(`${baseURL}/#/settings`);
  await anna.getByRole("heading", { name: "Darstellung" }).waitFor({ timeout: 60_000 });
  await anna.getByRole("heading", { name: "Einstellungen" }).first().waitFor();
  expect(await anna.getByTestId("language-system").isChecked()).toBe(true);
  // Each language is named in itself.
  await anna.getByText("Deutsch", { exact: true }).waitFor();
  await anna.getByText("English", { exact: true }).waitFor();
  await anna.getByTestId("appearance-settings").scrollIntoViewIfNeeded();
  await anna.screenshot({ path: `${SHOTS}/languages-de-settings-desktop.png` });
  await expectAccessible(anna, "German settings");
  await anna.setViewportSize(PHONE);
  await anna.getByTestId("appearance-settings").scrollIntoViewIfNeeded();
  await anna.screenshot({ path: `${SHOTS}/languages-de-settings-phone.png` });
  await anna.setViewportSize(DESKTOP);

  // English, live: no reload, the same page changes its words and its lang.
  const marker = await anna.evaluate(() => ((window as unknown as { sealedMarker: number }).sealedMarker = Math.random()));
  await anna.getByTestId("language-en").check();
  await anna.getByRole("heading", { name: "Appearance" }).waitFor({ timeout: 30_000 });
  await expect.poll(() => anna.getByRole("heading", { name: "Darstellung" }).count()).toBe(0);
  expect(await htmlLang(anna)).toBe("en");
  expect(await anna.evaluate(() => (window as unknown as { sealedMarker?: number }).sealedMarker)).toBe(marker);

  await anna.reload();
  await anna.getByRole("heading", { name: "Appearance" }).waitFor({ timeout: 60_000 });
  expect(await anna.getByTestId("language-en").isChecked()).toBe(true);
  expect(await htmlLang(anna)).toBe("en");
  await anna.goto(`${baseURL}/#/`);
  await anna.getByText("Signed in as").waitFor({ timeout: 30_000 });

  // Back to the browser's language.
  await anna.goto(`${baseURL}/#/settings`);
  await anna.getByTestId("language-system").check();
  await anna.getByRole("heading", { name: "Darstellung" }).waitFor({ timeout: 30_000 });
  expect(await htmlLang(anna)).toBe("de");
  expect(errors).toEqual([]);
}, 180_000);

test("notifications are in German too: the service worker reads the page's language", async () => {
  await german.grantPermissions(["notifications"], { origin: baseURL });
  await waitForServiceWorker(anna, 60_000);
  await anna.goto("about:blank");
  const watch = await german.newPage();
  await observerPage(watch, baseURL);
  const line = await PushLine.open(watch, baseURL);
  // Bob writes while Anna's app is closed; his envelope, one byte flipped, is pushed to her: the device
  // cannot open it, so the notification only says that something came, in the reader's language. (The
  // first message in the chat is Anna's own, which tells her sender id from his.)
  const before = await serverMessages(watch, chat);
  const annaSender = senderOf(before[0]!);
  const lastSeq = Math.max(...before.map((m) => m.seq));
  await sendViaUi(bob, "Noch eine Nachricht");
  let fromBob: Awaited<ReturnType<typeof serverMessages>>[number] | undefined;
  await expect
    .poll(
      async () => {
        fromBob = (await serverMessages(watch, chat)).filter((m) => m.seq > lastSeq && senderOf(m) !== annaSender).at(0);
        return fromBob !== undefined;
      },
      { timeout: 45_000 },
    )
    .toBe(true);
  if (!fromBob) throw new Error("no message from Bob on the server");
  await line.deliver(messagePayload(chat, { ...fromBob, envelope: tampered(fromBob.envelope) }));
  const n = await waitForNotification(watch, chat, () => true);
  expect(n.body).toBe("Neue Nachricht");
  await watch.close();
}, 180_000);

