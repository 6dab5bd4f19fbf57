// Issue 18, "What it must show": an upload interrupted and resumed, and the offline queue. Alice's uploads
// (8 MiB parts) meet a dropped part, a tab closed halfway, and a network that is off when she sends; each
// time the upload finishes by itself, parts the server already has are not sent again, and Bob gets the
// file exactly once, byte for byte.
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName } from "./app";
import { attachmentDevice, attachViaUi, countUploadRequests, downloadViaUi, partOf, randomFile, sha256, waitForUploadsDone, type Device } from "./attachment-helpers";
import type { TestFile } from "./compose-helpers";
import { pageFetch } from "./group-helpers";
import { launchBrowser } from "./harness";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const aliceName = uniqueName("up_alice");
const bobName = uniqueName("up_bob");
const errors: string[] = [];
let browser: Browser;

let alice: Device;
let bob: Device;

function watch(name: string, page: Page): Page {
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  return page;
}

beforeAll(async () => {
  browser = await launchBrowser();
  alice = await attachmentDevice(browser, "alice", errors);
  bob = await attachmentDevice(browser, "bob", errors);
  await signUpViaUi(alice.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  await startChatViaUi(alice.page, bobName);
  await sendViaUi(alice.page, "Uploads that get interrupted, first message");
  await openChatViaUi(bob.page, aliceName);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

function file(base: string, size: number): TestFile {
  return { name: `${uniqueName(base)}.bin`, mimeType: "application/octet-stream", bytes: randomFile(size) };
}

/**
 * Bob has exactly one bubble of `f`, and it saves f's bytes. A text Alice sends after her upload finished
 * comes later in the conversation, so once Bob shows it he has every message the upload could have made.
 */
async function bobGotExactlyOnce(f: TestFile): Promise<void> {
  const after = `After ${f.name}, nothing more`;
  await sendViaUi(alice.page, after);
  await expect.poll(() => bob.page.getByTestId("message-text").allTextContents(), { timeout: 60_000 }).toContain(after);
  const bubbles = bob.page.getByTestId("attachment").filter({ has: bob.page.getByTestId("attachment-name").getByText(f.name, { exact: true }) });
  expect(await bubbles.count()).toBe(1);
  expect(await downloadViaUi(bob.page, bubbles)).toEqual({ sha256: sha256(f.bytes), name: f.name });
}

describe("uploads resume", () => {
  test("the PUT of part 2 is dropped once: the upload still completes and Bob gets one message", async () => {
    const counts = countUploadRequests(alice.context);
    let aborted = 0;
    const dropOnce = async (route: Route) => {
      if (route.request().method() === "PUT" && aborted === 0) {
        aborted += 1;
        return route.abort("connectionreset");
      }
      return route.continue();
    };
    const isPart2 = (url: URL) => partOf(url.href)?.n === 2;
    await alice.context.route(isPart2, dropOnce);
    const f = file("dropped-part", 10 * 1000 * 1000);
    await attachViaUi(alice.page, [f]);
    await expect.poll(() => alice.page.getByTestId("attachment-name").getByText(f.name, { exact: true }).count(), { timeout: 180_000 }).toBe(1);
    await waitForUploadsDone(alice.page);
    await alice.context.unroute(isPart2, dropOnce);
    expect(aborted).toBe(1);
    expect(counts.creates).toBe(1);
    // Part 1 went through once; part 2 was sent again after it was dropped.
    expect(counts.puts.get(1)).toBe(1);
    expect(counts.puts.get(2)).toBeGreaterThanOrEqual(2);
    await bobGotExactlyOnce(f);
  }, 300_000);

  test("the tab is closed mid-upload: a new tab resumes it without sending the parts the server has", async () => {
    const counts = countUploadRequests(alice.context);
    // Part 1 goes through; the others wait (a slow network) until the tab has been closed.
    let hold = true;
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let attachmentId: string | undefined;
    const slow = async (route: Route) => {
      const p = partOf(route.request().url());
      if (!p || route.request().method() !== "PUT") return route.continue();
      attachmentId = p.id;
      if (hold && p.n !== 1) await gate;
      // The tab that made the request may be gone by now.
      await route.continue().catch(() => {});
    };
    const isPart = (url: URL) => partOf(url.href) !== undefined;
    await alice.context.route(isPart, slow);
    const f = file("closed-tab", 18 * 1000 * 1000);
    await attachViaUi(alice.page, [f]);
    await expect.poll(() => attachmentId, { timeout: 120_000 }).toBeDefined();
    // The server has part 1 (what it says to the uploader), and not yet the others.
    await expect
      .poll(async () => ((await pageFetch(alice.page, `/api/attachments/${attachmentId}/upload`)).body as { received?: number[] }).received, { timeout: 120_000 })
      .toEqual([1]);
    await alice.page.screenshot({ path: `${SHOTS}/attachments-upload-mid-desktop.png` });
    await alice.page.close();
    hold = false;
    release();

    alice.page = watch("alice, second tab", await alice.context.newPage());
    await alice.page.goto(baseURL);
    await alice.page.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });
    await openChatViaUi(alice.page, bobName);
    await expect.poll(() => alice.page.getByTestId("attachment-name").getByText(f.name, { exact: true }).count(), { timeout: 180_000 }).toBe(1);
    await waitForUploadsDone(alice.page);
    await alice.context.unroute(isPart, slow);
    expect(((await pageFetch(alice.page, `/api/attachments/${attachmentId}/upload`)).body as { complete?: boolean }).complete).toBe(true);
    // One upload, resumed: part 1 was sent once only; parts 2 and 3 were sent (again) by the new tab.
    expect(counts.creates).toBe(1);
    expect(counts.puts.get(1)).toBe(1);
    expect(counts.puts.get(2)).toBeGreaterThanOrEqual(1);
    expect(counts.puts.get(3)).toBeGreaterThanOrEqual(1);
    await bobGotExactlyOnce(f);
  }, 300_000);

  test("offline: the upload waits for the network, then is sent, and Bob gets it once", async () => {
    const counts = countUploadRequests(alice.context);
    await alice.context.setOffline(true);
    const f = file("offline", 300_000);
    await attachViaUi(alice.page, [f]);
    const waiting = alice.page.getByTestId("upload-waiting");
    await waiting.waitFor({ timeout: 60_000 });
    expect(await waiting.textContent()).toContain("Waiting for network…");
    expect(await alice.page.getByTestId("upload").getAttribute("data-state")).toBe("waiting");
    await alice.page.screenshot({ path: `${SHOTS}/attachments-upload-waiting-desktop.png` });
    await alice.context.setOffline(false);
    await expect.poll(() => alice.page.getByTestId("attachment-name").getByText(f.name, { exact: true }).count(), { timeout: 180_000 }).toBe(1);
    await waitForUploadsDone(alice.page);
    expect(counts.creates).toBe(1);
    expect(counts.putsAnswered.get(1)).toBe(1);
    await bobGotExactlyOnce(f);
  }, 300_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
