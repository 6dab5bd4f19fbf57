// Settings → Notifications (issue 19): opt-in only, permission first, then PushManager.subscribe with the
// server's VAPID key, then PUT /api/push/subscription; "Turn off" unsubscribes and DELETEs. PLATFORM.md:
// a real subscribe never succeeds offline (no push service), so PushManager is stubbed in the page to
// return a subscription made at the test push service (tests/support/push-service.ts, started by
// global-setup.ts). Everything else is real: the app's requests reach the server's push routes, and the
// push service seeing (or not seeing) the server's pushes proves what the server stored or deleted.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { pushMutesResponse, pushSubscriptionRequest } from "../../protocol/push.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName } from "./app";
import { PushLine, messagePayload, newestAfter, notifications, observerPage, senderOf, serverMessages, waitForNotification } from "./push-helpers";
import { allowPush, openNotificationSettings, turnOnNotificationsViaUi } from "./push-optin-helpers";
import { pushedSeq, pushesTo, servedVapidKey, stubPushManager, subscribeAtPushService, subscribeKeys, waitForPushOf } from "./push-service-client";
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

/** What the app sent to the server's push routes (watched, not intercepted: the server answers). */
interface Calls {
  puts: unknown[];
  deletes: number;
  /** PUT /api/push/mutes/:id bodies, with the id and the server's status. */
  mutes: { id: string; body: unknown; status: number }[];
}

function watchPushCalls(page: Page): Calls {
  const calls: Calls = { puts: [], deletes: 0, mutes: [] };
  page.on("requestfinished", (req) => {
    const path = new URL(req.url()).pathname;
    void req.response().then((res) => {
      if (path === "/api/push/subscription" && req.method() === "PUT" && res?.status() === 204) calls.puts.push(req.postDataJSON());
      if (path === "/api/push/subscription" && req.method() === "DELETE" && res?.status() === 204) calls.deletes++;
      if (path.startsWith("/api/push/mutes/") && req.method() === "PUT") calls.mutes.push({ id: decodeURIComponent(path.split("/").at(-1)!), body: req.postDataJSON(), status: res?.status() ?? 0 });
    });
  });
  return calls;
}

/** GET /api/push/mutes with the session of `page` (from Node: API answers are not for the page to render). */
async function serverMutes(page: Page): Promise<string[]> {
  const cookie = (await page.context().cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");
  const res = await fetch(`${baseURL}/api/push/mutes`, { headers: { cookie, accept: "application/json" } });
  if (!res.ok) throw new Error(`GET /api/push/mutes: HTTP ${res.status}`);
  return pushMutesResponse.parse(await res.json()).muted;
}

/** The seqs the push service decrypted for `sub` (every push it received must have passed its checks). */
async function pushedSeqs(sub: Parameters<typeof pushesTo>[0]): Promise<number[]> {
  const all = await pushesTo(sub);
  expect(all.filter((p) => !p.accepted)).toEqual([]);
  return all.map((p) => pushedSeq(p)!);
}

test("turning notifications on asks permission, subscribes with the VAPID key and registers; turning off undoes it", async () => {
  const aliceName = uniqueName("alice");
  const alice = await people.page("alice");
  const page = await people.page("bob");
  const vapid = await servedVapidKey(baseURL);
  const sub = await subscribeAtPushService(vapid);
  const again = await subscribeAtPushService(vapid);
  await allowPush(page, baseURL, [sub, again]);
  const calls = watchPushCalls(page);
  await signUpViaUi(alice, baseURL, aliceName);
  const bobName = uniqueName("bob");
  await signUpViaUi(page, baseURL, bobName);
  await waitForServiceWorker(page, 60_000);
  await startChatViaUi(alice, bobName);
  const chat = /#\/c\/([^/?]+)/.exec(alice.url())![1]!;
  await openNotificationSettings(page, baseURL);
  // Never on first load: off until the user asks.
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 20_000 }).toBe("Notifications are off for this device");
  expect(calls.puts).toEqual([]);
  await expect.poll(() => page.getByLabel("Name and message").isChecked()).toBe(true);
  await page.getByTestId("push-settings").screenshot({ path: `${SHOTS}/push-settings-off.png` });

  await page.getByRole("button", { name: "Turn on" }).click();
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are on for this device");
  await expect.poll(() => calls.puts.length, { timeout: 20_000 }).toBe(1);
  expect(pushSubscriptionRequest.parse(calls.puts[0])).toEqual({ endpoint: sub.endpoint, keys: sub.keys });
  expect(await subscribeKeys(page)).toEqual([[...Buffer.from(vapid, "base64url")]]);
  await page.screenshot({ path: `${SHOTS}/push-settings-on.png`, fullPage: true });

  // The server stored it: with Bob's app closed (no socket), Alice's message is pushed to that endpoint.
  await page.goto("about:blank");
  const watch = await page.context().newPage();
  await observerPage(watch, baseURL);
  await sendViaUi(alice, "pushed after opting in");
  const on = await newestAfter(watch, chat, 0);
  const aliceId = senderOf(on);
  await waitForPushOf(sub, on.seq);

  await openNotificationSettings(page, baseURL);
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are on for this device");
  await page.getByRole("button", { name: "Turn off" }).click();
  await expect.poll(() => page.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are off for this device");
  await expect.poll(() => calls.deletes, { timeout: 20_000 }).toBe(1);
  await page.goto("about:blank");
  await sendViaUi(alice, "not pushed after opting out");
  const off = await newestAfter(watch, chat, on.seq, aliceId);

  // The server deleted it: on again with a new subscription, the next message reaches only that one,
  // and the one sent while off reached neither.
  await turnOnNotificationsViaUi(page, baseURL);
  await page.goto("about:blank");
  await sendViaUi(alice, "pushed after opting in again");
  const back = await newestAfter(watch, chat, off.seq, aliceId);
  await waitForPushOf(again, back.seq);
  expect(await pushedSeqs(sub)).toEqual([on.seq]);
  expect(await pushedSeqs(again)).toEqual([back.seq]);
  expect((await serverMessages(watch, chat)).filter((m) => senderOf(m) === aliceId).map((m) => m.seq)).toEqual([on.seq, off.seq, back.seq]);
});

test("a refused permission is a readable sentence, and nothing is registered", async () => {
  const page = await people.page("carol", PHONE);
  await stubPushManager(page, [await subscribeAtPushService(await servedVapidKey(baseURL))]);
  const calls = watchPushCalls(page);
  await signUpViaUi(page, baseURL, uniqueName("carol"));
  await waitForServiceWorker(page, 60_000);
  // No grantPermissions: a headless browser refuses the prompt.
  await openNotificationSettings(page, baseURL);
  await page.getByRole("button", { name: "Turn on" }).click();
  const error = page.getByTestId("push-error");
  await error.waitFor({ timeout: 45_000 });
  expect(await error.textContent()).toBe("Notifications are blocked for Sealed. Allow them in the browser's site settings, then try again.");
  expect(await error.getAttribute("role")).toBe("alert");
  expect(calls.puts).toEqual([]);
  // Not asked of the push manager either: permission comes first.
  expect(await subscribeKeys(page)).toEqual([]);
  await page.screenshot({ path: `${SHOTS}/push-settings-denied-phone.png`, fullPage: true });
});

test("muting a chat from its header: the server's mute list holds it, the list shows it, and its pushes show nothing", async () => {
  const aliceName = uniqueName("alice");
  const bobName = uniqueName("bob");
  const alice = await people.page("alice");
  const bob = await people.page("bob");
  await allowPush(bob, baseURL);
  const calls = watchPushCalls(bob);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await waitForServiceWorker(bob, 60_000);
  await startChatViaUi(alice, bobName);
  const chat = /#\/c\/([^/?]+)/.exec(alice.url())![1]!;
  await openChatViaUi(bob, aliceName);
  expect(await serverMutes(bob)).toEqual([]);

  const mute = bob.getByRole("button", { name: "Mute notifications" });
  expect(await mute.getAttribute("aria-pressed")).toBe("false");
  await mute.click();
  const unmute = bob.getByRole("button", { name: "Unmute notifications" });
  await unmute.waitFor({ timeout: 45_000 });
  expect(await unmute.getAttribute("aria-pressed")).toBe("true");
  await expect.poll(() => calls.mutes, { timeout: 20_000 }).toEqual([{ id: chat, body: { muted: true }, status: 204 }]);
  expect(await serverMutes(bob)).toEqual([chat]);
  const item = bob.getByTestId("conversation-item").filter({ hasText: aliceName });
  await item.getByTestId("muted-indicator").waitFor({ timeout: 20_000 });
  expect(await item.getByRole("img", { name: "Muted" }).count()).toBe(1);
  await bob.screenshot({ path: `${SHOTS}/push-muted-chat.png` });

  // The server pushes nothing for a muted chat (push-chain.test.ts); a push that comes anyway shows nothing either.
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
