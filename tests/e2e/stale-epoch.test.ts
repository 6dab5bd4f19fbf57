// Issue 15: the server stores nothing under an epoch older than a conversation's newest, so a removed
// member, who still holds the old key, reads nothing written after the removal, even a message written
// offline before the writer knew of it. Bob writes while offline; meanwhile Alice removes Carol, which
// makes a new epoch; when Bob is back his message is refused as stale, sealed again under the new epoch
// and delivered once, never shown as failed, and Carol never gets it.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { decodeBundle, decodeEnvelope } from "../../protocol/index.js";
import { sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import { b64url, createGroupViaUi, deviceIdentity, openGroupViaUi, pageFetch, removeMemberViaUi, waitForMembers } from "./group-helpers";
import { shownMessageIds } from "./receipt-helpers";
import { launchBrowser } from "./harness";

const baseURL = inject("baseURL");
let browser: Browser;
const people = ["alice", "bob", "carol"].map((base) => ({ name: uniqueName(base), context: undefined as BrowserContext | undefined, page: undefined as Page | undefined }));
const [alice, bob, carol] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
const page = (p: (typeof people)[0]): Page => p.page!;

beforeAll(async () => {
  browser = await launchBrowser();
  for (const p of people) {
    // No service worker: context.setOffline then cuts every request of the page.
    p.context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
    p.page = await p.context.newPage();
  }
});

afterAll(async () => {
  await browser?.close();
});

test("a message written offline across a removal is sealed again under the new epoch: delivered once, never to the removed member", async () => {
  for (const p of people) await signUpViaUi(page(p), baseURL, p.name);
  const groupName = `Offline ${uniqueName("g")}`;
  const groupId = await createGroupViaUi(page(alice), groupName, [bob.name, carol.name]);
  await openGroupViaUi(page(bob), groupName);
  await openGroupViaUi(page(carol), groupName);
  const written = ["Alice: hello both (stale secret 1)"];
  await sendViaUi(page(alice), written[0]!);
  for (const p of people) await waitForHistory(page(p), written, 30_000);
  const carolIdentity = await deviceIdentity(page(carol));

  // Bob goes offline and writes; his message is sealed at once under the epoch Carol holds.
  await bob.context!.setOffline(true);
  const offline = "Bob: written offline, after Carol left (stale secret 2)";
  await sendViaUi(page(bob), offline);
  await page(bob).getByText("Sending…").waitFor();

  // Meanwhile Alice removes Carol: a new epoch without her.
  await removeMemberViaUi(page(alice), carol.name);
  await waitForMembers(page(alice), [alice.name, bob.name]);

  // Bob is back: the message arrives once, under the new epoch, and is never shown as failed.
  await bob.context!.setOffline(false);
  written.push(offline);
  await waitForHistory(page(bob), written, 60_000);
  await waitForHistory(page(alice), written, 60_000);
  expect(await page(bob).getByTestId("message-failed").count()).toBe(0);

  const e = await pageFetch(page(alice), `/api/conversations/${groupId}/epochs`);
  const m = await pageFetch(page(alice), `/api/conversations/${groupId}/messages?after=0&limit=100`);
  const bundles = new Map((e.body as { epochs: { epoch: number; bundle: string }[] }).epochs.map((x) => [x.epoch, decodeBundle(b64url.decode(x.bundle))]));
  // The messages the chat shows, not the delivered and read marks (issue 17) the server also holds.
  const shown = await shownMessageIds(page(alice));
  const envelopes = (m.body as { messages: { seq: number; envelope: string }[] }).messages.map((x) => decodeEnvelope(b64url.decode(x.envelope))).filter((e) => shown.has(e.header.clientMessageId));
  expect(envelopes).toHaveLength(2);
  const bobs = envelopes[1]!;
  const newest = Math.max(...bundles.keys());
  expect(bobs.header.epoch).toBe(newest);
  expect(bobs.header.epoch).toBeGreaterThan(envelopes[0]!.header.epoch);
  // The epoch Bob's message is under has no key for any device of Carol's.
  expect(bundles.get(newest)!.deviceWraps.map((w) => w.deviceId)).not.toContain(carolIdentity.deviceId);

  // Carol's app never shows it (her reads are refused now; what she had stays).
  await page(carol).waitForTimeout(1500);
  expect(await page(carol).getByTestId("message-text").allTextContents()).not.toContain(offline);
});
