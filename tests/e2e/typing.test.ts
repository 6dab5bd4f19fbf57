// Typing indicators (issue 17, "Typing indicators") in real Chromium against wrangler dev: Alice types,
// Bob sees "alice is typing…", which goes when she sends (a stopped frame) and when she just stops (5 s
// expiry); never on Alice's own linked device; the setting off on either side; and no frame is stored.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { fromBase64url } from "../../protocol/bytes.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { findInServerStorage, launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const baseURL = inject("baseURL");

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
let alice: Page;
/** Alice's second device, linked from the first. */
let alice2: Page;
let bob: Page;
const history: string[] = [];
/** Typing frames (base64url) Alice's first device put on its socket, in order. */
const aliceFrames: string[] = [];

async function person(who: string): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

/** Records the typing frames a page sends on its realtime socket (they never go over HTTP). */
function recordTypingFrames(page: Page, into: string[]): void {
  page.on("websocket", (ws) => {
    ws.on("framesent", ({ payload }) => {
      if (typeof payload !== "string") return;
      try {
        const f: unknown = JSON.parse(payload);
        if (typeof f === "object" && f !== null && "type" in f && f.type === "typing" && "frame" in f && typeof f.frame === "string") into.push(f.frame);
      } catch {
        // Not JSON: not ours to judge here.
      }
    });
  });
}

const indicator = (p: Page) => p.getByTestId("typing-indicator");
const box = (p: Page) => p.getByTestId("composer");

/** The indicator's text stays `text` for `ms` (checked every 100 ms). */
async function staysFor(p: Page, text: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    expect(await indicator(p).textContent()).toBe(text);
    await p.waitForTimeout(100);
  }
}

async function setTyping(p: Page, on: boolean, peer: string): Promise<void> {
  await p.goto(`${baseURL}/#/settings`);
  const toggle = p.getByTestId("typing-setting");
  await toggle.waitFor();
  if (on) await toggle.check();
  else await toggle.uncheck();
  await p.getByTestId("privacy-settings").screenshot({ path: `${SHOTS}/typing-setting-${on ? "on" : "off"}.png` });
  await p.getByTestId("settings-back").click();
  await openChatViaUi(p, peer);
}

/** Links a fresh browser to Alice's account by pasting the link code on her first device. */
async function linkSecondDevice(): Promise<Page> {
  const n = await person("alice2");
  await n.goto(baseURL);
  await n.getByRole("button", { name: "Link to an existing account" }).click();
  const code = await n.getByTestId("link-code").inputValue();
  await alice.goto(`${baseURL}/#/settings`);
  await alice.getByTestId("link-a-device").click();
  await alice.getByTestId("paste-code").fill(code);
  await alice.getByRole("button", { name: "Continue" }).click();
  await alice.getByTestId("link-device-name").waitFor({ timeout: 30_000 });
  await alice.getByTestId("link-confirm").click();
  await n.getByTestId("confirm-account").filter({ hasText: `@${aliceName}` }).waitFor({ timeout: 30_000 });
  await n.getByRole("button", { name: "Yes" }).click();
  await n.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });
  await alice.getByTestId("link-done").waitFor({ timeout: 30_000 });
  await alice.getByRole("button", { name: "Done" }).click();
  return n;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  alice = await person("alice");
  bob = await person("bob");
  recordTypingFrames(alice, aliceFrames);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(alice, bobName);
  await sendViaUi(alice, "hello bob, typing test");
  history.push("hello bob, typing test");
  await openChatViaUi(bob, aliceName);
  await waitForHistory(bob, history);
  alice2 = await linkSecondDevice();
  await openChatViaUi(alice2, bobName);
  await waitForHistory(alice2, history);
  await openChatViaUi(alice, bobName);
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("typing indicators", () => {
  test("Bob sees Alice typing and it goes when she sends; her own linked device never shows it", async () => {
    expect(await indicator(bob).textContent()).toBe("");
    await box(alice).click();
    await box(alice).pressSequentially("on my way", { delay: 40 });
    await expect.poll(() => indicator(bob).textContent(), { timeout: 10_000 }).toBe(`${aliceName} is typing…`);
    expect(await indicator(bob).getAttribute("aria-live")).toBe("polite");
    // The chat list says it too, in place of the last message.
    await expect.poll(() => bob.getByTestId("conversation-item").filter({ hasText: aliceName }).getByTestId("conversation-typing").textContent()).toBe("typing…");
    await bob.screenshot({ path: `${SHOTS}/typing-desktop.png` });
    // Alice's own devices: this one and the linked one show nobody typing.
    await staysFor(alice2, "", 1500);
    expect(await indicator(alice).textContent()).toBe("");

    const sentAt = Date.now();
    await box(alice).press("Enter");
    history.push("on my way");
    rememberSecret("message", "on my way");
    await expect.poll(() => indicator(bob).textContent(), { timeout: 10_000 }).toBe("");
    // Gone by the stopped frame, well before the 5 s expiry would have removed it.
    expect(Date.now() - sentAt).toBeLessThan(4000);
    await waitForHistory(bob, history);
    expect(await bob.getByTestId("conversation-typing").count()).toBe(0);
  });

  test("Bob typing shows on both of Alice's devices", async () => {
    await box(bob).click();
    await box(bob).pressSequentially("hmm", { delay: 40 });
    for (const p of [alice, alice2]) await expect.poll(() => indicator(p).textContent(), { timeout: 10_000 }).toBe(`${bobName} is typing…`);
    await box(bob).fill("");
    for (const p of [alice, alice2]) await expect.poll(() => indicator(p).textContent(), { timeout: 10_000 }).toBe("");
  });

  test("when Alice stops typing without sending, it goes after about 5 s with no stopped frame", async () => {
    await box(alice).click();
    await box(alice).pressSequentially("wait", { delay: 40 });
    await expect.poll(() => indicator(bob).textContent(), { timeout: 10_000 }).toBe(`${aliceName} is typing…`);
    const shownAt = Date.now();
    const framesThen = aliceFrames.length;
    await expect.poll(() => indicator(bob).textContent(), { timeout: 15_000 }).toBe("");
    expect(Date.now() - shownAt).toBeGreaterThan(3000);
    // Nothing more left Alice: it expired at Bob's.
    expect(aliceFrames.length).toBe(framesThen);
    // Clearing the box is a stop: one frame more.
    await box(alice).fill("");
    await expect.poll(() => aliceFrames.length).toBe(framesThen + 1);
  });

  test("with the setting off on Bob's side he sees nothing, though Alice still sends", async () => {
    await setTyping(bob, false, aliceName);
    const before = aliceFrames.length;
    await box(alice).click();
    await box(alice).pressSequentially("are you there", { delay: 40 });
    await expect.poll(() => aliceFrames.length, { timeout: 10_000 }).toBeGreaterThan(before);
    await staysFor(bob, "", 2500);
    await box(alice).fill("");
    await setTyping(bob, true, aliceName);
    expect(await bob.getByTestId("typing-indicator").count()).toBe(1);
  });

  test("with the setting off on Alice's side she sends nothing at all", async () => {
    await setTyping(alice, false, bobName);
    const before = aliceFrames.length;
    await box(alice).click();
    await box(alice).pressSequentially("quietly typed", { delay: 40 });
    await staysFor(bob, "", 3000);
    expect(aliceFrames.length).toBe(before);
    await box(alice).fill("");
    // On again: typing shows again.
    await setTyping(alice, true, bobName);
    await box(alice).click();
    await box(alice).pressSequentially("loud", { delay: 40 });
    await expect.poll(() => indicator(bob).textContent(), { timeout: 10_000 }).toBe(`${aliceName} is typing…`);
    await box(alice).fill("");
    await expect.poll(() => indicator(bob).textContent(), { timeout: 10_000 }).toBe("");
  });

  test("no typing frame is stored on the server, and nothing broke in any page", async () => {
    expect(aliceFrames.length).toBeGreaterThan(4);
    const persistDir = inject("persistDir");
    for (const frame of aliceFrames) {
      const bytes = fromBase64url(frame);
      rememberSecret("typing frame", bytes);
      expect(findInServerStorage(persistDir, frame)).toEqual([]);
      expect(findInServerStorage(persistDir, bytes)).toEqual([]);
    }
    // The scan reads what the server stores: Alice's username is there.
    expect(findInServerStorage(persistDir, aliceName).length).toBeGreaterThan(0);
    expect(pageErrors).toEqual([]);
  });
});
