// Opting in to Web Push the way a user does (Settings → Notifications → Turn on), shared by the push
// tests. Kept apart from push-helpers.ts, which the benchmarks import: this needs push-service-client.ts (Vitest).
import type { Page } from "playwright-core";
import { stubPushManager, type ServiceSubscription } from "./push-service-client";

/**
 * Readies `page`'s browser context to opt in, before its app loads: notifications allowed for the app
 * and, given `subs`, its PushManager handing them out in turn (stubPushManager: PLATFORM.md, a real
 * subscribe never succeeds here).
 */
export async function allowPush(page: Page, baseURL: string, subs?: readonly ServiceSubscription[]): Promise<void> {
  await page.context().grantPermissions(["notifications"], { origin: baseURL });
  if (subs) await stubPushManager(page, subs);
}

/** Opens Settings and waits until its Notifications section shows. */
export async function openNotificationSettings(page: Page, baseURL: string): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  await page.getByTestId("push-settings").waitFor({ timeout: 45_000 });
}

/** Settings → Notifications → Turn on, until the app says they are on (the server then holds the subscription). */
export async function turnOnNotificationsViaUi(page: Page, baseURL: string): Promise<void> {
  await openNotificationSettings(page, baseURL);
  await page.getByRole("button", { name: "Turn on" }).click();
  // A locator wait, not expect.poll: it also runs in a beforeAll.
  await page.getByTestId("push-state").filter({ hasText: /^Notifications are on for this device$/ }).waitFor({ timeout: 45_000 });
}
