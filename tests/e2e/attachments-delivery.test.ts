// Issue 18, "What it must show": a photo, a 20 MB file and a voice note (fake microphone) sent by Alice
// through the composer, opened by Bob and then by a device Bob links afterwards. The photo left Alice's
// device with its Exif (a location marker) stripped: the full-size image Bob opens is a JPEG without it.
// The file Bob saves has the exact bytes Alice picked. The voice note shows its duration and plays.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { attachmentDevice, attachViaUi, downloadViaUi, jpegWithExif, lightboxBytes, playVoiceViaUi, randomFile, recordVoiceViaUi, sha256, storedAttachments, waitForUploadsDone, type Device } from "./attachment-helpers";
import { fakeMediaArgs, launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { linkViaPaste } from "./rich-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const aliceName = uniqueName("att_alice");
const bobName = uniqueName("att_bob");
const marker = `GPS 48.8584N 2.2945E ${uniqueName("exif")}`;
const photoName = uniqueName("eiffel") + ".jpg";
const bigName = uniqueName("dataset") + ".bin";
const caption = uniqueName("Caption: the view from the top");
const big = randomFile(20 * 1000 * 1000);
const errors: string[] = [];
let browser: Browser;

let alice: Device;
let bob: Device;
let bobLaptop: Device;


beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser(fakeMediaArgs);
  alice = await attachmentDevice(browser, "alice", errors);
  bob = await attachmentDevice(browser, "bob", errors);
  bobLaptop = await attachmentDevice(browser, "bob laptop", errors);
  await signUpViaUi(alice.page, baseURL, aliceName);
  await signUpViaUi(bob.page, baseURL, bobName);
  rememberSecret("exif marker", marker);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

/** Opens the photo, the big file and the voice note on `page` and checks each (see the file's header). */
async function openAllThree(page: Page): Promise<void> {
  await openChatViaUi(page, aliceName);
  const bubbles = page.getByTestId("attachment");
  await expect.poll(() => bubbles.count(), { timeout: 60_000 }).toBe(3);

  const photo = bubbles.filter({ has: page.getByTestId("attachment-image") });
  const jpeg = await lightboxBytes(page, photo);
  expect([jpeg[0], jpeg[1], jpeg[jpeg.length - 2], jpeg[jpeg.length - 1]]).toEqual([0xff, 0xd8, 0xff, 0xd9]);
  expect(jpeg.includes(Buffer.from(marker, "ascii"))).toBe(false);
  expect(jpeg.includes(Buffer.from("Exif\0\0", "ascii"))).toBe(false);
  expect(await page.getByTestId("message-text").allTextContents()).toContain(caption);

  const file = bubbles.filter({ has: page.getByTestId("attachment-name").getByText(bigName, { exact: true }) });
  expect(await file.getByTestId("attachment-size").textContent()).toBe("20 MB");
  const saved = await downloadViaUi(page, file);
  expect(saved).toEqual({ sha256: sha256(big), name: bigName });

  const voice = bubbles.filter({ has: page.getByTestId("attachment-voice") });
  expect(await voice.getByTestId("attachment-duration").textContent()).toMatch(/^0:0[2-9]$/);
  await playVoiceViaUi(voice);
}

describe("attachments sent through the UI", () => {
  test("Alice sends a photo with Exif, a 20 MB file and a voice note; Bob opens all three", async () => {
    await startChatViaUi(alice.page, bobName);
    await sendViaUi(alice.page, "Files coming, attachments delivery test");
    const photo = await jpegWithExif(alice.page, photoName, marker);
    expect(Buffer.from(photo.bytes).includes(Buffer.from(marker, "ascii"))).toBe(true);
    await attachViaUi(alice.page, [photo], {
      caption,
      whileStaged: async () => {
        expect(await alice.page.getByTestId("metadata-note").textContent()).toContain("Location and camera details are removed from photos before sending.");
        await alice.page.screenshot({ path: `${SHOTS}/attachments-staged-desktop.png` });
      },
    });
    await attachViaUi(alice.page, [{ name: bigName, mimeType: "application/octet-stream", bytes: big }]);
    await recordVoiceViaUi(alice.page, 2);
    await alice.page.screenshot({ path: `${SHOTS}/attachments-uploading-desktop.png` });
    await waitForUploadsDone(alice.page);
    await expect.poll(() => alice.page.getByTestId("attachment").count(), { timeout: 30_000 }).toBe(3);
    // The files were sealed and opened in the app's chunk workers (allowed by its CSP and Trusted Types), not on the page's thread.
    expect(alice.page.workers().map((w) => new URL(w.url()).pathname)).toContainEqual(expect.stringMatching(/^\/assets\/chunk-worker-[\w-]+\.js$/));

    await openAllThree(bob.page);
    expect(bob.page.workers().map((w) => new URL(w.url()).pathname)).toContainEqual(expect.stringMatching(/^\/assets\/chunk-worker-[\w-]+\.js$/));
    await bob.page.screenshot({ path: `${SHOTS}/attachments-received-desktop.png` });
    // What Alice's app made itself, for the server-blind scan: the photo's thumbnail and the voice note's name.
    const stored = await storedAttachments(bob.page);
    expect(stored.map((a) => a.type).sort()).toEqual(["file", "image", "voice"]);
    const preview = stored.find((a) => a.type === "image")?.preview;
    expect(preview?.length).toBeGreaterThan(100);
    rememberSecret("image preview", preview!);
    rememberSecret("attachment name (voice)", stored.find((a) => a.type === "voice")!.name);
  }, 300_000);

  test("a device Bob links afterwards opens all three the same way", async () => {
    await linkViaPaste(bob.page, bobLaptop.page, baseURL, bobName);
    await openAllThree(bobLaptop.page);
    // Alice's own text still reads as sent on the new device: the history came with the link.
    await waitForHistory(bobLaptop.page, ["Files coming, attachments delivery test", caption], 60_000);
  }, 300_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
