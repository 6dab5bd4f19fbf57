// Issue 21, chat-list controls (docs/decisions.md "Chat list controls"), driven as a person does through
// each row's "⋯" menu in real Chromium against wrangler dev: pin two chats and see the order; archive one
// and find it under "Archived (1)"; mark one unread, see the dot, open it and it clears; delete a chat
// from this device (Bob keeps his copy); block Bob (his next message is not shown), unblock (new ones are).
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { answerConfirm, messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { myTicks } from "./receipt-helpers";

const baseURL = inject("baseURL");
const alice = uniqueName("alice");
const bob = uniqueName("bob");
const carol = uniqueName("carol");
const dave = uniqueName("dave");
const errors: string[] = [];
let browser: Browser;
const pages: Record<string, Page> = {};

async function person(name: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  await signUpViaUi(page, baseURL, name);
  return page;
}

/** The chat titles of the main list (or the archived list), top to bottom. */
async function listOrder(page: Page): Promise<string[]> {
  const names = await page.getByTestId("conversation-item").locator(".name").allTextContents();
  return names.map((n) => n.replace(/^Group: /, "").trim());
}

async function menu(page: Page, peer: string, action: string): Promise<void> {
  await page.getByRole("button", { name: `Options for ${peer}` }).click();
  const m = page.getByRole("menu", { name: `Options for ${peer}` });
  await m.waitFor();
  await m.getByTestId(`chat-menu-${action}`).click();
}

/** The focused element through shadow roots: its aria-label, else its text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let el = document.activeElement;
    while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
    return el?.getAttribute("aria-label") ?? el?.textContent?.trim() ?? "";
  });
}

/** The texts of every message row in the page's IndexedDB (what the device stored, shown or not). */
function storedTexts(page: Page): Promise<string[]> {
  return page.evaluate(
    () =>
      new Promise<string[]>((resolve, reject) => {
        const open = indexedDB.open("sealed");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction("messages").objectStore("messages").getAll();
          req.onsuccess = () => {
            open.result.close();
            resolve((req.result as { text?: string }[]).map((r) => r.text ?? ""));
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
}

const item = (page: Page, peer: string) => page.getByTestId("conversation-item").filter({ hasText: peer });

beforeAll(async () => {
  browser = await launchBrowser();
  for (const n of [alice, bob, carol, dave]) pages[n] = await person(n);
  const a = pages[alice]!;
  for (const peer of [bob, carol, dave]) {
    await startChatViaUi(a, peer);
    await sendViaUi(a, `hello ${peer}`);
  }
}, 240_000);

afterAll(async () => {
  await browser?.close();
});

describe("chat list controls", () => {
  test("pinned chats come first in pin order, and say so to screen readers", async () => {
    const a = pages[alice]!;
    await expect.poll(() => listOrder(a), { timeout: 30_000 }).toEqual([dave, carol, bob]);
    await menu(a, bob, "pin");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, dave, carol]);
    await menu(a, carol, "pin");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, carol, dave]);
    expect(await item(a, bob).getByRole("img", { name: "Pinned" }).count()).toBe(1);
    expect(await item(a, dave).getByRole("img", { name: "Pinned" }).count()).toBe(0);
    await a.screenshot({ path: "/tmp/chatlist-pinned-desktop.png" });
    await menu(a, carol, "unpin");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, dave, carol]);
  }, 60_000);

  test("the menu works from the keyboard: arrow keys move, Escape closes and returns focus", async () => {
    const a = pages[alice]!;
    const button = a.getByRole("button", { name: `Options for ${dave}` });
    await button.focus();
    await a.keyboard.press("Enter");
    const m = a.getByRole("menu", { name: `Options for ${dave}` });
    await m.waitFor();
    await expect.poll(() => focused(a), { timeout: 10_000 }).toBe("Pin chat");
    await a.keyboard.press("ArrowDown");
    expect(await focused(a)).toBe("Archive chat");
    await a.keyboard.press("ArrowUp");
    await a.keyboard.press("ArrowUp");
    expect(await focused(a)).toBe("Block");
    await a.keyboard.press("Escape");
    await m.waitFor({ state: "detached" });
    expect(await focused(a)).toBe(`Options for ${dave}`);
  }, 60_000);

  test("an archived chat leaves the list for Archived (1), and comes back when unarchived", async () => {
    const a = pages[alice]!;
    await menu(a, dave, "archive");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, carol]);
    expect(await a.getByTestId("archived-row").textContent()).toContain("Archived (1)");
    await a.getByTestId("archived-row").click();
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([dave]);
    await menu(a, dave, "unarchive");
    await expect.poll(() => a.getByTestId("no-archived").count(), { timeout: 15_000 }).toBe(1);
    await a.getByTestId("archived-back").click();
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, dave, carol]);
    expect(await a.getByTestId("archived-row").count()).toBe(0);
  }, 60_000);

  test("a message in an archived (not muted) chat brings it back to the list", async () => {
    const a = pages[alice]!;
    await menu(a, carol, "archive");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, dave]);
    const c = pages[carol]!;
    await openChatViaUi(c, alice);
    await sendViaUi(c, "are you there?");
    await expect.poll(() => listOrder(a), { timeout: 30_000 }).toEqual([bob, carol, dave]);
  }, 60_000);

  test("a muted archived chat stays archived when a message arrives", async () => {
    const a = pages[alice]!;
    await openChatViaUi(a, carol);
    const mute = a.getByTestId("mute-button");
    await mute.click();
    await expect.poll(() => mute.getAttribute("aria-pressed"), { timeout: 15_000 }).toBe("true");
    await a.goto(`${baseURL}/#/`);
    await menu(a, carol, "archive");
    await expect.poll(() => listOrder(a), { timeout: 15_000 }).toEqual([bob, dave]);
    const c = pages[carol]!;
    await sendViaUi(c, "quietly");
    await a.getByTestId("archived-row").click();
    await item(a, carol)
      .filter({ hasText: "quietly" })
      .waitFor({ timeout: 30_000 })
      .catch(async (e: unknown) => {
        // Once seen in CI and never since: say where the message got to (cause not known yet).
        const where = { archivedList: await listOrder(a), aliceStored: (await storedTexts(a)).includes("quietly"), carolTicks: await myTicks(c) };
        throw new Error(`Carol's "quietly" not shown in Alice's archived list: ${JSON.stringify(where)}`, { cause: e });
      });
    await a.getByTestId("archived-back").click();
    expect(await listOrder(a)).toEqual([bob, dave]);
    // Back to the main list, unmuted, for the tests that follow.
    await a.getByTestId("archived-row").click();
    await menu(a, carol, "unarchive");
    await a.getByTestId("archived-back").click();
    await openChatViaUi(a, carol);
    await mute.click();
    await expect.poll(() => mute.getAttribute("aria-pressed"), { timeout: 15_000 }).toBe("false");
    await a.goto(`${baseURL}/#/`);
  }, 90_000);

  test("mark as unread shows a dot without a count; opening the chat clears it", async () => {
    const a = pages[alice]!;
    await openChatViaUi(a, carol);
    await waitForHistory(a, [`hello ${carol}`, "are you there?", "quietly"]);
    await a.goto(`${baseURL}/#/`);
    await menu(a, dave, "mark-unread");
    await expect.poll(() => item(a, dave).getByTestId("unread-dot").count(), { timeout: 15_000 }).toBe(1);
    expect(await item(a, dave).getByTestId("unread-badge").count()).toBe(0);
    expect(await item(a, dave).getAttribute("data-unread")).not.toBeNull();
    await openChatViaUi(a, dave);
    await expect.poll(() => item(a, dave).getByTestId("unread-dot").count(), { timeout: 15_000 }).toBe(0);
  }, 60_000);

  test("delete chat removes the messages from this device only; a new message shows in the emptied chat", async () => {
    const a = pages[alice]!;
    const b = pages[bob]!;
    await openChatViaUi(b, alice);
    await sendViaUi(b, "first from bob");
    await openChatViaUi(a, bob);
    await waitForHistory(a, [`hello ${bob}`, "first from bob"], 30_000);
    await a.goto(`${baseURL}/#/`);
    await menu(a, bob, "delete");
    await answerConfirm(a, { mentions: "this device only" });
    await openChatViaUi(a, bob);
    await expect.poll(() => messageTexts(a), { timeout: 15_000 }).toEqual([]);
    // Bob still has both.
    await waitForHistory(b, [`hello ${bob}`, "first from bob"]);
    // The chat stays in the list and shows what comes next.
    await sendViaUi(b, "after the delete");
    await waitForHistory(a, ["after the delete"], 30_000);
  }, 90_000);

  test("block Bob: his next message is not shown and the composer says so; unblock shows new ones", async () => {
    const a = pages[alice]!;
    const b = pages[bob]!;
    await a.goto(`${baseURL}/#/`);
    await menu(a, bob, "block");
    await answerConfirm(a, { mentions: "Block" });
    await openChatViaUi(a, bob);
    await a.getByTestId("blocked-notice").filter({ hasText: `You blocked ${bob}` }).waitFor({ timeout: 15_000 });
    expect(await a.getByTestId("composer").isDisabled()).toBe(true);
    await a.screenshot({ path: "/tmp/chatlist-blocked-desktop.png" });

    await sendViaUi(b, "while blocked");
    // Alice's device received and stored it (it is in her IndexedDB), and shows it not, nor counts it.
    await expect.poll(() => storedTexts(a), { timeout: 30_000 }).toContain("while blocked");
    expect(await messageTexts(a)).toEqual(["after the delete"]);
    await a.goto(`${baseURL}/#/`);
    expect(await item(a, bob).getByTestId("unread-badge").count()).toBe(0);
    expect(await item(a, bob).textContent()).not.toContain("while blocked");
    // No receipt goes to a blocked contact: Bob's message stays "sent".
    await openChatViaUi(b, alice);
    expect((await myTicks(b)).at(-1)).toBe("sent");
    await openChatViaUi(a, bob);

    await a.getByTestId("unblock").click();
    await a.getByTestId("blocked-notice").waitFor({ state: "detached", timeout: 15_000 });
    await sendViaUi(b, "after unblock");
    await waitForHistory(a, ["after the delete", "after unblock"], 30_000);
  }, 90_000);

  test("a right-click on a chat opens the same menu", async () => {
    const a = pages[alice]!;
    await a.goto(`${baseURL}/#/`);
    await item(a, carol).click({ button: "right" });
    const m = a.getByRole("menu", { name: `Options for ${carol}` });
    await m.waitFor();
    expect(await m.getByRole("menuitem").allTextContents().then((t) => t.map((x) => x.trim()))).toEqual(["Pin chat", "Archive chat", "Mark as unread", "Delete chat", "Block"]);
    await a.keyboard.press("Escape");
    await m.waitFor({ state: "detached" });
  }, 60_000);

  test("at phone width the menu opens as a sheet and works", async () => {
    const a = pages[alice]!;
    await a.setViewportSize({ width: 390, height: 844 });
    await a.goto(`${baseURL}/#/`);
    await a.getByRole("button", { name: `Options for ${dave}` }).click();
    const m = a.getByRole("menu", { name: `Options for ${dave}` });
    await m.waitFor();
    await a.screenshot({ path: "/tmp/chatlist-menu-phone.png" });
    await m.getByTestId("chat-menu-pin").click();
    await expect.poll(() => item(a, dave).getByRole("img", { name: "Pinned" }).count(), { timeout: 15_000 }).toBe(1);
    await a.setViewportSize({ width: 1280, height: 800 });
  }, 60_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
