// Attachments in the e2e tests (issue 18): blobs sealed and uploaded at protocol level (a sender in the API,
// or one who lies), files sent through the composer as a person does, and what the receiver's bubbles open.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { expect, inject } from "vitest";
import { createAttachmentResponse } from "../../protocol/api.js";
import {
  ATTACHMENT_HEADER_BYTES,
  AttachmentDigest,
  AttachmentId,
  FULL_CHUNK_CIPHERTEXT_BYTES,
  createAttachmentEncryptor,
  cryptoEnvFrom,
  generateAttachmentKey,
} from "../../protocol/index.js";
import { attachViaPicker, jpegFile, type TestFile } from "./compose-helpers";
import { rememberSecret } from "./known-secrets";
import type { ApiContact } from "./link-helpers";

const env = cryptoEnvFrom(globalThis.crypto);

export interface Device {
  context: BrowserContext;
  page: Page;
}

/**
 * One person's browser for the attachment tests: no service worker (so the context's routes see every
 * request), downloads accepted, object URLs' Blobs kept (keepObjectUrlBlobs), page errors pushed to
 * `errors` under `name`, and element waits of up to 120 s (two cores shared with other work).
 */
export async function attachmentDevice(browser: Browser, name: string, errors: string[]): Promise<Device> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block", acceptDownloads: true });
  context.setDefaultTimeout(120_000);
  await keepObjectUrlBlobs(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => errors.push(`${name}: ${e.message}`));
  return { context, page };
}

export interface SealedBlob {
  key: Uint8Array;
  blob: Uint8Array;
  size: number;
  digest: Uint8Array;
}

/** Encrypts `plain` as a sender does; `tamper` changes the blob before it is uploaded (a server that altered it). */
export async function sealed(plain: Uint8Array, tamper?: (blob: Uint8Array) => void): Promise<SealedBlob> {
  const key = generateAttachmentKey(env);
  const enc = await createAttachmentEncryptor(env, key);
  const out = await enc.push(plain.slice());
  const last = await enc.final();
  const blob = concat([...out, ...last.ciphertext]);
  tamper?.(blob);
  return { key, blob, size: last.plainSize, digest: last.digest };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  parts.reduce((at, p) => (out.set(p, at), at + p.length), 0);
  return out;
}

/** A blob's header and its chunks' ciphertexts (docs/PROTOCOL.md "Attachment"). */
export function splitBlob(blob: Uint8Array): { header: Uint8Array; chunks: Uint8Array[] } {
  const chunks: Uint8Array[] = [];
  for (let at = ATTACHMENT_HEADER_BYTES; at < blob.length; at += FULL_CHUNK_CIPHERTEXT_BYTES) chunks.push(blob.slice(at, at + FULL_CHUNK_CIPHERTEXT_BYTES));
  return { header: blob.slice(0, ATTACHMENT_HEADER_BYTES), chunks };
}

/** The digest a message would name for `blob` as it is: what a lying sender signs for a blob it altered. */
export async function digestOf(blob: Uint8Array): Promise<Uint8Array> {
  const { header, chunks } = splitBlob(blob);
  const d = await AttachmentDigest.start(env, header);
  await d.add(chunks);
  return d.value;
}

/** An uploader's upload through the real routes (docs/API.md "Attachments"): create, one part, complete. */
export async function upload(sender: ApiContact, blob: Uint8Array): Promise<AttachmentId> {
  const baseURL = inject("baseURL");
  const conversationId = sender.conversationId!;
  const created = await sender.api.call("POST", `/api/conversations/${conversationId}/attachments`, { cookie: sender.me.cookie, json: { size: blob.length } });
  expect(created.status).toBe(201);
  const { id, parts } = createAttachmentResponse.parse(await created.json());
  expect(parts).toBe(1);
  const put = await fetch(`${baseURL}/api/attachments/${id}/parts/1`, { method: "PUT", headers: { Origin: baseURL, Cookie: sender.me.cookie }, body: blob.slice() });
  expect(put.status).toBe(200);
  expect((await sender.api.call("POST", `/api/attachments/${id}/complete`, { cookie: sender.me.cookie })).status).toBe(200);
  return id;
}

/** `n` random bytes (crypto.getRandomValues fills at most 64 KiB at a time). */
export function randomFile(n: number): Buffer {
  const out = Buffer.alloc(n);
  for (let at = 0; at < n; at += 65_536) globalThis.crypto.getRandomValues(out.subarray(at, Math.min(n, at + 65_536)));
  return out;
}

export function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * A real JPEG made by the page's own encoder (compose-helpers jpegFile), with an APP1 Exif segment spliced
 * in right after SOI: a TIFF whose one IFD entry (ImageDescription) holds `marker`, as a camera's GPS
 * block would hold a location. Orientation is absent (1), so the photo needs no turning.
 */
export async function jpegWithExif(page: Page, name: string, marker: string): Promise<TestFile> {
  const jpeg = Buffer.from((await jpegFile(page, name)).bytes);
  expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
  const text = Buffer.concat([Buffer.from(marker, "ascii"), Buffer.of(0)]);
  // TIFF, big-endian: "MM", 42, IFD0 at 8; one entry: tag 0x010E, type 2 (ASCII), count, value at 26; no next IFD.
  const tiff = Buffer.alloc(26);
  tiff.write("MM", 0, "ascii");
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8);
  tiff.writeUInt16BE(0x010e, 10);
  tiff.writeUInt16BE(2, 12);
  tiff.writeUInt32BE(text.length, 14);
  tiff.writeUInt32BE(26, 18);
  tiff.writeUInt32BE(0, 22);
  const payload = Buffer.concat([Buffer.from("Exif\0\0", "ascii"), tiff, text]);
  const app1 = Buffer.concat([Buffer.of(0xff, 0xe1, (payload.length + 2) >> 8, (payload.length + 2) & 0xff), payload]);
  return { name, mimeType: "image/jpeg", bytes: Buffer.concat([jpeg.subarray(0, 2), app1, jpeg.subarray(2)]) };
}

/**
 * Stages `files` with the attach button's file input and sends them with `caption` (the first file's), as
 * a person does; `whileStaged` runs before the send. Waits until the tray has emptied. Names and caption
 * are recorded for the server-blind scan, and so are 64 bytes from the middle of each file.
 */
export async function attachViaUi(page: Page, files: readonly TestFile[], o: { caption?: string; whileStaged?: () => Promise<void> } = {}): Promise<void> {
  const caption = o.caption ?? "";
  for (const f of files) {
    rememberSecret("attachment name", f.name);
    rememberSecret("attachment plaintext", f.bytes.subarray(f.bytes.length >> 1, (f.bytes.length >> 1) + 64));
  }
  if (caption) rememberSecret("attachment caption", caption);
  await attachViaPicker(page, files);
  await expect.poll(() => page.getByTestId("staged-attachment").count(), { timeout: 30_000 }).toBe(files.length);
  const box = page.getByTestId("composer");
  if (caption) await box.fill(caption);
  await o.whileStaged?.();
  await box.press("Enter");
  await page.getByTestId("staged-attachment").first().waitFor({ state: "detached", timeout: 60_000 });
}

/** Records a voice message from the (fake) microphone for about `seconds` and sends it. */
export async function recordVoiceViaUi(page: Page, seconds: number): Promise<void> {
  await page.getByTestId("record-voice").click();
  const time = page.getByTestId("recording-time");
  await time.waitFor({ timeout: 30_000 });
  await expect.poll(async () => seconds <= Number(/^(\d+):(\d\d)$/.exec((await time.textContent()) ?? "")?.[2] ?? -1), { timeout: 60_000 }).toBe(true);
  await page.getByTestId("recording-send").click();
  await page.getByTestId("recording").waitFor({ state: "detached", timeout: 30_000 });
}

/** Waits until this page's chat shows no upload item (every upload is sealed into a message). */
export async function waitForUploadsDone(page: Page, timeout = 120_000): Promise<void> {
  await expect.poll(() => page.getByTestId("upload").count(), { timeout }).toBe(0);
}

/**
 * Keeps, in every page of `context`, the Blob behind each object URL the app makes, so a test can read an
 * <img>'s bytes by its src: the app's CSP (connect-src 'self') rightly refuses fetch() of a blob: URL.
 */
export async function keepObjectUrlBlobs(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    const blobs = new Map<string, Blob>();
    const make = URL.createObjectURL.bind(URL);
    Object.defineProperty(window, "objectUrlBlobs", { value: blobs });
    URL.createObjectURL = (o: Blob | MediaSource) => {
      const url = make(o);
      if (o instanceof Blob) blobs.set(url, o);
      return url;
    };
  });
}

/** Opens a photo's lightbox and returns the full-size image's bytes (the Blob behind its object URL; keepObjectUrlBlobs first). */
export async function lightboxBytes(page: Page, bubble: Locator): Promise<Buffer> {
  await bubble.getByTestId("attachment-image").click();
  const full = page.getByTestId("lightbox-image").filter({ visible: true });
  await expect.poll(() => full.evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0), { timeout: 60_000 }).toBe(true);
  const bytes = Buffer.from(
    await full.evaluate(async (el) => {
      const blob = (window as unknown as { objectUrlBlobs: Map<string, Blob> }).objectUrlBlobs.get((el as HTMLImageElement).src);
      if (!blob) throw new Error("the lightbox image is not an object URL this page made");
      return [...new Uint8Array(await blob.arrayBuffer())];
    }),
  );
  await page.keyboard.press("Escape");
  return bytes;
}

/** Clicks a file bubble's Download and returns the SHA-256 (hex) of the saved file and its name. */
export async function downloadViaUi(page: Page, bubble: Locator): Promise<{ sha256: string; name: string }> {
  const saved = page.waitForEvent("download", { timeout: 120_000 });
  await bubble.getByTestId("attachment-download").click();
  const download = await saved;
  return { sha256: sha256(readFileSync(await download.path())), name: download.suggestedFilename() };
}

/** Plays a voice bubble and waits until its audio is playing (or played to its end). */
export async function playVoiceViaUi(bubble: Locator): Promise<void> {
  await bubble.getByTestId("attachment-play").click();
  const audio = bubble.getByTestId("attachment-audio");
  await expect.poll(() => audio.evaluate((a) => (a as HTMLAudioElement).currentTime > 0 || (a as HTMLAudioElement).ended).catch(() => false), { timeout: 60_000 }).toBe(true);
}

export interface StoredAttachment {
  id: string;
  name: string;
  type: string;
  preview: Uint8Array | undefined;
}

/** The attachments of the messages this page's IndexedDB holds (id, file name, type, preview). */
export async function storedAttachments(page: Page): Promise<StoredAttachment[]> {
  const rows = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    type Row = { attachment?: { id: string; name: string; type: string; preview?: Uint8Array } };
    const rows = await new Promise<Row[]>((resolve, reject) => {
      const r = db.transaction("messages").objectStore("messages").getAll();
      r.onsuccess = () => resolve(r.result as Row[]);
      r.onerror = () => reject(r.error);
    });
    db.close();
    return rows.flatMap((m) => (m.attachment ? [{ ...m.attachment, preview: m.attachment.preview ? [...m.attachment.preview] : undefined }] : []));
  });
  return rows.map((r) => {
    if (!AttachmentId.is(r.id)) throw new Error(`a stored attachment id is malformed: ${JSON.stringify(r.id)}`);
    return { id: r.id, name: r.name, type: r.type, preview: r.preview ? Uint8Array.from(r.preview) : undefined };
  });
}

/** The attachment id of the message whose file is `name`, as this page's IndexedDB holds it. */
export async function storedAttachmentId(page: Page, name: string): Promise<string> {
  const found = (await storedAttachments(page)).find((a) => a.name === name);
  if (!found) throw new Error(`no stored message carries the file ${JSON.stringify(name)}`);
  return found.id;
}

/** The part number of a PUT /api/attachments/:id/parts/:n URL, or undefined for any other URL. */
export function partOf(url: string): { id: string; n: number } | undefined {
  const m = /\/api\/attachments\/([A-Za-z0-9_-]+)\/parts\/(\d+)$/.exec(new URL(url).pathname);
  return m ? { id: m[1]!, n: Number(m[2]) } : undefined;
}

export interface UploadRequests {
  /** Part PUTs the pages made (dropped ones too), by part number. */
  readonly puts: Map<number, number>;
  /** Part PUTs the server answered, by part number. */
  readonly putsAnswered: Map<number, number>;
  /** Uploads the server created (POST /api/conversations/:id/attachments answered). */
  creates: number;
}

/** Counts the upload requests every page of `context` makes from now on. */
export function countUploadRequests(context: BrowserContext): UploadRequests {
  const counts: UploadRequests = { puts: new Map(), putsAnswered: new Map(), creates: 0 };
  const add = (m: Map<number, number>, n: number) => m.set(n, (m.get(n) ?? 0) + 1);
  context.on("request", (r) => {
    const p = r.method() === "PUT" ? partOf(r.url()) : undefined;
    if (p) add(counts.puts, p.n);
  });
  context.on("requestfinished", (r) => {
    const p = r.method() === "PUT" ? partOf(r.url()) : undefined;
    if (p) add(counts.putsAnswered, p.n);
    if (r.method() === "POST" && /\/api\/conversations\/[^/]+\/attachments$/.test(new URL(r.url()).pathname)) counts.creates += 1;
  });
  return counts;
}
