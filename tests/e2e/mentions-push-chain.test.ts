// A mention in a muted group through the whole push chain (issues 19 and 21): Bob and Carol turn
// notifications on in Settings (the app registers the push service's subscriptions with the server), mute
// the group and close their apps. A plain message from Alice reaches neither push subscription (muted);
// her message mentioning Bob is posted with the "mentions" bit, so the server pushes it to both muted
// members (RFC 8291, to the test push service, which checks VAPID and decrypts). Each service worker gets
// exactly the bytes its subscription received: Bob's shows "Alice mentioned you", Carol's shows nothing.
// "No push" is proved against a later push, as in push-chain.test.ts: the service receives pushes in the
// order the server sends them.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { signUpViaUi, uniqueName } from "./app";
import { createGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";
import { DESKTOP, People } from "./people";
import { PushLine, notifications, observerPage, waitForNotification } from "./push-helpers";
import { pushedSeq, pushesTo, servedVapidKey, stubPushManager, subscribeAtPushService, type ServiceSubscription } from "./push-service-client";
import { waitForServiceWorker } from "./pwa-helpers";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
let alice: Page;
let aliceName: string;
let group: string;
const groupName = `Muted club ${Math.random().toString(36).slice(2, 6)}`;

interface Receiver {
  readonly name: string;
  readonly page: Page;
  readonly sub: ServiceSubscription;
  watch: Page;
  line: PushLine;
}
let bob: Receiver;
let carol: Receiver;

async function receiver(who: string, vapidKey: string): Promise<Receiver> {
  const name = uniqueName(who);
  const page = await people.page(who);
  const sub = await subscribeAtPushService(vapidKey);
  await page.context().grantPermissions(["notifications"], { origin: baseURL });
  await stubPushManager(page, [sub]);
  await signUpViaUi(page, baseURL, name);
  await waitForServiceWorker(page, 60_000);
  return { name, page, sub, watch: page, line: undefined as unknown as PushLine };
}

/** Settings → Notifications → Turn on: the app subscribes and the server stores the subscription. */
async function turnOnNotifications(r: Receiver): Promise<void> {
  await r.page.goto(`${baseURL}/#/settings`);
  await r.page.getByTestId("push-settings").waitFor({ timeout: 45_000 });
  await r.page.getByRole("button", { name: "Turn on" }).click();
  await r.page.getByTestId("push-state").filter({ hasText: /^Notifications are on for this device$/ }).waitFor({ timeout: 45_000 });
}

/** Opens the group, mutes it, closes the app (no socket: pushes go to the push service) and opens a push line. */
async function muteAndClose(r: Receiver): Promise<void> {
  await r.page.goto(`${baseURL}/#/c/${group}`);
  await r.page.getByTestId("chat-title").filter({ hasText: groupName }).waitFor({ timeout: 45_000 });
  await r.page.getByTestId("mute-button").click();
  await r.page.locator('[data-testid="mute-button"][aria-pressed="true"]').waitFor({ timeout: 30_000 });
  await r.page.goto("about:blank");
  r.watch = await r.page.context().newPage();
  await observerPage(r.watch, baseURL);
  r.line = await PushLine.open(r.watch, baseURL);
}

/** The seqs `r`'s subscription was pushed, every push checked (VAPID, decryption) by the service. */
async function pushedSeqs(r: Receiver): Promise<number[]> {
  const all = await pushesTo(r.sub);
  expect(all.filter((p) => !p.accepted)).toEqual([]);
  return all.map((p) => pushedSeq(p)!);
}

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
  const vapidKey = await servedVapidKey(baseURL);
  aliceName = uniqueName("alice");
  alice = await people.page("alice", DESKTOP);
  await signUpViaUi(alice, baseURL, aliceName);
  bob = await receiver("bob", vapidKey);
  carol = await receiver("carol", vapidKey);
  group = await createGroupViaUi(alice, groupName, [bob.name, carol.name]);
  for (const r of [bob, carol]) {
    await turnOnNotifications(r);
    await muteAndClose(r);
  }
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

const box = () => alice.getByTestId("composer");

test("a plain message pushes nobody who muted the group; one that mentions Bob reaches both, and only Bob's device shows it", async () => {
  await alice.goto(`${baseURL}/#/c/${group}`);
  await box().waitFor({ timeout: 45_000 });
  await box().click();
  await box().pressSequentially("plain news for the muted");
  await box().press("Enter");
  await expect.poll(() => box().inputValue(), { timeout: 20_000 }).toBe("");
  await box().pressSequentially("@bo");
  await alice.getByTestId("mention-list").waitFor({ timeout: 20_000 });
  await box().press("Enter");
  await box().pressSequentially("are you in?");
  await box().press("Enter");
  await expect.poll(() => box().inputValue(), { timeout: 20_000 }).toBe("");

  // Both muted members' subscriptions get exactly one push: the mention's (the plain one, sent first, never came).
  for (const r of [bob, carol]) await expect.poll(() => pushedSeqs(r), { timeout: 45_000 }).toHaveLength(1);
  const [bobSeq] = await pushedSeqs(bob);
  expect(await pushedSeqs(carol)).toEqual([bobSeq]);

  // Each service worker gets the bytes its own subscription received.
  const [bobPush] = await pushesTo(bob.sub);
  const [carolPush] = await pushesTo(carol.sub);
  await bob.line.deliver(bobPush!.plaintext!);
  await carol.line.deliver(carolPush!.plaintext!);
  const shown = await waitForNotification(bob.watch, group, () => true);
  // The service worker stored the plain message too (it catches the chat up), so both are unread; the
  // notification is the mention's.
  expect(shown).toMatchObject({ title: groupName, body: `2 new messages\n${aliceName} mentioned you: @${bob.name} are you in?`, data: { conversationId: group } });
  // Carol's pushes are handled in order: once a later, unreadable one shows, the mention's was handled.
  await carol.line.deliver("not json");
  await waitForNotification(carol.watch, "sealed-new-message", () => true);
  expect(await notifications(carol.watch, group)).toEqual([]);
});
