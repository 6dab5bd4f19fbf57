// @mentions in a group (issue 19; docs/decisions.md "Mentions"), in real Chromium against wrangler dev:
// Alice types "@bo" in the group's composer, picks Bob from the suggestions with the keyboard and sends.
// Bob and Carol have the group muted and their apps closed; the message reaches their service workers
// as a push through the DevTools protocol (as in push-delivery.test.ts): Bob, mentioned, is notified
// all the same ("Alice mentioned you: …"), Carol is not. Their apps then show the mention highlighted,
// Bob's as a mention of him.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { seriousViolations } from "./axe";
import { deviceIdentity } from "./group-helpers";
import { launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { mutedGroup, type Receiver } from "./mention-helpers";
import { DESKTOP, PHONE, People } from "./people";
import { editViaUi } from "./rich-helpers";
import { messagePayload, newestAfter, notifications, waitForNotification } from "./push-helpers";

const SHOTS = "/tmp/mentions-shots";
const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
let alice: Page;
let aliceName: string;
let group: string;
const groupName = `Lunch club ${Math.random().toString(36).slice(2, 6)}`;
let bob: Receiver;
let carol: Receiver;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  ({ alice, aliceName, group, bob, carol } = await mutedGroup(people, baseURL, groupName));
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

const box = () => alice.getByTestId("composer");
const list = () => alice.getByTestId("mention-list");

test("typing @ suggests the other members, filtered as typed; Escape closes, a click picks", async () => {
  await box().click();
  await box().pressSequentially("@");
  await list().waitFor({ timeout: 20_000 });
  // Everyone but Alice herself.
  expect(new Set(await list().getByTestId("mention-option").evaluateAll((els) => els.map((e) => e.getAttribute("data-name"))))).toEqual(new Set([bob.name, carol.name]));
  expect(await list().getAttribute("role")).toBe("listbox");
  expect(await box().getAttribute("aria-controls")).toBe("mention-list");
  await box().pressSequentially("ca");
  await expect.poll(() => list().getByTestId("mention-option").count()).toBe(1);
  expect(await list().getByRole("option").first().getAttribute("data-name")).toBe(carol.name);
  await alice.screenshot({ path: `${SHOTS}/suggestions-desktop.png` });
  expect(await seriousViolations(alice, "mention suggestions")).toEqual([]);

  await box().press("Escape");
  await list().waitFor({ state: "hidden" });
  expect(await box().getAttribute("aria-activedescendant")).toBeNull();
  expect(await box().inputValue()).toBe("@ca");

  // Typing again reopens it; a click on an option picks it and the box keeps the focus.
  await box().pressSequentially("r");
  await list().getByRole("option", { name: carol.name }).click();
  expect(await box().inputValue()).toBe(`@${carol.name} `);
  expect(await box().evaluate((el) => (el.getRootNode() as ShadowRoot).activeElement === el)).toBe(true);
  await box().fill("");
});

test("Alice picks Bob with the keyboard and sends; Bob, who muted the group, is notified, Carol is not", async () => {
  await box().click();
  await box().pressSequentially("@bo");
  await list().waitFor({ timeout: 20_000 });
  const first = list().getByRole("option").first();
  expect(await first.getAttribute("data-name")).toBe(bob.name);
  // The box names the highlighted option for screen readers.
  expect(await box().getAttribute("aria-activedescendant")).toBe(await first.getAttribute("id"));
  expect(await first.getAttribute("aria-selected")).toBe("true");
  await box().press("Enter");
  await list().waitFor({ state: "hidden" });
  await box().pressSequentially("lunch at noon?");
  const text = `@${bob.name} lunch at noon?`;
  expect(await box().inputValue()).toBe(text);
  rememberSecret("message", text);
  await box().press("Enter");
  await expect.poll(() => box().inputValue(), { timeout: 20_000 }).toBe("");

  // Alice's own bubble shows the mention (highlighted, not as one of hers).
  const own = alice.getByTestId("message").filter({ hasText: "lunch at noon?" }).getByTestId("mention");
  await own.waitFor({ timeout: 30_000 });
  expect([await own.textContent(), await own.getAttribute("data-me")]).toEqual([`@${bob.name}`, "false"]);

  const stored = await newestAfter(bob.watch, group, 0, (await deviceIdentity(alice)).accountId);
  await bob.line.deliver(messagePayload(group, stored));
  await carol.line.deliver(messagePayload(group, stored));

  const n = await waitForNotification(bob.watch, group, () => true);
  expect(n).toMatchObject({ title: groupName, body: `${aliceName} mentioned you: ${text}`, data: { conversationId: group } });

  // Pushes are handled one at a time: once Carol's next (unreadable) push shows, the mention's was handled.
  await carol.line.deliver("not json");
  await waitForNotification(carol.watch, "sealed-new-message", () => true);
  expect(await notifications(carol.watch, group)).toEqual([]);
});

test("Bob's chat list marks the group with '@' (an unread mention of him); Carol's does not", async () => {
  for (const r of [bob, carol]) {
    await r.page.setViewportSize(DESKTOP);
    await r.page.goto(baseURL);
    const item = r.page.getByTestId("conversation-item").filter({ hasText: groupName });
    await item.getByTestId("unread-badge").waitFor({ timeout: 45_000 });
  }
  const badge = (r: Receiver) => r.page.getByTestId("conversation-item").filter({ hasText: groupName }).getByTestId("mention-badge");
  await badge(bob).waitFor({ timeout: 30_000 });
  expect(await badge(bob).getAttribute("aria-label")).toBe("Mentions you");
  expect(await badge(carol).count()).toBe(0);
  await bob.page.screenshot({ path: `${SHOTS}/list-mention-desktop.png` });
});

test("Bob's app shows the mention of him highlighted; Carol's shows it as a mention of someone else", async () => {
  for (const r of [bob, carol]) {
    await r.page.setViewportSize(r === bob ? PHONE : DESKTOP);
    await r.page.goto(`${baseURL}/#/c/${group}`);
    await r.page.getByTestId("chat-title").filter({ hasText: groupName }).waitFor({ timeout: 45_000 });
  }
  const bobs = bob.page.getByTestId("mention");
  await bobs.waitFor({ timeout: 45_000 });
  expect([await bobs.textContent(), await bobs.getAttribute("data-me")]).toEqual([`@${bob.name}`, "true"]);
  expect(await bobs.evaluate((e) => getComputedStyle(e).fontWeight)).toBe("700");
  const carols = carol.page.getByTestId("mention");
  await carols.waitFor({ timeout: 45_000 });
  expect([await carols.textContent(), await carols.getAttribute("data-me")]).toEqual([`@${bob.name}`, "false"]);
  // The rest of the text is plain text next to it.
  expect(await carol.page.getByTestId("message-text").textContent()).toBe(`@${bob.name} lunch at noon?`);
  await bob.page.screenshot({ path: `${SHOTS}/mention-me-phone.png` });
  await carol.page.screenshot({ path: `${SHOTS}/mention-other-desktop.png` });
  expect(await seriousViolations(bob.page, "mention of me")).toEqual([]);
});

test("on a phone the suggestion list fits above the box", async () => {
  await alice.setViewportSize(PHONE);
  await box().waitFor({ timeout: 20_000 });
  await box().click();
  await box().pressSequentially("@");
  await list().waitFor({ timeout: 20_000 });
  const [l, b] = [await list().boundingBox(), await box().boundingBox()];
  expect(l && b && l.y + l.height <= b.y + 8 && l.x >= 0 && l.x + l.width <= PHONE.width).toBe(true);
  await alice.screenshot({ path: `${SHOTS}/suggestions-phone.png` });
  // The dark theme (the system's, by default): the list and the highlighted mentions keep their contrast.
  await alice.emulateMedia({ colorScheme: "dark" });
  await bob.page.emulateMedia({ colorScheme: "dark" });
  expect(await seriousViolations(alice, "mention suggestions, dark")).toEqual([]);
  expect(await seriousViolations(bob.page, "mention of me, dark")).toEqual([]);
  await alice.screenshot({ path: `${SHOTS}/suggestions-phone-dark.png` });
  await bob.page.screenshot({ path: `${SHOTS}/mention-me-phone-dark.png` });
  await alice.emulateMedia({ colorScheme: "light" });
  await bob.page.emulateMedia({ colorScheme: "light" });
  await box().press("Escape");
  await box().fill("");
  await alice.setViewportSize(DESKTOP);
});

test("edits change the mentions, the last edit winning: one that keeps '@Bob' keeps it, one that breaks it drops it", async () => {
  const mine = alice.getByTestId("message").filter({ hasText: "lunch at noon?" });
  await editViaUi(alice, mine, `@${bob.name} lunch at one?`);
  const bobs = bob.page.getByTestId("message").filter({ hasText: "lunch at one?" });
  await bobs.getByTestId("message-edited").waitFor({ timeout: 45_000 });
  expect(await bobs.getByTestId("mention").getAttribute("data-me")).toBe("true");

  await editViaUi(alice, alice.getByTestId("message").filter({ hasText: "lunch at one?" }), `@${bob.name.slice(0, -1)} lunch at two?`);
  const after = bob.page.getByTestId("message").filter({ hasText: "lunch at two?" });
  await after.waitFor({ timeout: 45_000 });
  expect(await after.getByTestId("message-text").textContent()).toBe(`@${bob.name.slice(0, -1)} lunch at two?`);
  expect(await after.getByTestId("mention").count()).toBe(0);
});

test("a draft keeps its mention through a reload; sent, it mentions Carol on her device", async () => {
  await box().click();
  await box().pressSequentially("@ca");
  await list().getByRole("option", { name: carol.name }).click();
  await alice.reload();
  await expect.poll(() => box().inputValue(), { timeout: 45_000 }).toBe(`@${carol.name} `);
  await box().focus();
  await box().press("End");
  await box().pressSequentially("dinner?");
  rememberSecret("message", `@${carol.name} dinner?`);
  await box().press("Enter");
  const own = alice.getByTestId("message").filter({ hasText: "dinner?" }).getByTestId("mention");
  await own.waitFor({ timeout: 30_000 });
  expect(await own.textContent()).toBe(`@${carol.name}`);
  const hers = carol.page.getByTestId("message").filter({ hasText: "dinner?" }).getByTestId("mention");
  await hers.waitFor({ timeout: 45_000 });
  expect(await hers.getAttribute("data-me")).toBe("true");
});
