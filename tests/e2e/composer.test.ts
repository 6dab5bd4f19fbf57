// The composer used the clumsy ways people use it (issue 17, "Composer"): a draft stays with its chat
// (switching chats never carries text over, a reload keeps it, the server never sees it), a double
// click or a double Enter sends once, and text typed while a message is being sent is never lost.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { findInServerStorage, launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { bubble, openMenu } from "./rich-helpers";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const baseURL = inject("baseURL");

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const carolName = uniqueName("carol");
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
let carol: Page;
let alice: Page;
let bob: Page;
/** What each chat holds, as Carol's peers see it. */
const withAlice: string[] = [];
const withBob: string[] = [];

async function person(who: string, viewport = DESKTOP): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

const box = (p: Page) => p.getByTestId("composer");

/** Carol's side: opens a chat from the list (on a phone, going back to the list first). */
async function carolOpens(peer: string): Promise<void> {
  const back = carol.getByTestId("back");
  if (await back.isVisible()) await back.click();
  await carol.getByTestId("conversation-item").filter({ hasText: peer }).click();
  await carol.getByTestId("chat-title").filter({ hasText: peer }).waitFor();
}

/** Types as a person does, key by key, and records the text as something the server must never see. */
async function type(p: Page, text: string, delay = 0): Promise<void> {
  rememberSecret("draft", text);
  await box(p).pressSequentially(text, { delay });
}

/** Runs `fn` with Carol's CPU slowed down as on a cheap phone, where sealing and storing a message takes a while. */
async function slowPhone(fn: () => Promise<void>): Promise<void> {
  const cdp = await carol.context().newCDPSession(carol);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 8 });
  try {
    await fn();
  } finally {
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
    await cdp.detach();
  }
}

/** How many messages of the open chat read exactly `text`. */
async function copies(p: Page, text: string): Promise<number> {
  return (await messageTexts(p)).filter((t) => t === text).length;
}

/** `text` was sent by Carol and arrived at `peer` exactly once: one copy on each side once all is sent. */
async function sentOnce(text: string, peer: Page): Promise<void> {
  await carol.getByTestId("message-text").filter({ hasText: text }).first().waitFor();
  await expect.poll(() => carol.getByTestId("message-pending").count(), { timeout: 20_000 }).toBe(0);
  await peer.getByTestId("message-text").filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
  await peer.waitForTimeout(1000);
  expect(await copies(carol, text)).toBe(1);
  expect(await copies(peer, text)).toBe(1);
}

/** Waits until Carol's own view of the open chat settled on `expected`, and stays there. */
async function settled(p: Page, expected: readonly string[]): Promise<void> {
  await waitForHistory(p, expected);
  await p.waitForTimeout(500);
  expect(await messageTexts(p)).toEqual(expected);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  carol = await person("carol");
  alice = await person("alice");
  bob = await person("bob", PHONE);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await signUpViaUi(carol, baseURL, carolName);
  for (const [peer, page, history] of [
    [aliceName, alice, withAlice],
    [bobName, bob, withBob],
  ] as const) {
    await startChatViaUi(carol, peer);
    const hello = `hello ${peer}`;
    await sendViaUi(carol, hello);
    history.push(hello);
    await openChatViaUi(page, carolName);
    await waitForHistory(page, history);
  }
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("the composer", () => {
  test("desktop: each chat keeps its own draft; switching never carries text over; a reload keeps it; the server never sees it", async () => {
    await carol.setViewportSize(DESKTOP);
    await carolOpens(aliceName);
    const forAlice = "only for Alice, not sent yet";
    await type(carol, forAlice);
    await carolOpens(bobName);
    expect(await box(carol).inputValue()).toBe("");

    // Enter in Bob's chat sends what was typed there, to Bob, and nothing of Alice's draft.
    await sendViaUi(carol, "for Bob");
    withBob.push("for Bob");
    await settled(carol, withBob);
    await waitForHistory(bob, withBob);

    await carolOpens(aliceName);
    expect(await box(carol).inputValue()).toBe(forAlice);
    await carol.screenshot({ path: `${SHOTS}/composer-draft-desktop.png` });
    await carol.reload();
    await openChatViaUi(carol, aliceName);
    await expect.poll(() => box(carol).inputValue()).toBe(forAlice);
    await carolOpens(bobName);
    expect(await box(carol).inputValue()).toBe("");

    // A draft is local: nothing of it reached the server.
    expect(findInServerStorage(inject("persistDir"), forAlice)).toEqual([]);
    expect(findInServerStorage(inject("persistDir"), carolName).length).toBeGreaterThan(0);

    // Sent, the draft is gone, also after a reload.
    await carolOpens(aliceName);
    await box(carol).press("Enter");
    withAlice.push(forAlice);
    await settled(carol, withAlice);
    await waitForHistory(alice, withAlice);
    expect(await box(carol).inputValue()).toBe("");
    await carol.reload();
    await openChatViaUi(carol, aliceName);
    await carol.getByTestId("message-text").filter({ hasText: forAlice }).waitFor();
    expect(await box(carol).inputValue()).toBe("");
  });

  test("phone: drafts follow their chat through the list and a reload", async () => {
    await carol.setViewportSize(PHONE);
    await carolOpens(aliceName);
    await type(carol, "phone draft for Alice");
    await carolOpens(bobName);
    expect(await box(carol).inputValue()).toBe("");
    await type(carol, "phone draft for Bob");
    await carolOpens(aliceName);
    expect(await box(carol).inputValue()).toBe("phone draft for Alice");
    await carol.reload();
    await openChatViaUi(carol, aliceName);
    await expect.poll(() => box(carol).inputValue()).toBe("phone draft for Alice");
    await carolOpens(bobName);
    expect(await box(carol).inputValue()).toBe("phone draft for Bob");
    await carol.screenshot({ path: `${SHOTS}/composer-draft-phone.png` });
    // Emptied by hand, a draft stays empty.
    await box(carol).fill("");
    await carolOpens(aliceName);
    await box(carol).fill("");
    await carol.reload();
    await openChatViaUi(carol, aliceName);
    await carolOpens(bobName);
    expect(await box(carol).inputValue()).toBe("");
    await carol.setViewportSize(DESKTOP);
  });

  test("a double click on Send sends one message", async () => {
    await carolOpens(bobName);
    const text = "sent once, by a double click";
    await type(carol, text);
    await slowPhone(async () => {
      await carol.getByTestId("send").dblclick();
    });
    await sentOnce(text, bob);
  });

  test("a double Enter sends one message", async () => {
    await carolOpens(bobName);
    const text = "sent once, by a double Enter";
    await type(carol, text);
    await slowPhone(async () => {
      // Two presses sent together, as a bouncing key or an impatient finger makes them.
      await Promise.all([carol.keyboard.press("Enter"), carol.keyboard.press("Enter")]);
    });
    await sentOnce(text, bob);
  });

  test("text typed while a message is being sent stays in the box, whole", async () => {
    await carolOpens(aliceName);
    const first = "the first message, sent with Enter";
    const second = "and the next one, typed at once";
    await type(carol, first);
    await slowPhone(async () => {
      await box(carol).press("Enter");
      await type(carol, second, 5);
    });
    expect(await box(carol).inputValue()).toBe(second);
    await sentOnce(first, alice);
    expect(await box(carol).inputValue()).toBe(second);
    await box(carol).press("Enter");
    await sentOnce(second, alice);
    expect(await box(carol).inputValue()).toBe("");
    const texts = await messageTexts(alice);
    expect(texts.slice(-2)).toEqual([first, second]);
  });

  test("a message sent just before switching chats goes to the chat it was written in, and only there", async () => {
    await carolOpens(aliceName);
    const text = "Enter, then straight to Bob's chat";
    await type(carol, text);
    await slowPhone(async () => {
      await box(carol).press("Enter");
      await carol.getByTestId("conversation-item").filter({ hasText: bobName }).click();
    });
    await carol.getByTestId("chat-title").filter({ hasText: bobName }).waitFor();
    expect(await box(carol).inputValue()).toBe("");
    await alice.getByTestId("message-text").filter({ hasText: text }).waitFor({ timeout: 20_000 });
    await carolOpens(aliceName);
    await sentOnce(text, alice);
    expect(await copies(bob, text)).toBe(0);
    await carolOpens(bobName);
    expect(await copies(carol, text)).toBe(0);
  });

  test("a text that cannot be sent comes back to the box with the reason, and stays a draft", async () => {
    await carolOpens(bobName);
    const tooLong = `${"too long to send ".repeat(1100)}end`;
    await box(carol).fill(tooLong);
    await box(carol).press("Enter");
    await carol.getByRole("alert").filter({ hasText: "That message is too long." }).waitFor();
    expect(await box(carol).inputValue()).toBe(tooLong);
    await carol.reload();
    await openChatViaUi(carol, bobName);
    await expect.poll(() => box(carol).inputValue()).toBe(tooLong);
    expect(await copies(carol, tooLong)).toBe(0);
    await box(carol).fill("");
  });

  test("a reply or an edit that cannot be sent comes back under its bar, so the fixed text does what was meant", async () => {
    await carolOpens(bobName);
    const hello = `hello ${bobName}`;
    const tooLong = `${"far too long ".repeat(1400)}end`;
    // A reply: the text and the "Replying to" bar come back; shortened, it goes out as a reply.
    await bubble(carol, hello).hover();
    await bubble(carol, hello).getByTestId("reply-button").click();
    await carol.getByTestId("composer-mode").filter({ hasText: "Replying to" }).waitFor();
    await box(carol).fill(tooLong);
    await box(carol).press("Enter");
    await carol.getByRole("alert").filter({ hasText: "That message is too long." }).waitFor();
    expect(await box(carol).inputValue()).toBe(tooLong);
    await carol.getByTestId("composer-mode").filter({ hasText: "Replying to yourself" }).waitFor();
    await box(carol).fill("a shorter answer");
    await box(carol).press("Enter");
    await carol.getByTestId("composer-mode").waitFor({ state: "detached" });
    await sentOnce("a shorter answer", bob);
    expect(await bubble(carol, "a shorter answer").getByTestId("reply-quote").textContent()).toContain(hello);
    expect(await bubble(bob, "a shorter answer").getByTestId("reply-quote").textContent()).toContain(hello);

    // An edit, with a draft set aside: the edit comes back under "Editing message", the draft waits.
    await type(carol, "a draft that waits");
    await (await openMenu(carol, bubble(carol, "a shorter answer"))).getByTestId("menu-edit").click();
    await carol.getByTestId("composer-mode").filter({ hasText: "Editing message" }).waitFor();
    await box(carol).fill(tooLong);
    await box(carol).press("Enter");
    await carol.getByRole("alert").filter({ hasText: "That message is too long." }).waitFor();
    await carol.getByTestId("composer-mode").filter({ hasText: "Editing message" }).waitFor();
    expect(await box(carol).inputValue()).toBe(tooLong);
    await box(carol).fill("a shorter, edited answer");
    await box(carol).press("Enter");
    await carol.getByTestId("composer-mode").waitFor({ state: "detached" });
    expect(await box(carol).inputValue()).toBe("a draft that waits");
    await sentOnce("a shorter, edited answer", bob);
    expect(await copies(carol, "a shorter answer")).toBe(0);
    expect(await bubble(bob, "a shorter, edited answer").getByTestId("message-edited").count()).toBe(1);
    expect(await copies(carol, tooLong)).toBe(0);
    await box(carol).fill("");
  });

  test("no page errors were thrown", () => {
    expect(pageErrors).toEqual([]);
  });
});
