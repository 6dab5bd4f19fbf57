// Drives the receipts and unread UI (issue 17): ticks, the unread badge and the title. Linking a
// second device is rich-helpers.ts linkViaPaste.
import type { Page } from "playwright-core";

/** The tick state (sent, delivered, read) of each of my messages in the open chat, in order. */
export function myTicks(page: Page): Promise<string[]> {
  return page
    .locator('[data-testid="message"][data-mine="true"]')
    .evaluateAll((els) => els.map((el) => el.querySelector("sealed-receipt-ticks")?.shadowRoot?.querySelector("[data-testid=message-ticks]")?.getAttribute("data-receipt") ?? el.getAttribute("data-status") ?? "?"));
}

/** Waits until every one of my messages in the open chat shows `state`. */
export async function waitForTicks(page: Page, expected: readonly string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  for (;;) {
    seen = await myTicks(page);
    if (JSON.stringify(seen) === JSON.stringify(expected)) return;
    if (Date.now() > deadline) throw new Error(`ticks: expected ${JSON.stringify(expected)}, saw ${JSON.stringify(seen)}`);
    await page.waitForTimeout(200);
  }
}

/** The unread badge of the chat with `title` in the list: its accessible name, or "" with none. */
export async function unreadBadge(page: Page, title: string): Promise<string> {
  const badge = page.getByTestId("conversation-item").filter({ hasText: title }).getByTestId("unread-badge");
  return (await badge.count()) === 0 ? "" : ((await badge.getAttribute("aria-label")) ?? "");
}

/** Whether the chat with `title` is shown as unread (bold) in the list. */
export async function isBold(page: Page, title: string): Promise<boolean> {
  return page
    .getByTestId("conversation-item")
    .filter({ hasText: title })
    .evaluate((a) => a.hasAttribute("data-unread") && Number(getComputedStyle(a.querySelector(".name")!).fontWeight) >= 700);
}

/**
 * The client message ids of the messages the open chat shows. The server's list of a conversation also
 * holds delivered and read marks (issue 17); a test about the messages keeps the envelopes whose id is
 * one of these (a duplicate of a message still counts twice).
 */
export async function shownMessageIds(page: Page): Promise<Set<string>> {
  return new Set(await page.getByTestId("message").evaluateAll((els) => els.map((el) => el.getAttribute("data-key") ?? "")));
}
