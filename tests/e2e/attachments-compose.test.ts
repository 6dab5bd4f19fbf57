// Sending attachments as a person does (issue 18, the composer): attach by button, paste, drag and drop,
// remove a staged file, Send (a double click sends once), the upload item's progress until it becomes a
// message bubble, cancelling an upload, and a voice note recorded with Chromium's fake microphone. Alice
// writes on a desktop; Bob's phone only has to exist as her contact (delivery to him is
// attachments-e2e's). Screenshots of the tray, the drop overlay, the recorder and the upload item.
import { mkdirSync } from "node:fs";
import type { Browser, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { attachViaPicker, attachmentKinds, dragFilesOverChat, jpegFile, pasteFiles, patternFile, storedVoiceUploads } from "./compose-helpers";
import { launchBrowser } from "./harness";
import { DESKTOP, PHONE, People } from "./people";
import { rememberSecret } from "./known-secrets";
import { SHOTS } from "./pwa-helpers";

const baseURL = inject("baseURL");
/** PLATFORM.md "MediaRecorder headless": a fake microphone that records audio/webm;codecs=opus. */
const FAKE_MIC = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"];
const PARTS = "**/api/attachments/*/parts/*";

let browser: Browser;
let people: People;
let alice: Page;
const bobName = uniqueName("compose_bob");

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser(FAKE_MIC);
  people = new People(browser);
  const bob = await people.page("bob", PHONE);
  await signUpViaUi(bob, baseURL, bobName);
  alice = await people.page("alice", DESKTOP);
  await signUpViaUi(alice, baseURL, uniqueName("compose_alice"));
  await startChatViaUi(alice, bobName);
}, 120_000);

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

const staged = () => alice.getByTestId("staged-attachment");
const uploads = () => alice.getByTestId("upload");

/** Waits until every upload of the open chat became a message (no upload item left) and `n` bubbles show. */
async function waitForBubbles(n: number): Promise<void> {
  await expect.poll(async () => [await uploads().count(), await alice.getByTestId("attachment").count()], { timeout: 60_000 }).toEqual([0, n]);
}

describe("staging files", () => {
  test("the attach button stages a file: its name and size, the metadata note, a named remove button", async () => {
    const button = alice.getByTestId("attach-button");
    expect(await button.getAttribute("aria-label")).toBe("Attach files");
    expect(await alice.getByTestId("attach-input").getAttribute("multiple")).not.toBeNull();
    await attachViaPicker(alice, [patternFile("notes.txt", 2_500, "text/plain")]);
    await expect.poll(() => staged().count()).toBe(1);
    expect(await staged().textContent()).toContain("notes.txt");
    expect(await staged().textContent()).toContain("2.5 KB");
    expect(await alice.getByTestId("metadata-note").textContent()).toBe("Location and camera details are removed from photos before sending.");
    expect(await alice.getByTestId("staged-remove").getAttribute("aria-label")).toBe("Remove notes.txt");
  });

  test("a pasted photo is staged as a thumbnail next to the file", async () => {
    await pasteFiles(alice, [await jpegFile(alice, "pasted.jpg")]);
    await expect.poll(() => staged().count()).toBe(2);
    const thumb = staged().nth(1).locator("img");
    await expect.poll(() => thumb.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth)).toBe(640);
    expect(await thumb.getAttribute("alt")).toMatch(/^pasted\.jpg, /);
    await alice.screenshot({ path: `${SHOTS}/compose-staged-desktop.png` });
    await alice.setViewportSize(PHONE);
    await alice.getByTestId("attach-button").waitFor();
    await alice.screenshot({ path: `${SHOTS}/compose-staged-phone.png` });
    await alice.setViewportSize(DESKTOP);
  });

  test("files dragged over the chat show the drop overlay; dropped, they are staged", async () => {
    const taken = await dragFilesOverChat(alice, [patternFile("dropped.pdf", 1_200, "application/pdf")], false);
    expect(taken).toBe(true);
    await alice.getByTestId("drop-overlay").waitFor();
    expect(await alice.getByTestId("drop-overlay").textContent()).toContain(`Drop files to send to ${bobName}`);
    await alice.screenshot({ path: `${SHOTS}/compose-drop-overlay.png` });
    await dragFilesOverChat(alice, [patternFile("dropped.pdf", 1_200, "application/pdf")]);
    await expect.poll(() => staged().count()).toBe(3);
    expect(await alice.getByTestId("drop-overlay").count()).toBe(0);
    expect(await staged().nth(2).textContent()).toContain("dropped.pdf");
  });

  test("remove takes one file out of the tray; removing all hides the tray and its note", async () => {
    await alice.getByRole("button", { name: "Remove dropped.pdf" }).click();
    await expect.poll(() => staged().allTextContents()).toHaveLength(2);
    expect((await staged().allTextContents()).join(" ")).not.toContain("dropped.pdf");
    await alice.getByRole("button", { name: "Remove notes.txt" }).click();
    await alice.getByRole("button", { name: "Remove pasted.jpg" }).click();
    await expect.poll(() => alice.getByTestId("staged-attachments").count()).toBe(0);
    expect(await alice.getByTestId("metadata-note").count()).toBe(0);
  });

  test("staged files belong to their chat: another chat's composer starts without them", async () => {
    await attachViaPicker(alice, [patternFile("stays-here.txt", 10, "text/plain")]);
    await expect.poll(() => staged().count()).toBe(1);
    const carol = await people.page("carol", PHONE);
    const carolName = uniqueName("compose_carol");
    await signUpViaUi(carol, baseURL, carolName);
    await startChatViaUi(alice, carolName);
    expect(await staged().count()).toBe(0);
    await alice.getByTestId("conversation-item").filter({ hasText: bobName }).click();
    await alice.getByTestId("chat-title").filter({ hasText: bobName }).waitFor();
    await expect.poll(() => staged().allTextContents()).toEqual([expect.stringContaining("stays-here.txt")]);
    await alice.getByRole("button", { name: "Remove stays-here.txt" }).click();
  }, 60_000);
});

describe("sending", () => {
  test("a double click on Send sends the staged file once, with the box's text as its caption", async () => {
    // The server-blind scan (zz-server-blind.test.ts) looks for the caption in the server's storage.
    rememberSecret("attachment caption", "Only one of these");
    await attachViaPicker(alice, [patternFile("once.bin", 40_000)]);
    await alice.getByTestId("composer").fill("Only one of these");
    await alice.getByTestId("send").dblclick();
    await expect.poll(() => staged().count()).toBe(0);
    expect(await alice.getByTestId("composer").inputValue()).toBe("");
    await waitForBubbles(1);
    expect(await attachmentKinds(alice)).toEqual(["once.bin"]);
    expect(await alice.getByTestId("message-text").allTextContents()).toEqual(["Only one of these"]);
  }, 90_000);

  test("a slowed upload shows its item with a progress bar and Cancel, then becomes a photo bubble", async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await alice.route(PARTS, async (route: Route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await attachViaPicker(alice, [await jpegFile(alice, "slow.jpg", 1200, 900)]);
    await alice.getByTestId("composer").press("Enter");
    await alice.getByTestId("composer").press("Enter");
    const item = uploads().first();
    await item.waitFor();
    const bar = item.getByTestId("upload-progress");
    expect(await bar.getAttribute("role")).toBe("progressbar");
    const now = Number(await bar.getAttribute("aria-valuenow"));
    expect(now).toBeGreaterThanOrEqual(0);
    expect(now).toBeLessThanOrEqual(100);
    expect(await item.getByTestId("upload-cancel").getAttribute("aria-label")).toBe("Cancel upload of slow.jpg");
    // An image upload shows its preview while it goes.
    await expect.poll(() => item.getByTestId("upload-preview").evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0)).toBe(true);
    await alice.screenshot({ path: `${SHOTS}/compose-upload-desktop.png` });
    await alice.setViewportSize(PHONE);
    await alice.screenshot({ path: `${SHOTS}/compose-upload-phone.png` });
    await alice.setViewportSize(DESKTOP);
    expect(await uploads().count()).toBe(1);
    release();
    await waitForBubbles(2);
    expect(await attachmentKinds(alice)).toEqual(["once.bin", "photo"]);
    await alice.unroute(PARTS);
  }, 90_000);

  test("cancelling an upload removes it: no message is sent for it", async () => {
    // Held until the cancel; then any part still held fails, so no request is left pending forever for
    // the tests after this one (a request Playwright holds never times out, unlike a real network's).
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    await alice.route(PARTS, async (route: Route) => {
      await released;
      await route.abort("connectionreset").catch(() => {});
    });
    await attachViaPicker(alice, [patternFile("never.bin", 30_000)]);
    await alice.getByTestId("send").click();
    await uploads().first().waitFor();
    await alice.getByRole("button", { name: "Cancel upload of never.bin" }).click();
    await expect.poll(() => uploads().count()).toBe(0);
    release();
    await alice.unroute(PARTS);
    // A text sent afterwards arrives; the cancelled file never does.
    await sendViaUi(alice, "after the cancel");
    await waitForHistory(alice, ["Only one of these", "after the cancel"]);
    expect(await attachmentKinds(alice)).toEqual(["once.bin", "photo"]);
  }, 90_000);
});

describe("failures", () => {
  const CREATE = "**/api/conversations/*/attachments";

  test("a file the client refuses (empty) comes back to the tray with the reason, and its caption to the box", async () => {
    await attachViaPicker(alice, [patternFile("empty.txt", 0, "text/plain")]);
    await alice.getByTestId("composer").fill("about the empty file");
    await alice.getByTestId("send").click();
    await expect.poll(() => alice.getByTestId("composer-error").textContent()).toBe("That file is empty, so there is nothing to send.");
    await expect.poll(() => staged().allTextContents()).toEqual([expect.stringContaining("empty.txt")]);
    expect(await alice.getByTestId("composer").inputValue()).toBe("about the empty file");
    expect(await uploads().count()).toBe(0);
    await alice.getByRole("button", { name: "Remove empty.txt" }).click();
    await alice.getByTestId("composer").fill("");
  });

  test("a refused upload says why and offers Retry; a dropped connection shows Waiting for network…", async () => {
    await alice.route(CREATE, (route) => route.fulfill({ status: 413, contentType: "application/json", body: JSON.stringify({ error: { code: "quota_exceeded", message: "quota" } }) }));
    await attachViaPicker(alice, [patternFile("refused.bin", 20_000)]);
    await alice.getByTestId("send").click();
    const item = uploads().filter({ hasText: "refused.bin" });
    await expect.poll(() => item.getAttribute("data-state"), { timeout: 60_000 }).toBe("failed");
    expect((await item.getByTestId("upload-error").textContent())?.trim().length).toBeGreaterThan(10);
    expect(await item.getByTestId("upload-retry").isVisible()).toBe(true);
    await alice.screenshot({ path: `${SHOTS}/compose-upload-failed.png` });
    await alice.unroute(CREATE);
    // The network drops at the next try: the item waits for it, saying so.
    await alice.route(PARTS, (route) => route.abort("internetdisconnected"));
    await item.getByTestId("upload-retry").click();
    await expect.poll(() => item.getAttribute("data-state"), { timeout: 30_000 }).toBe("waiting");
    expect(await item.getByTestId("upload-waiting").textContent()).toBe("Waiting for network…");
    await alice.getByRole("button", { name: "Cancel upload of refused.bin" }).click();
    await expect.poll(() => item.count()).toBe(0);
    await alice.unroute(PARTS);
  }, 90_000);
});

describe("voice notes", () => {
  test("a denied microphone says so plainly, and nothing is recorded", async () => {
    await alice.evaluate(() => {
      const original = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException("denied", "NotAllowedError"));
      (window as unknown as { restoreMic: () => void }).restoreMic = () => (navigator.mediaDevices.getUserMedia = original);
    });
    await alice.getByTestId("record-voice").click();
    await expect.poll(() => alice.getByTestId("composer-error").textContent()).toContain("isn't allowed to use the microphone");
    expect(await alice.getByTestId("recording").count()).toBe(0);
    await alice.evaluate(() => (window as unknown as { restoreMic: () => void }).restoreMic());
  });

  test("recording shows the elapsed time; Send sends a voice note whose bubble shows its duration", async () => {
    const record = alice.getByTestId("record-voice");
    expect(await record.getAttribute("aria-label")).toBe("Record a voice message");
    await record.click();
    await alice.getByTestId("recording").waitFor();
    expect(await alice.getByTestId("recording-send").getAttribute("aria-label")).toBe("Send voice message");
    await expect.poll(() => alice.getByTestId("recording-time").textContent(), { timeout: 10_000 }).toBe("0:02");
    await alice.screenshot({ path: `${SHOTS}/compose-recording-desktop.png` });
    // Held at the upload, the stored row shows what was measured: the duration and a waveform of the fake
    // microphone's tone (at most 128 bars, the loudest 255).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await alice.route(PARTS, async (route: Route) => {
      await held;
      await route.continue().catch(() => {});
    });
    await alice.getByTestId("recording-send").click();
    await expect.poll(() => alice.getByTestId("recording").count()).toBe(0);
    await expect.poll(async () => (await storedVoiceUploads(alice)).length).toBe(1);
    const [row] = await storedVoiceUploads(alice);
    expect(row!.mimeType).toBe("audio/webm");
    expect(row!.durationMs).toBeGreaterThanOrEqual(1_500);
    expect(row!.waveform.length).toBeGreaterThan(0);
    expect(row!.waveform.length).toBeLessThanOrEqual(128);
    expect(Math.max(...row!.waveform)).toBe(255);
    release();
    await alice.unroute(PARTS);
    await waitForBubbles(3);
    expect(await attachmentKinds(alice)).toEqual(["once.bin", "photo", "voice"]);
    const duration = await alice.getByTestId("attachment-duration").textContent();
    expect(duration).toMatch(/^0:0[2-4]$/);
  }, 90_000);

  test("Cancel (or Escape) while recording sends nothing", async () => {
    await alice.getByTestId("record-voice").click();
    await alice.getByTestId("recording").waitFor();
    await alice.keyboard.press("Escape");
    await expect.poll(() => alice.getByTestId("recording").count()).toBe(0);
    await alice.getByTestId("record-voice").click();
    await alice.getByTestId("recording-cancel").click();
    await expect.poll(() => alice.getByTestId("recording").count()).toBe(0);
    await sendViaUi(alice, "no voice after this");
    await waitForHistory(alice, ["Only one of these", "after the cancel", "no voice after this"]);
    expect(await attachmentKinds(alice)).toEqual(["once.bin", "photo", "voice"]);
    expect(people.errors).toEqual([]);
  }, 60_000);
});
