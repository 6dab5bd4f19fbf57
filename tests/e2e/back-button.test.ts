// The browser's back button, pressed in the middle of things on a phone (issues 17 and 18): with files
// staged, with a message's menu open, with the "Replying to" bar up. Back leaves the chat for the list,
// nothing is sent by it, no menu is left hanging, and what was being written waits in its chat.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { attachViaPicker, patternFile } from "./compose-helpers";
import { launchBrowser } from "./harness";
import { PHONE, People } from "./people";
import { bubble, openMenu } from "./rich-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
let browser: Browser;
let people: People;
let alice: Page;
let bob: Page;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const history: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  alice = await people.page("alice", PHONE);
  bob = await people.page("bob");
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(alice, bobName);
  await sendViaUi(alice, "are you there?");
  history.push("are you there?");
  await openChatViaUi(bob, aliceName);
  await waitForHistory(bob, history);
});

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

/** Presses the browser's back button and waits for the chat list (on a phone the chat covers it). */
async function back(p: Page): Promise<void> {
  await p.goBack();
  await p.getByTestId("conversation-item").first().waitFor();
  await p.getByTestId("chat-title").waitFor({ state: "detached" });
}

async function reopen(p: Page, peer: string): Promise<void> {
  await p.getByTestId("conversation-item").filter({ hasText: peer }).click();
  await p.getByTestId("chat-title").filter({ hasText: peer }).waitFor();
}

test("back with files staged: nothing is sent, and the files and caption wait in the chat", async () => {
  await alice.getByTestId("chat-title").filter({ hasText: bobName }).waitFor();
  await attachViaPicker(alice, [patternFile("plan.pdf", 40_000, "application/pdf")]);
  await alice.getByTestId("staged-attachment").waitFor();
  await alice.getByTestId("composer").fill("the plan");
  await back(alice);
  await alice.waitForTimeout(1000);
  expect(await messageTexts(bob)).toEqual(history);
  await reopen(alice, bobName);
  expect(await alice.getByTestId("staged-attachment").count()).toBe(1);
  await expect.poll(() => alice.getByTestId("composer").inputValue()).toBe("the plan");
  await alice.getByTestId("staged-attachment").getByRole("button").first().click();
  await alice.getByTestId("staged-attachment").waitFor({ state: "detached" });
  await alice.getByTestId("composer").fill("");
});

test("back with a message's menu open: the list shows, and no menu is left open on return", async () => {
  await (await openMenu(alice, bubble(alice, "are you there?"))).waitFor();
  await back(alice);
  expect(await alice.getByTestId("message-menu").count()).toBe(0);
  await reopen(alice, bobName);
  expect(await alice.getByTestId("message-menu").count()).toBe(0);
  await alice.screenshot({ path: `${SHOTS}/back-menu-phone.png` });
});

test("back with the reply bar up: the reply waits with its text in the chat, and goes out as a reply", async () => {
  await bubble(alice, "are you there?").hover();
  await bubble(alice, "are you there?").getByTestId("reply-button").click();
  await alice.getByTestId("composer-mode").filter({ hasText: "Replying to" }).waitFor();
  await alice.getByTestId("composer").pressSequentially("yes, here");
  await back(alice);
  await reopen(alice, bobName);
  await alice.getByTestId("composer-mode").filter({ hasText: "Replying to yourself" }).waitFor();
  expect(await alice.getByTestId("composer").inputValue()).toBe("yes, here");
  await alice.getByTestId("composer").press("Enter");
  await alice.getByTestId("composer-mode").waitFor({ state: "detached" });
  history.push("yes, here");
  await waitForHistory(bob, history);
  expect(await bubble(bob, "yes, here").getByTestId("reply-quote").textContent()).toContain("are you there?");
});

test("no page errors were thrown", () => {
  expect(people.errors).toEqual([]);
});
