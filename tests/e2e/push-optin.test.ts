// Settings → Notifications (issue 19): opt-in only, permission first, then PushManager.subscribe with the
// server's VAPID key, then PUT /api/push/subscription; "Turn off" unsubscribes and DELETEs. PLATFORM.md:
// a real subscribe never succeeds offline (no push service), so PushManager is stubbed in the page to
// return a subscription with an endpoint and keys. The push routes are built by the server helper on
// another branch: GET /api/push/vapid and PUT/DELETE /api/push/subscription are answered here with
// page.route, and the test checks what the app sends them against protocol/push.ts.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { pushSubscriptionRequest } from "../../protocol/push.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName } from "./app";
import { PushLine, messagePayload, newestAfter, notifications, observerPage, waitForNotification } from "./push-helpers";
import { launchBrowser } from "./harness";
import { PHONE, People } from "./people";
import { SHOTS, waitForServiceWorker } from "./pwa-helpers";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

/** A P-256 point's shape (0x04 then 64 bytes) and a 16-byte secret, base64url, as a browser gives them. */
const P256 = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString("base64url");
const AUTH = Buffer.alloc(16, 9).toString("base64url");
const VAPID = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 3)]).toString("base64url");
const ENDPOINT = "https://push.example.test/send/device-1";

/** Replaces PushManager's subscribe/getSubscription in every page of the context (no push service here). */
async function stubPushManager(page: Page): Promise<void> {
  await page.context().addInitScript(
    ([endpoint, p256dh, auth]) => {
      let current: PushSubscription | null = null;
      const seen: number[][] = [];
      Object.defineProperty(window, "__subscribeKeys", { value: seen });
      PushManager.prototype.subscribe = async function (options?: PushSubscriptionOptionsInit) {
        const key = options?.applicationServerKey;
        const bytes = key instanceof ArrayBuffer ? new Uint8Array(key) : ArrayBuffer.isView(key) ? new Uint8Array(key.buffer, key.byteOffset, key.byteLength) : new Uint8Array();
        seen.push([...bytes]);
        if (!options?.userVisibleOnly) throw new DOMException("userVisibleOnly required", "NotAllowedError");
        const sub = {
          endpoint,
          expirationTime: null,
          options: { applicationServerKey: bytes.buffer, userVisibleOnly: true },
          toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
          unsubscribe: async () => {
            current = null;
            return true;
          },
          getKey: () => null,
        };
        current = sub as unknown as PushSubscription;
        return current;
      };
      PushManager.prototype.getSubscription = async () => current;
    },
    [ENDPOINT, P256, AUTH] as const,
  );
}

interface Calls {
  puts: unknown[];
  deletes: number;
  /** PUT /api/push/mutes/:id bodies, with the id. */
  mutes: { id: string; body: unknown }[];
}

/** Answers the push routes the server helper adds (not on this branch), recording what the app sent. */
async function answerPushRoutes(page: Page): Promise<Calls> {
  const calls: Calls = { puts: [], deletes: 0, mutes: [] };
  const muted = new Set<string>();
  await page.route("**/api/push/vapid", (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ publicKey: VAPID }) }));
  await page.route("**/api/push/mutes", (r) => r.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({ muted: [...muted] }) }));
  await page.route("**/api/push/mutes/*", async (r) => {
    const id = decodeURIComponent(new URL(r.request().url()).pathname.split("/").at(-1)!);
    const body = r.request().postDataJSON() as { muted: boolean };
    calls.mutes.push({ id, body });
    if (body.muted) muted.add(id);
    else muted.delete(id);
    await r.fulfill({ status: 204 });
  });
  await page.route("**/api/push/subscription", async (r) => {
    if (r.request().method() === "PUT") calls.puts.push(r.request().postDataJSON());
    if (r.request().method() === "DELETE") calls.deletes++;
    await r.fulfill({ status: 204 });
  });
  return calls;
}

async function openNotificationSettings(page: Page): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  await page.getByTestId("push-settings").waitFor({ timeout: 45_000 });
}

test("turning notifications on asks permission, subscribes with the VAPID key and registers; turning off undoes it", async () => {
  const page = await people.page("bob");
  await page.context().grantPermissions(["notifications"], { origin: baseURL });
  await stubPushManager(page);
  const calls = await answerPushRoutes(page);
  await signUpViaUi(page, baseURL, uniqueName("bob"));
  await waitForServiceWorker(page, 60_000);
  await openNotificationSettings(page);
  // Never on first load: off until the user asks.
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 20_000 }).toBe("Notifications are off for this device");
  expect(calls.puts).toEqual([]);
  await expect.poll(() => page.getByLabel("Name and message").isChecked()).toBe(true);
  await page.getByTestId("push-settings").screenshot({ path: `${SHOTS}/push-settings-off.png` });

  await page.getByRole("button", { name: "Turn on" }).click();
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are on for this device");
  expect(calls.puts).toHaveLength(1);
  expect(pushSubscriptionRequest.parse(calls.puts[0])).toEqual({ endpoint: ENDPOINT, keys: { p256dh: P256, auth: AUTH } });
  const keys = await page.evaluate(() => (window as unknown as { __subscribeKeys: number[][] }).__subscribeKeys);
  expect(keys).toEqual([[...Buffer.from(VAPID, "base64url")]]);
  await page.screenshot({ path: `${SHOTS}/push-settings-on.png`, fullPage: true });

  await page.getByRole("button", { name: "Turn off" }).click();
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are off for this device");
  expect(calls.deletes).toBe(1);
});

test("a refused permission is a readable sentence, and nothing is registered", async () => {
  const page = await people.page("carol", PHONE);
  await stubPushManager(page);
  const calls = await answerPushRoutes(page);
  await signUpViaUi(page, baseURL, uniqueName("carol"));
  await waitForServiceWorker(page, 60_000);
  // No grantPermissions: a headless browser refuses the prompt.
  await openNotificationSettings(page);
  await page.getByRole("button", { name: "Turn on" }).click();
  const error = page.getByTestId("push-error");
  await error.waitFor({ timeout: 45_000 });
  expect(await error.textContent()).toBe("Notifications are blocked for Sealed. Allow them in the browser's site settings, then try again.");
  expect(await error.getAttribute("role")).toBe("alert");
  expect(calls.puts).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/push-settings-denied-phone.png`, fullPage: true });
});

test("muting a chat from its header: the account's mute list is told, the list shows it, and its pushes show nothing", async () => {
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const alice = await people.page("alice");
  const bob = await people.page("bob");
  await bob.context().grantPermissions(["notifications"], { origin: baseURL });
  const calls = await answerPushRoutes(bob);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await waitForServiceWorker(bob, 60_000);
  await startChatViaUi(alice, bobName);
  const chat = /#\/c\/([^/?]+)/.exec(alice.url())![1]!;
  await openChatViaUi(bob, aliceName);

  const mute = bob.getByRole("button", { name: "Mute notifications" });
  expect(await mute.getAttribute("aria-pressed")).toBe("false");
  await mute.click();
  const unmute = bob.getByRole("button", { name: "Unmute notifications" });
  await unmute.waitFor({ timeout: 45_000 });
  expect(await unmute.getAttribute("aria-pressed")).toBe("true");
  expect(calls.mutes).toEqual([{ id: chat, body: { muted: true } }]);
  const item = bob.getByTestId("conversation-item").filter({ hasText: aliceName });
  await item.getByTestId("muted-indicator").waitFor({ timeout: 20_000 });
  expect(await item.getByRole("img", { name: "Muted" }).count()).toBe(1);
  await bob.screenshot({ path: `${SHOTS}/push-muted-chat.png` });

  // The server would push nothing for a muted chat; a push that comes anyway shows nothing either.
  await bob.goto("about:blank");
  const watch = await bob.context().newPage();
  await observerPage(watch, baseURL);
  const line = await PushLine.open(watch, baseURL);
  await sendViaUi(alice, "muted words");
  await line.deliver(messagePayload(chat, await newestAfter(watch, chat, 0)));
  // Pushes are handled one at a time: once the next (unreadable) one shows, the first was handled.
  await line.deliver("not json");
  await waitForNotification(watch, "sealed-new-message", () => true);
  expect(await notifications(watch, chat)).toEqual([]);
});
