// Attachment messages as the receiver sees them (issue 18, the read side). First before any download: Bob's app
// sends a photo (with a real JPEG preview), a file and a voice note, sealed with his real device key and
// posted through the real server. Alice's app shows each as its bubble: the photo's preview at once in a
// box of its proportions, the file's name and size with a Download button, the voice note's duration; the
// chat list names the last one; nothing fails the page's CSP. The blobs themselves were never uploaded, so
// Download ends in the refusal people see, never a file.
import { mkdirSync, readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { AttachmentId, type KnownContent } from "../../protocol/index.js";
import { openChatViaUi, signUpViaUi, uniqueName } from "./app";
import { sealed, upload } from "./attachment-helpers";
import { launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { ApiContact, nodeApi } from "./link-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
});

const common = (n: number) => ({ sentAt: Date.now(), id: AttachmentId.fromBytes(new Uint8Array(16).fill(n)), key: new Uint8Array(32).fill(n), digest: new Uint8Array(32).fill(n), caption: "" });

test("a photo, a file and a voice note show as their bubbles before anything is downloaded", async () => {
  const alice = uniqueName("att_alice");
  await signUpViaUi(page, baseURL, alice);
  // A real 64 x 48 JPEG made by the browser, as a sender's thumbnail would be.
  const preview = Uint8Array.from(
    await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(64, 48);
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#3a7";
      g.fillRect(0, 0, 64, 48);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg" })).arrayBuffer())];
    }),
  );
  const bob = await ApiContact.create(nodeApi(baseURL), "att_bob");
  await bob.newEpoch(alice);
  const photo: KnownContent = { kind: "attachment", ...common(1), type: "image", mimeType: "image/jpeg", name: "beach.jpg", size: 2_400_000, width: 4000, height: 3000, preview, caption: "Look at this" };
  const file: KnownContent = { kind: "attachment", ...common(2), type: "file", mimeType: "application/pdf", name: "report.pdf", size: 1_234_567 };
  const voice: KnownContent = { kind: "attachment", ...common(3), type: "voice", mimeType: "audio/webm", name: "voice.webm", size: 41_000, durationMs: 4_200, waveform: new Uint8Array(8) };
  // The server-blind scan (zz-server-blind.test.ts) looks for each of these in the server's storage, R2 included.
  for (const v of ["beach.jpg", "Look at this", "report.pdf", "voice.webm"]) rememberSecret("attachment name or caption", v);
  rememberSecret("image preview", preview);
  for (const body of [photo, file, voice]) await bob.sendContent(body);

  await openChatViaUi(page, bob.username);
  await expect.poll(() => page.getByTestId("attachment").count(), { timeout: 20_000 }).toBe(3);
  // The photo: its preview decoded at once, in a 280 x 210 box (4000 x 3000 scaled), labelled, with its caption.
  const img = page.getByTestId("attachment-preview");
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth)).toBe(64);
  expect(await img.evaluate((el) => [el.getBoundingClientRect().width, el.getBoundingClientRect().height])).toEqual([280, 210]);
  expect(await page.getByTestId("attachment-image").getAttribute("aria-label")).toBe("Photo beach.jpg, 4000 by 3000. Open full size");
  expect(await page.getByTestId("message-text").allTextContents()).toEqual(["Look at this"]);
  // The file: name, size, a Download button named for screen readers.
  expect(await page.getByTestId("attachment-name").textContent()).toBe("report.pdf");
  expect(await page.getByTestId("attachment-size").textContent()).toBe("1.2 MB");
  expect(await page.getByTestId("attachment-download").getAttribute("aria-label")).toBe("Download report.pdf, 1.2 MB");
  // The voice note: its duration and a play button.
  expect(await page.getByTestId("attachment-duration").textContent()).toBe("0:04");
  expect(await page.getByTestId("attachment-play").getAttribute("aria-label")).toBe("Play voice message, 0:04");
  // The chat list's line is the last one.
  await expect.poll(() => page.getByTestId("conversation-item").filter({ hasText: bob.username }).textContent()).toContain("Voice message");
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/attachment-bubbles-desktop.png` });
  // The same bubbles at phone width: they fit the narrow chat and keep their controls.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId("attachment-download").waitFor();
  await page.screenshot({ path: `${SHOTS}/attachment-bubbles-phone.png` });
  await page.setViewportSize({ width: 1280, height: 800 });

  // Reachable by keyboard: focus the Download button and press Enter. No blob was uploaded, so the
  // server has none to give: the bubble says so, and no file is saved.
  const downloads: unknown[] = [];
  page.on("download", (d) => downloads.push(d));
  await page.getByTestId("attachment-download").focus();
  await page.keyboard.press("Enter");
  await expect.poll(() => page.getByTestId("attachment-error").textContent(), { timeout: 20_000 }).toMatch(/no longer available|couldn't be opened/);
  expect(downloads).toEqual([]);
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
}, 120_000);

test("files uploaded to the server open: a download saves the exact bytes, a photo opens in the lightbox, a changed blob is refused", async () => {
  // A browser of its own: the first test's already holds an account.
  await context.close();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  const alice = uniqueName("att_alice2");
  await signUpViaUi(page, baseURL, alice);
  const jpeg = Uint8Array.from(
    await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(320, 240);
      const g = canvas.getContext("2d")!;
      g.fillStyle = "#a37";
      g.fillRect(0, 0, 320, 240);
      return [...new Uint8Array(await (await canvas.convertToBlob({ type: "image/jpeg" })).arrayBuffer())];
    }),
  );
  const bob = await ApiContact.create(nodeApi(baseURL), "att_bob2");
  await bob.newEpoch(alice);
  const pdf = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
  const doc = await sealed(pdf);
  const photo = await sealed(jpeg);
  const changed = await sealed(pdf, (b) => void (b[70_000] = (b[70_000] ?? 0) ^ 1));
  for (const v of ["minutes.pdf", "changed.pdf"]) rememberSecret("attachment name", v);
  for (const k of [doc.key, photo.key, changed.key]) rememberSecret("attachment key", k);
  rememberSecret("attachment plaintext", pdf.subarray(100_000, 100_064));
  rememberSecret("attachment plaintext (image)", jpeg.subarray(jpeg.length - 64));
  const at = Date.now();
  await bob.sendContent({ kind: "attachment", sentAt: at, id: await upload(bob, doc.blob), key: doc.key, size: doc.size, digest: doc.digest, type: "file", mimeType: "application/pdf", name: "minutes.pdf", caption: "" });
  await bob.sendContent({ kind: "attachment", sentAt: at, id: await upload(bob, photo.blob), key: photo.key, size: photo.size, digest: photo.digest, type: "image", mimeType: "image/jpeg", name: "red.jpg", caption: "", width: 320, height: 240, preview: jpeg.slice(0, 0) });
  await bob.sendContent({ kind: "attachment", sentAt: at, id: await upload(bob, changed.blob), key: changed.key, size: changed.size, digest: changed.digest, type: "file", mimeType: "application/pdf", name: "changed.pdf", caption: "" });

  await openChatViaUi(page, bob.username);
  await expect.poll(() => page.getByTestId("attachment").count(), { timeout: 20_000 }).toBe(3);
  const [file, , bad] = await page.getByTestId("attachment").all();

  // The file: Download saves exactly the bytes Bob encrypted, under its name.
  const saved = page.waitForEvent("download");
  await file!.getByTestId("attachment-download").click();
  const download = await saved;
  expect(download.suggestedFilename()).toBe("minutes.pdf");
  const path = await download.path();
  expect(new Uint8Array(readFileSync(path))).toEqual(pdf);

  // The photo (no preview: a reserved empty box): a click opens the full image in a dialog; Escape closes it.
  await page.getByTestId("attachment-image").click();
  const full = page.getByTestId("lightbox-image");
  await expect.poll(() => full.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth), { timeout: 20_000 }).toBe(320);
  expect(await page.getByTestId("lightbox").evaluate((d) => (d as HTMLDialogElement).open)).toBe(true);
  await page.keyboard.press("Escape");
  await expect.poll(() => page.getByTestId("lightbox").evaluate((d) => (d as HTMLDialogElement).open)).toBe(false);

  // The blob changed on the server: refused with the sentence people see, and nothing saved.
  let more = 0;
  page.on("download", () => more++);
  await bad!.getByTestId("attachment-download").click();
  await expect.poll(() => bad!.getByTestId("attachment-error").textContent(), { timeout: 20_000 }).toBe("This file was changed on the server and can't be opened.");
  expect(more).toBe(0);
  await page.screenshot({ path: `${SHOTS}/attachment-opened-desktop.png` });
  expect(errors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
}, 120_000);
