// Replies, reactions, edits and delete for everyone as people use them (issue 17), between Alice on a
// desktop, her linked second device, and Bob on a phone: what one does, the others see, the same way.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { conversationIdOf, createGroupViaUi, openGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";
import { bubble, deleteViaUi, editViaUi, linkViaPaste, openMenu, reactViaUi, replyViaUi, storedEnvelopeSeqs, storedStrings, waitForChips } from "./rich-helpers";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const baseURL = inject("baseURL");

let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
const aliceName = uniqueName("rich_alice");
const bobName = uniqueName("rich_bob");
let alice: Page;
let alice2: Page;
let bob: Page;
let conversationId: string;

async function person(who: string, viewport: { width: number; height: number }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => pageErrors.push(`${who}: ${e.message}`));
  return page;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  alice = await person("alice", DESKTOP);
  bob = await person("bob", PHONE);
  alice2 = await person("alice's laptop", DESKTOP);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(alice, bobName);
  conversationId = conversationIdOf(alice);
  await sendViaUi(alice, "Lunch at noon?");
  await openChatViaUi(bob, aliceName);
  await waitForHistory(bob, ["Lunch at noon?"]);
  await linkViaPaste(alice, alice2, baseURL, aliceName);
  await openChatViaUi(alice2, bobName);
  await waitForHistory(alice2, ["Lunch at noon?"]);
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await browser?.close();
});

describe("replies", () => {
  test("Bob replies from the toolbar; everyone sees the quote, and activating it shows the original", async () => {
    await replyViaUi(bob, bubble(bob, "Lunch at noon?"), "Yes, the usual place");
    for (const p of [bob, alice, alice2]) {
      await waitForHistory(p, ["Lunch at noon?", "Yes, the usual place"]);
      const quote = bubble(p, "Yes, the usual place").getByTestId("reply-quote");
      await expect.poll(() => quote.textContent()).toContain("Lunch at noon?");
    }
    await alice.screenshot({ path: `${SHOTS}/rich-reply-desktop.png` });
    await bob.screenshot({ path: `${SHOTS}/rich-reply-phone.png` });
    await bubble(alice, "Yes, the usual place").getByTestId("reply-quote").click();
    await expect.poll(() => bubble(alice, "Lunch at noon?").getAttribute("class")).toContain("flash");
  });

  test("the reply bar is cancelled with Escape; Enter then sends a plain message", async () => {
    await bubble(alice, "Yes, the usual place").hover();
    await bubble(alice, "Yes, the usual place").getByTestId("reply-button").click();
    await alice.getByTestId("composer-mode").filter({ hasText: `Replying to ${bobName}` }).waitFor();
    await alice.screenshot({ path: `${SHOTS}/rich-reply-bar-desktop.png` });
    await alice.getByTestId("composer").press("Escape");
    await alice.getByTestId("composer-mode").waitFor({ state: "detached" });
    await sendViaUi(alice, "See you there");
    await waitForHistory(bob, ["Lunch at noon?", "Yes, the usual place", "See you there"]);
    expect(await bubble(bob, "See you there").getByTestId("reply-quote").count()).toBe(0);
  });
});

describe("reactions", () => {
  test("added, changed and removed: counts and names reach the other person and the linked device", async () => {
    const target = "Lunch at noon?";
    await reactViaUi(bob, bubble(bob, target), "👍");
    await waitForChips(bubble(alice, target), [`👍 1 ${bobName}`]);
    await waitForChips(bubble(alice2, target), [`👍 1 ${bobName}`]);
    // Alice reacts from her menu with the keyboard only.
    const menu = await openMenu(alice, bubble(alice, target), true);
    const focused = (emoji: string) => menu.getByTestId(`react-${emoji}`).evaluate((el) => el.getRootNode() instanceof ShadowRoot && (el.getRootNode() as ShadowRoot).activeElement === el);
    await expect.poll(() => focused("👍")).toBe(true);
    await alice.keyboard.press("ArrowRight");
    await expect.poll(() => focused("❤️")).toBe(true);
    await alice.keyboard.press("Enter");
    await menu.waitFor({ state: "detached" });
    await waitForChips(bubble(bob, target), [`👍 1 ${bobName}`, `❤️ 1 ${aliceName}`].map((c) => c.replace(bobName, "You")));
    await waitForChips(bubble(alice2, target), [`👍 1 ${bobName}`, "❤️ 1 You"]);
    await alice.screenshot({ path: `${SHOTS}/rich-reactions-desktop.png` });
    await bob.screenshot({ path: `${SHOTS}/rich-reactions-phone.png` });
    // Bob changes his to ❤️ (one reaction per person: the 👍 goes), then Alice removes hers by its chip.
    await reactViaUi(bob, bubble(bob, target), "❤️");
    await waitForChips(bubble(alice, target), [`❤️ 2 You, ${bobName}`]);
    await bubble(alice2, target).getByTestId("reaction-chip").click();
    for (const [p, names] of [
      [alice, bobName],
      [alice2, bobName],
      [bob, "You"],
    ] as const)
      await waitForChips(bubble(p, target), [`❤️ 1 ${names}`]);
    expect(await bubble(alice, target).getByTestId("reaction-chip").getAttribute("aria-label")).toContain(bobName);
    // No reaction became a message, and the chat list still shows the last text.
    expect(await messageTexts(alice)).toEqual(["Lunch at noon?", "Yes, the usual place", "See you there"]);
  });
});

describe("edits", () => {
  test("Alice edits on one device, then on the other: the last edit wins everywhere, marked edited", async () => {
    await sendViaUi(alice, "Meet at 12:30");
    await waitForHistory(alice2, ["Lunch at noon?", "Yes, the usual place", "See you there", "Meet at 12:30"]);
    await editViaUi(alice, bubble(alice, "Meet at 12:30"), "Meet at 12:45");
    await waitForHistory(alice2, ["Lunch at noon?", "Yes, the usual place", "See you there", "Meet at 12:45"]);
    await editViaUi(alice2, bubble(alice2, "Meet at 12:45"), "Meet at 13:00");
    for (const p of [alice, alice2, bob]) {
      await waitForHistory(p, ["Lunch at noon?", "Yes, the usual place", "See you there", "Meet at 13:00"]);
      expect(await bubble(p, "Meet at 13:00").getByTestId("message-edited").count()).toBe(1);
    }
    await bob.screenshot({ path: `${SHOTS}/rich-edited-phone.png` });
    // Only one's own text has Edit; Bob's menu on Alice's message offers Reply only.
    const menu = await openMenu(bob, bubble(bob, "Meet at 13:00"));
    expect((await menu.getByRole("menuitem").allTextContents()).map((t) => t.trim())).toEqual(["Reply"]);
    await bob.screenshot({ path: `${SHOTS}/rich-menu-phone.png` });
    await bob.keyboard.press("Escape");
    await menu.waitFor({ state: "detached" });
    // Editing sets the draft aside and gives it back: the half-written text is never lost or sent.
    await alice.getByTestId("composer").fill("half-written thought");
    await editViaUi(alice, bubble(alice, "Meet at 13:00"), "Meet at 13:15");
    expect(await alice.getByTestId("composer").inputValue()).toBe("half-written thought");
    await waitForHistory(bob, ["Lunch at noon?", "Yes, the usual place", "See you there", "Meet at 13:15"]);
    await alice.getByTestId("composer").fill("");
  });
});

describe("delete for everyone", () => {
  test("a tombstone on every device, and the text gone from the other person's IndexedDB", async () => {
    const secret = "my pin is 4921";
    await sendViaUi(alice, secret);
    await waitForHistory(bob, ["Lunch at noon?", "Yes, the usual place", "See you there", "Meet at 13:15", secret]);
    await reactViaUi(bob, bubble(bob, secret), "😮");
    await waitForChips(bubble(alice, secret), [`😮 1 ${bobName}`]);
    expect((await storedStrings(bob)).some((s) => s.includes(secret))).toBe(true);
    const seqsBefore = await storedEnvelopeSeqs(bob, conversationId);
    await deleteViaUi(alice, bubble(alice, secret), `${SHOTS}/rich-delete-confirm-desktop.png`);
    for (const p of [alice, alice2, bob]) {
      await p.getByTestId("message-deleted").filter({ hasText: "This message was deleted" }).waitFor({ timeout: 20_000 });
      expect(await p.getByTestId("message-deleted").count()).toBe(1);
      await expect.poll(async () => (await storedStrings(p)).filter((s) => s.includes(secret)), { timeout: 20_000 }).toEqual([]);
    }
    // The deleted message's envelope left Bob's store (one fewer, although the delete itself arrived).
    const seqsAfter = await storedEnvelopeSeqs(bob, conversationId);
    expect(seqsAfter.length).toBe(seqsBefore.length);
    expect(Math.max(...seqsAfter)).toBeGreaterThan(Math.max(...seqsBefore));
    expect(await bob.getByTestId("message").filter({ hasText: "This message was deleted" }).getByTestId("reaction-chip").count()).toBe(0);
    await bob.screenshot({ path: `${SHOTS}/rich-deleted-phone.png` });
    await alice.screenshot({ path: `${SHOTS}/rich-deleted-desktop.png` });
  });
});

describe("offline", () => {
  test("a reaction made offline shows at once and is sent once when back online", async () => {
    const before = (await storedEnvelopeSeqs(alice, conversationId)).length;
    await bob.context().setOffline(true);
    await reactViaUi(bob, bubble(bob, "See you there"), "🙏");
    await waitForChips(bubble(bob, "See you there"), ["🙏 1 You"]);
    await bob.waitForTimeout(1000);
    expect(await bubble(alice, "See you there").getByTestId("reaction-chip").count()).toBe(0);
    await bob.context().setOffline(false);
    await waitForChips(bubble(alice, "See you there"), [`🙏 1 ${bobName}`], 30_000);
    await waitForChips(bubble(alice2, "See you there"), [`🙏 1 ${bobName}`], 30_000);
    await alice.waitForTimeout(1500);
    expect((await storedEnvelopeSeqs(alice, conversationId)).length).toBe(before + 1);
  });
});

describe("in a group", () => {
  test("a reply, a reaction made offline (sent once) and a delete reach every member's devices", async () => {
    const name = uniqueName("rich group");
    await openChatViaUi(alice, bobName);
    const groupId = await createGroupViaUi(alice, name, [bobName]);
    await sendViaUi(alice, "Group plans for Friday");
    await bob.getByTestId("back").click();
    await openGroupViaUi(bob, name);
    await waitForHistory(bob, ["Group plans for Friday"]);
    await replyViaUi(bob, bubble(bob, "Group plans for Friday"), "Count me in");
    await waitForHistory(alice, ["Group plans for Friday", "Count me in"]);
    await openGroupViaUi(alice2, name);
    await waitForHistory(alice2, ["Group plans for Friday", "Count me in"]);
    expect(await bubble(alice2, "Count me in").getByTestId("reply-quote").textContent()).toContain("Group plans for Friday");
    const before = (await storedEnvelopeSeqs(alice, groupId)).length;
    await bob.context().setOffline(true);
    await reactViaUi(bob, bubble(bob, "Group plans for Friday"), "😂");
    await waitForChips(bubble(bob, "Group plans for Friday"), ["😂 1 You"]);
    await bob.context().setOffline(false);
    for (const p of [alice, alice2]) await waitForChips(bubble(p, "Group plans for Friday"), [`😂 1 ${bobName}`], 30_000);
    await alice.waitForTimeout(1500);
    // Sent once: exactly one more envelope in the group on Alice's device.
    expect((await storedEnvelopeSeqs(alice, groupId)).length).toBe(before + 1);
    await deleteViaUi(bob, bubble(bob, "Count me in"));
    for (const p of [alice, alice2, bob]) {
      await p.getByTestId("message-deleted").waitFor({ timeout: 20_000 });
      await expect.poll(async () => (await storedStrings(p)).filter((x) => x.includes("Count me in")), { timeout: 20_000 }).toEqual([]);
    }
    await alice.screenshot({ path: `${SHOTS}/rich-group-desktop.png` });
  });
});

afterAll(() => {
  expect(pageErrors).toEqual([]);
});
