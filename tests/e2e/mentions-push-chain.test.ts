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
import { launchBrowser } from "./harness";
import { mutedGroup, type Receiver } from "./mention-helpers";
import { People } from "./people";
import { notifications, waitForNotification } from "./push-helpers";
import { pushedSeq, pushesTo, servedVapidKey, subscribeAtPushService, type ServiceSubscription } from "./push-service-client";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
let alice: Page;
let aliceName: string;
let group: string;
const groupName = `Muted club ${Math.random().toString(36).slice(2, 6)}`;
let bob: Receiver;
let carol: Receiver;
let bobSub: ServiceSubscription;
let carolSub: ServiceSubscription;

/** The seqs `sub` was pushed, every push checked (VAPID, decryption) by the service. */
async function pushedSeqs(sub: ServiceSubscription): Promise<number[]> {
  const all = await pushesTo(sub);
  expect(all.filter((p) => !p.accepted)).toEqual([]);
  return all.map((p) => pushedSeq(p)!);
}

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
  const vapidKey = await servedVapidKey(baseURL);
  bobSub = await subscribeAtPushService(vapidKey);
  carolSub = await subscribeAtPushService(vapidKey);
  ({ alice, aliceName, group, bob, carol } = await mutedGroup(people, baseURL, groupName, [bobSub, carolSub]));
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
  for (const sub of [bobSub, carolSub]) await expect.poll(() => pushedSeqs(sub), { timeout: 45_000 }).toHaveLength(1);
  const [bobSeq] = await pushedSeqs(bobSub);
  expect(await pushedSeqs(carolSub)).toEqual([bobSeq]);

  // Each service worker gets the bytes its own subscription received.
  const [bobPush] = await pushesTo(bobSub);
  const [carolPush] = await pushesTo(carolSub);
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
