// Web Push through the real server (issue 19, the whole chain): Bob turns notifications on in Settings and
// the app's own PUT /api/push/subscription stores his subscription; with his app closed, Alice's message is
// encrypted by the server (RFC 8291), signed for (RFC 8292) and POSTed to the test push service
// (tests/support/push-service.ts, started by global-setup.ts), which checks the VAPID JWT and decrypts
// the body with the subscription's private key; the test hands exactly those bytes to Bob's service
// worker (DevTools ServiceWorker.deliverPushMessage) and reads the notification it shows. Nothing of the
// app or server is intercepted. Only PushManager.subscribe is stubbed (PLATFORM.md "Web Push": a real
// subscribe never reaches a push service offline) to return the push service's subscription.
//
// "No push" is proved against a later push: the push service receives pushes in the order the server
// sends them, so once a later message's push has arrived, an earlier one that had been sent would be there.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { pushPayloadSchema } from "../../protocol/push.js";
import type { ReceivedPush } from "../support/push-service-types.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { People } from "./people";
import { PushLine, closeAllNotifications, newestAfter, observerPage, senderOf, serverMessages, waitForNotification } from "./push-helpers";
import { pushedSeq, pushesTo, servedVapidKey, stubPushManager, subscribeAtPushService, subscribeKeys, waitForPushOf, type ServiceSubscription } from "./push-service-client";
import { SHOTS, waitForServiceWorker, waitForStatus } from "./pwa-helpers";
import { bubble, editViaUi, reactViaUi } from "./rich-helpers";

const baseURL = inject("baseURL");
const pushOrigin = new URL(inject("pushServiceUrl")).origin;
let browser: Browser;
let people: People;
let alice: Page;
let bob: Page;
/** Bob's page on his origin that runs no app (no socket): reads notifications, delivers pushes. */
let watch: Page;
let line: PushLine;
let aliceName: string;
let bobName: string;
let aliceId: string;
let chat: string;
let vapidKey: string;
/** The push service's subscriptions Bob's browser hands out, in order (stubPushManager). */
let first: ServiceSubscription;
let second: ServiceSubscription;

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
  aliceName = uniqueName("alice");
  bobName = uniqueName("bob");
  alice = await people.page("alice");
  bob = await people.page("bob");
  vapidKey = await servedVapidKey(baseURL);
  first = await subscribeAtPushService(vapidKey);
  second = await subscribeAtPushService(vapidKey);
  await bob.context().grantPermissions(["notifications"], { origin: baseURL });
  await stubPushManager(bob, [first, second]);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await waitForServiceWorker(bob, 60_000);
  await startChatViaUi(alice, bobName);
  chat = /#\/c\/([^/?]+)/.exec(alice.url())![1]!;
  watch = await bob.context().newPage();
  await observerPage(watch, baseURL);
  line = await PushLine.open(watch, baseURL);
});

afterAll(async () => {
  expect(people.errors).toEqual([]);
  await people?.close();
  await browser?.close();
});

async function openSettings(): Promise<void> {
  await bob.goto(`${baseURL}/#/settings`);
  await bob.getByTestId("push-settings").waitFor({ timeout: 45_000 });
}

/** Bob's app goes away (the tab leaves its URL): no realtime socket; his service worker stays. */
async function closeBobsApp(): Promise<void> {
  await bob.goto("about:blank");
}

/** Bob opens his app on the chat with Alice and waits for its realtime socket. */
async function openBobsChat(): Promise<void> {
  await bob.goto(`${baseURL}/#/c/${chat}`);
  await openChatViaUi(bob, aliceName);
  await waitForStatus(bob, "online", 45_000);
}

/** Alice sends `text` in the UI; returns the stored message as the server lists it to Bob. */
async function aliceSends(text: string) {
  const before = (await serverMessages(watch, chat)).at(-1)?.seq ?? 0;
  await sendViaUi(alice, text);
  const m = await newestAfter(watch, chat, before, aliceId);
  return m;
}

/** The seqs of Alice's stored messages after `after` (texts, edits, receipts alike). */
async function aliceSeqsAfter(after: number): Promise<number[]> {
  return (await serverMessages(watch, chat)).filter((m) => m.seq > after && senderOf(m) === aliceId).map((m) => m.seq);
}

/** The seqs `sub` was pushed (every push it received decrypted, or this fails with what it got). */
async function pushedSeqs(sub: ServiceSubscription): Promise<number[]> {
  const all = await pushesTo(sub);
  expect(all.filter((p) => !p.accepted)).toEqual([]);
  return all.map((p) => pushedSeq(p)!);
}

/** The seqs of `me`'s posted receipts of `mark` in the chat covering `position` or later, from `page`'s store. */
function sentReceipts(page: Page, conversationId: string, me: string, mark: "delivered" | "read", position: number): Promise<number[]> {
  return page.evaluate(
    async ([id, account, kind, at]) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open("sealed");
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const rows = await new Promise<{ conversationId: string; senderAccountId: string; kindNumber?: number; status: string; seq?: number; receipt?: { mark: string; position: number } }[]>((resolve, reject) => {
        const r = db.transaction("messages").objectStore("messages").getAll();
        r.onsuccess = () => resolve(r.result as never);
        r.onerror = () => reject(r.error);
      });
      db.close();
      return rows
        .filter((m) => m.conversationId === id && m.senderAccountId === account && m.kindNumber === 6 && m.status === "sent" && m.receipt?.mark === kind && m.receipt.position >= at && m.seq !== undefined)
        .map((m) => m.seq!)
        .sort((a, b) => a - b);
    },
    [conversationId, me, mark, position] as const,
  );
}

test("Bob turns notifications on in Settings: the app subscribes with the VAPID key the server serves and the server stores it", async () => {
  await openSettings();
  await expect.poll(() => bob.getByTestId("push-state").textContent(), { timeout: 20_000 }).toBe("Notifications are off for this device");
  await bob.getByRole("button", { name: "Turn on" }).click();
  await expect.poll(() => bob.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are on for this device");
  expect(await subscribeKeys(bob)).toEqual([[...Buffer.from(vapidKey, "base64url")]]);
  await bob.screenshot({ path: `${SHOTS}/push-chain-on.png` });
  await closeBobsApp();
});

let hello: ReceivedPush;
let helloSeq: number;

test("Alice's message to Bob's closed app goes through the server and the push service to his notification", async () => {
  const text = "hello through the push service";
  const m = await aliceSends(text);
  aliceId = senderOf(m);
  helloSeq = m.seq;
  hello = await waitForPushOf(first, m.seq);
  expect(hello.refusal).toBeUndefined();
  expect(hello.accepted).toBe(true);
  // What the push service decrypted is the stored envelope, whole (it fits), as protocol/push.ts says.
  const payload = pushPayloadSchema.parse(JSON.parse(hello.plaintext!));
  expect(payload).toEqual({ v: 1, type: "message", conversationId: chat, seq: m.seq, envelope: m.envelope, receivedAt: m.receivedAt });
  // The ciphertext alone crossed the wire: RFC 8188 aes128gcm with a TTL.
  expect(hello.headers).toMatchObject({ contentEncoding: "aes128gcm", ttl: expect.stringMatching(/^\d+$/) });

  await line.deliver(hello.plaintext!);
  const n = await waitForNotification(watch, chat, (x) => x.body.includes(text));
  expect(n.title).toBe(aliceName);
  expect(n.body).toBe(`${aliceName}: ${text}`);
  expect(n.data).toEqual({ conversationId: chat });
});

test("the VAPID JWT the push service checked was signed with the key GET /api/push/vapid serves", async () => {
  // The push service verified the ES256 signature with k and refused any k other than the subscription's.
  expect(hello.vapidKey).toBe(vapidKey);
  expect(hello.claims?.aud).toBe(pushOrigin);
  expect(hello.claims?.sub).toMatch(/^(mailto:|https:)/);
  expect(hello.claims?.exp).toBeGreaterThan(Date.now() / 1000);
  expect(await pushedSeqs(first)).toEqual([helloSeq]);
});

test("while Bob's app is open (its socket gets the message) the server sends no push", async () => {
  await closeAllNotifications(watch);
  await openBobsChat();
  const seen = await aliceSends("seen in the open app");
  await bob.getByTestId("message-text").filter({ hasText: "seen in the open app" }).waitFor({ timeout: 45_000 });
  await closeBobsApp();
  const later = await aliceSends("after the app closed");
  await waitForPushOf(first, later.seq);
  const pushed = await pushedSeqs(first);
  expect(pushed).not.toContain(seen.seq);
  expect(pushed).toEqual([helloSeq, later.seq]);
});

test("an edit and Alice's read receipt send Bob no push", async () => {
  const before = (await serverMessages(watch, chat)).at(-1)!.seq;
  await editViaUi(alice, bubble(alice, "after the app closed"), "after the app closed, edited");
  const edit = await newestAfter(watch, chat, before, aliceId);
  // Alice leaves the chat; Bob writes while his app is open, then closes it; Alice reads his message, so
  // her app posts a read mark while Bob has no socket.
  await alice.goto(`${baseURL}/#/`);
  await alice.getByTestId("chat-title").waitFor({ state: "detached", timeout: 45_000 });
  await openBobsChat();
  await sendViaUi(bob, "bob writes back");
  await bubble(bob, "bob writes back").and(bob.locator('[data-status="sent"]')).waitFor({ timeout: 45_000 });
  const bobsSeq = (await serverMessages(watch, chat)).filter((m) => senderOf(m) !== aliceId).at(-1)!.seq;
  await closeBobsApp();
  await openChatViaUi(alice, bobName);
  await bubble(alice, "bob writes back").waitFor({ timeout: 45_000 });
  let readMark: number | undefined;
  await expect.poll(async () => (readMark = (await sentReceipts(alice, chat, aliceId, "read", bobsSeq)).at(-1)), { timeout: 45_000 }).toBeDefined();
  const later = await aliceSends("after the edit and the receipt");
  await waitForPushOf(first, later.seq);
  const silent = (await aliceSeqsAfter(before)).filter((s) => s !== later.seq);
  expect(silent).toContain(edit.seq);
  expect(silent).toContain(readMark);
  const pushed = await pushedSeqs(first);
  for (const s of silent) expect(pushed).not.toContain(s);
  expect(pushed.at(-1)).toBe(later.seq);
});

test("a reaction to Bob's message is pushed, and his notification says who reacted to what", async () => {
  await closeAllNotifications(watch);
  const before = (await serverMessages(watch, chat)).at(-1)!.seq;
  await reactViaUi(alice, bubble(alice, "bob writes back"), "👍");
  const reaction = await newestAfter(watch, chat, before, aliceId);
  const p = await waitForPushOf(first, reaction.seq);
  expect(pushPayloadSchema.parse(JSON.parse(p.plaintext!))).toMatchObject({ type: "message", seq: reaction.seq, envelope: reaction.envelope });
  await line.deliver(p.plaintext!);
  const n = await waitForNotification(watch, chat, (x) => x.body.includes("reacted"));
  expect(n.body).toContain(`${aliceName} reacted 👍 to: bob writes back`);
});

test("a chat Bob muted in the UI gets no push until he unmutes it", async () => {
  await openBobsChat();
  await bob.getByRole("button", { name: "Mute notifications" }).click();
  await bob.getByRole("button", { name: "Unmute notifications" }).waitFor({ timeout: 45_000 });
  await closeBobsApp();
  const muted = await aliceSends("words in a muted chat");

  await openBobsChat();
  await bob.getByRole("button", { name: "Unmute notifications" }).click();
  await bob.getByRole("button", { name: "Mute notifications" }).waitFor({ timeout: 45_000 });
  await closeBobsApp();
  const later = await aliceSends("after unmuting");
  await waitForPushOf(first, later.seq);
  const pushed = await pushedSeqs(first);
  expect(pushed).not.toContain(muted.seq);
  expect(pushed.at(-1)).toBe(later.seq);
});

test("Turn off in Settings deletes the subscription on the server: a later message is pushed nowhere", async () => {
  await openSettings();
  await expect.poll(() => bob.getByTestId("push-state").textContent(), { timeout: 20_000 }).toBe("Notifications are on for this device");
  await bob.getByRole("button", { name: "Turn off" }).click();
  await expect.poll(() => bob.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are off for this device");
  await closeBobsApp();
  const pushedBefore = await pushedSeqs(first);
  const off = await aliceSends("while notifications are off");

  // On again: the browser hands out a new subscription, which the server stores in place of none.
  await openSettings();
  await bob.getByRole("button", { name: "Turn on" }).click();
  await expect.poll(() => bob.getByTestId("push-state").textContent(), { timeout: 45_000 }).toBe("Notifications are on for this device");
  await closeBobsApp();
  const later = await aliceSends("notifications back on");
  await waitForPushOf(second, later.seq);
  expect(await pushedSeqs(second)).toEqual([later.seq]);
  expect(await pushedSeqs(first)).toEqual(pushedBefore);
  expect(pushedBefore).not.toContain(off.seq);
});
