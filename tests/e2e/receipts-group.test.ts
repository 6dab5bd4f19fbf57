// Issue 17, receipts in a group: Alice writes to Bob and Carol. Her ticks are ✓✓ once both devices have
// the message and read once both read it; the ticks open a small popover (by keyboard too) saying who
// read it and who has it, with the same in the button's accessible name.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import { createGroupViaUi, openGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";
import { unreadBadge, waitForTicks } from "./receipt-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const names = { alice: uniqueName("alice"), bob: uniqueName("bob"), carol: uniqueName("carol") };
const GROUP = "Receipts team";
const errors: string[] = [];
let browser: Browser;
const contexts: BrowserContext[] = [];
const pages: Record<keyof typeof names, Page> = {} as Record<keyof typeof names, Page>;

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  for (const who of ["alice", "bob", "carol"] as const) {
    const context = await browser.newContext({ viewport: { width: 1100, height: 760 }, serviceWorkers: "block" });
    contexts.push(context);
    const page = await context.newPage();
    page.on("pageerror", (e) => errors.push(`${who}: ${e.message}`));
    pages[who] = page;
    await signUpViaUi(page, baseURL, names[who]);
  }
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

/** The popover's lists for the ticks of my `index`th message, opened with the keyboard. */
async function info(page: Page, index: number): Promise<{ label: string; readBy: string; deliveredTo: string }> {
  const ticks = page.locator('[data-testid="message"][data-mine="true"]').nth(index).locator("sealed-receipt-ticks").getByTestId("message-ticks");
  const label = (await ticks.getAttribute("aria-label")) ?? "";
  await ticks.focus();
  await page.keyboard.press("Enter");
  const pop = page.locator('[data-testid="message"][data-mine="true"]').nth(index).getByTestId("receipt-info");
  await pop.waitFor();
  const delivered = pop.getByTestId("delivered-to");
  const out = { label, readBy: (await pop.getByTestId("read-by").textContent()) ?? "", deliveredTo: (await delivered.count()) > 0 ? ((await delivered.textContent()) ?? "") : "" };
  await page.keyboard.press("Escape");
  await pop.waitFor({ state: "hidden" });
  return out;
}

test("Alice sees who read her message and who has it, and read once everyone read it", async () => {
  const a = pages.alice;
  await createGroupViaUi(a, GROUP, [names.bob, names.carol]);
  await sendViaUi(a, "pizza tonight?");
  // Both devices store it: ✓✓, nobody read it yet.
  await waitForTicks(a, ["delivered"]);
  expect(await info(a, 0)).toEqual({
    label: `Delivered. Read by nobody yet. Delivered to ${names.bob}, ${names.carol}.`,
    readBy: "nobody yet",
    deliveredTo: `${names.bob}, ${names.carol}`,
  });
  await expect.poll(() => unreadBadge(pages.carol, GROUP), { timeout: 30_000 }).toBe("1 unread message");

  // Bob opens the group: read by Bob, still only delivered to Carol.
  await openGroupViaUi(pages.bob, GROUP);
  await waitForHistory(pages.bob, ["pizza tonight?"]);
  await expect.poll(async () => (await info(a, 0)).readBy, { timeout: 30_000 }).toBe(names.bob);
  expect(await info(a, 0)).toEqual({ label: `Delivered. Read by ${names.bob}. Delivered to ${names.carol}.`, readBy: names.bob, deliveredTo: names.carol });
  await waitForTicks(a, ["delivered"]);
  const ticks = a.locator('[data-testid="message"][data-mine="true"]').first().locator("sealed-receipt-ticks").getByTestId("message-ticks");
  await ticks.click();
  await a.screenshot({ path: `${SHOTS}/receipts-group-info.png` });
  await a.keyboard.press("Escape");

  // Carol opens it too: read by everyone.
  await openGroupViaUi(pages.carol, GROUP);
  await waitForHistory(pages.carol, ["pizza tonight?"]);
  await waitForTicks(a, ["read"]);
  expect(await info(a, 0)).toEqual({ label: `Read. Read by ${names.bob}, ${names.carol}.`, readBy: `${names.bob}, ${names.carol}`, deliveredTo: "" });
  expect(errors).toEqual([]);
}, 120_000);
