// Helpers for the offline-first tests: service worker readiness, the connection pill, two people.
import type { BrowserContext, Page } from "playwright-core";
import { launchPersistent } from "./harness";

export const SHOTS = "/tmp/shots";

/** Resolves once a service worker is active and controls the page (clients.claim on first install). */
export async function waitForServiceWorker(page: Page, timeoutMs = 20_000): Promise<void> {
  // A function, not a string: Playwright evals a string predicate on every poll, which the app's CSP
  // (no 'unsafe-eval') refuses as soon as the first check is not already true.
  await page.waitForFunction(
    async () => {
      const r = await navigator.serviceWorker.ready;
      return r.active?.state === "activated" && navigator.serviceWorker.controller !== null;
    },
    undefined,
    { timeout: timeoutMs },
  );
}

/** The connection pill's state ("online", "offline", "connecting", "syncing"). */
export function connectionStatus(page: Page): Promise<string | null> {
  return page.getByTestId("connection-status").filter({ visible: true }).first().getAttribute("data-status");
}

export async function waitForStatus(page: Page, status: string, timeoutMs = 20_000): Promise<void> {
  await page.getByTestId("connection-status").filter({ visible: true }).and(page.locator(`[data-status="${status}"]`)).first().waitFor({ timeout: timeoutMs });
}

export interface Browser1 {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

/** A persistent profile (a real, non-incognito one, as installability and service workers need). */
export async function openProfile(dir: string, viewport = { width: 1280, height: 800 }): Promise<Browser1> {
  const context = await launchPersistent(dir, [], { viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Texts of the open chat's messages that are still waiting to be sent. */
export function pendingTexts(page: Page): Promise<string[]> {
  return page.locator('[data-testid="message"][data-status="pending"] [data-testid="message-text"]').allTextContents();
}
