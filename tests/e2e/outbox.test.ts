// The outbox end to end: messages written offline are sealed at once, shown as pending, survive a
// reload and a browser restart, and reach the other side in order, exactly once, when the network
// returns; a send whose response is lost is retried and still stored once.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { decodeEnvelope, fromBase64url } from "../../protocol/index.js";
import { deviceIdentity } from "./group-helpers";
import { SHOTS, openProfile, pendingTexts, waitForServiceWorker, waitForStatus, type Browser1 } from "./pwa-helpers";

const baseURL = inject("baseURL");
const dirs = [mkdtempSync(join(tmpdir(), "sealed-out-a-")), mkdtempSync(join(tmpdir(), "sealed-out-b-"))];
let alice: Browser1;
let bob: Browser1;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const history: string[] = [];

/**
 * How many messages of Alice's the server stores for the chat open in `page` (its list endpoint, all
 * pages). Only hers: Bob's devices post delivered and read marks (issue 17), envelopes too; every text in
 * `history` is Alice's, so a duplicate of any of them still shows here.
 */
async function serverCount(page: Page): Promise<number> {
  const id = new URL(page.url()).hash.replace("#/c/", "");
  const aliceId = (await deviceIdentity(alice.page)).accountId;
  const envelopes = await page.evaluate(async (conv) => {
    let after = 0;
    const out: string[] = [];
    for (;;) {
      const r = await fetch(`/api/conversations/${conv}/messages?after=${after}&limit=500`);
      const body = (await r.json()) as { messages: { seq: number; envelope: string }[]; more: boolean };
      out.push(...body.messages.map((m) => m.envelope));
      after = body.messages.at(-1)?.seq ?? after;
      if (!body.more) return out;
    }
  }, id);
  return envelopes.filter((e) => decodeEnvelope(fromBase64url(e)).header.senderAccountId === aliceId).length;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  alice = await openProfile(dirs[0]!);
  bob = await openProfile(dirs[1]!, { width: 390, height: 844 });
  await signUpViaUi(alice.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  await startChatViaUi(alice.page, bobName);
  await sendViaUi(alice.page, "hello before going offline");
  history.push("hello before going offline");
  await openChatViaUi(bob.page, aliceName);
  await waitForHistory(bob.page, history);
  await waitForServiceWorker(alice.page);
});

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("the outbox", () => {
  test("three messages written offline are pending, survive a reload and a restart, then arrive once and in order", async () => {
    const offline = ["offline one", "offline two — ünïcödé", "offline three"];
    await alice.context.setOffline(true);
    await waitForStatus(alice.page, "offline");
    for (const t of offline) await sendViaUi(alice.page, t);
    expect(await pendingTexts(alice.page)).toEqual(offline);
    expect(await alice.page.getByTestId("message-pending").count()).toBe(3);
    await alice.page.screenshot({ path: `${SHOTS}/outbox-pending.png` });

    // Still offline: a reload, then a full browser restart, keep the pending messages.
    await alice.page.reload();
    await openChatViaUi(alice.page, bobName);
    await expect.poll(() => pendingTexts(alice.page)).toEqual(offline);
    await alice.context.close();
    alice = await openProfile(dirs[0]!);
    await alice.context.setOffline(true);
    await alice.page.goto(baseURL);
    await openChatViaUi(alice.page, bobName);
    await expect.poll(() => pendingTexts(alice.page)).toEqual(offline);
    // Bob has seen none of them.
    expect(await messageTexts(bob.page)).toEqual(history);

    // Back online: Bob's page, open all along, shows all three, in order, once.
    await alice.context.setOffline(false);
    history.push(...offline);
    await waitForHistory(bob.page, history, 30_000);
    await waitForHistory(alice.page, history, 30_000);
    // Give any duplicate a chance to show up before checking there is none.
    await bob.page.waitForTimeout(2000);
    expect(await messageTexts(bob.page)).toEqual(history);
    expect(await serverCount(bob.page)).toBe(history.length);
    await bob.page.screenshot({ path: `${SHOTS}/outbox-received-phone.png` });
  });

  test("a send whose response was lost is retried and stored exactly once", async () => {
    // Alice's realtime socket is refused, so the echo of her own message cannot settle it first: the
    // outbox itself must retry, and the server answers the retry as a duplicate.
    await alice.page.routeWebSocket(/\/api\/realtime$/, (ws) => ws.close());
    await alice.page.reload();
    await openChatViaUi(alice.page, bobName);
    const posts: Array<{ status: number; body: string }> = [];
    let dropped = false;
    await alice.page.route(/\/api\/conversations\/[^/]+\/messages$/, async (route) => {
      if (route.request().method() !== "POST") return route.continue();
      const response = await route.fetch();
      const body = await response.text();
      posts.push({ status: response.status(), body });
      if (!dropped) {
        dropped = true;
        return route.abort("connectionreset"); // the server stored it; the page never hears back
      }
      return route.fulfill({ response, body });
    });
    const text = "the answer to this one gets lost";
    await sendViaUi(alice.page, text);
    history.push(text);
    await waitForHistory(alice.page, history, 30_000);
    await waitForHistory(bob.page, history, 30_000);
    await bob.page.waitForTimeout(2000);
    expect(await messageTexts(bob.page)).toEqual(history);
    expect(await messageTexts(alice.page)).toEqual(history);
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(posts[0]!.status).toBe(201);
    expect(JSON.parse(posts[1]!.body)).toMatchObject({ duplicate: true, seq: JSON.parse(posts[0]!.body).seq });
    expect(await serverCount(bob.page)).toBe(history.length);
    await alice.page.unrouteAll({ behavior: "ignoreErrors" });
  });

  test("a message the server refuses shows 'Not sent' with Retry, and Retry sends it once", async () => {
    let refused = false;
    await alice.page.route(/\/api\/conversations\/[^/]+\/messages$/, async (route) => {
      if (route.request().method() !== "POST" || refused) return route.continue();
      refused = true;
      // A refusal for good: these bytes are never stored (the request does not even reach the server).
      return route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: { code: "invalid_envelope", message: "refused in a test" } }) });
    });
    const text = "refused the first time";
    await sendViaUi(alice.page, text);
    const failed = alice.page.locator('[data-testid="message"][data-status="failed"]');
    await failed.waitFor();
    expect(await failed.getByTestId("message-text").textContent()).toBe(text);
    expect(await failed.getByTestId("message-failed").textContent()).toBe("Not sent");
    await alice.page.screenshot({ path: `${SHOTS}/outbox-failed.png` });
    // The queue is not blocked: a later message still goes out.
    await sendViaUi(alice.page, "sent while the other one waits");
    await waitForHistory(bob.page, [...history, "sent while the other one waits"], 30_000);
    await failed.getByRole("button", { name: "Retry" }).click();
    history.push("sent while the other one waits", text);
    await waitForHistory(alice.page, history, 30_000);
    await waitForHistory(bob.page, history, 30_000);
    await bob.page.waitForTimeout(1500);
    expect(await messageTexts(bob.page)).toEqual(history);
    expect(await serverCount(bob.page)).toBe(history.length);
    // Bob is told honestly that one message of Alice's chain never arrived.
    expect(await bob.page.getByTestId("gap").count()).toBe(1);
    await alice.page.unrouteAll({ behavior: "ignoreErrors" });
  });

  test("a stalled outbox registers Background Sync, and the worker's sync event makes the page flush", async () => {
    await alice.context.setOffline(true);
    await waitForStatus(alice.page, "offline");
    const text = "sent after a sync event";
    await sendViaUi(alice.page, text);
    await expect.poll(() => pendingTexts(alice.page)).toEqual([text]);
    const tags = () => alice.page.evaluate(async () => {
      const reg = (await navigator.serviceWorker.ready) as ServiceWorkerRegistration & { sync?: { getTags(): Promise<string[]> } };
      return (await reg.sync?.getTags()) ?? [];
    });
    await expect.poll(tags).toContain("sealed-outbox");
    await alice.page.evaluate(() => {
      const w = window as unknown as { flushRequests: number };
      w.flushRequests = 0;
      navigator.serviceWorker.addEventListener("message", (e) => {
        if ((e.data as { type?: string } | null)?.type === "flush-outbox") w.flushRequests++;
      });
    });
    await alice.context.setOffline(false);
    // Fire the sync event ourselves (Chromium fires it too once it sees the network, on its own schedule).
    const cdp = await alice.context.newCDPSession(alice.page);
    const registered = new Promise<string>((ok) =>
      cdp.on("ServiceWorker.workerRegistrationUpdated", (e: { registrations: Array<{ registrationId: string; isDeleted: boolean }> }) => {
        const live = e.registrations.find((r) => !r.isDeleted);
        if (live) ok(live.registrationId);
      }),
    );
    await cdp.send("ServiceWorker.enable");
    await cdp.send("ServiceWorker.dispatchSyncEvent", { origin: baseURL, registrationId: await registered, tag: "sealed-outbox", lastChance: false });
    await expect.poll(() => alice.page.evaluate(() => (window as unknown as { flushRequests: number }).flushRequests)).toBeGreaterThan(0);
    await cdp.detach();
    history.push(text);
    await waitForHistory(bob.page, history, 30_000);
    await waitForHistory(alice.page, history, 30_000);
  });

  test("no page errors were thrown", () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
