// Issue 18, "What it must show": a tampered, truncated or reordered chunk refused with a visible error.
// attachment-bubble.test.ts covers one changed byte in a blob the server altered (the message names the
// honest digest). Here: the server truncates a blob or swaps two of its chunks; and a sender who signs the
// digest of the blob as altered (so the digest check passes and only each chunk's authentication, with
// its index and final flag in the nonce, can refuse it) sends a changed byte, a blob cut after a whole
// chunk, and two chunks swapped. Every one shows the error in the receiver's bubble and saves nothing;
// the untouched file in the same chat opens.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { ATTACHMENT_CHUNK_BYTES, type KnownContent } from "../../protocol/index.js";
import { openChatViaUi, signUpViaUi, uniqueName } from "./app";
import { concat, digestOf, downloadViaUi, sealed, sha256, splitBlob, upload, type SealedBlob } from "./attachment-helpers";
import { launchBrowser } from "./harness";
import { rememberPublic, rememberSecret } from "./known-secrets";
import { ApiContact, nodeApi } from "./link-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const CHANGED = "This file was changed on the server and can't be opened.";
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  // Two cores shared with other work: waiting for an element may take longer than Playwright's 30 s.
  context.setDefaultTimeout(120_000);
  page = await context.newPage();
  page.on("pageerror", (e) => errors.push(e.message));
});

afterAll(async () => {
  await browser?.close();
});

/** 200,000 bytes: three whole 64 KiB chunks and a short final one. */
const plain = new Uint8Array(200_000).map((_, i) => (i * 7919 + 13) % 253);

const swap01 = (blob: Uint8Array) => {
  const { header, chunks } = splitBlob(blob);
  return concat([header, chunks[1]!, chunks[0]!, ...chunks.slice(2)]);
};
const dropLast = (blob: Uint8Array) => {
  const { header, chunks } = splitBlob(blob);
  return concat([header, ...chunks.slice(0, -1)]);
};

/** What the server stores and what the message names, for each case. */
async function cases(): Promise<{ name: string; stored: Uint8Array; named: SealedBlob }[]> {
  const honest = await sealed(plain);
  const s = await sealed(plain);
  const t = await sealed(plain);
  const flipped = await sealed(plain, (b) => void (b[100_000] = (b[100_000] ?? 0) ^ 0x40));
  const cut = await sealed(plain);
  const cutBlob = dropLast(cut.blob);
  const swapped = await sealed(plain);
  const swappedBlob = swap01(swapped.blob);
  return [
    { name: "untouched.bin", stored: honest.blob, named: honest },
    // The server altered what the sender uploaded: the message names the blob as sealed.
    { name: "server-swapped.bin", stored: swap01(s.blob), named: s },
    { name: "server-truncated.bin", stored: dropLast(t.blob), named: t },
    // The message names the altered blob itself: its digest and (cut after chunk 3) its size.
    { name: "signed-flipped.bin", stored: flipped.blob, named: { ...flipped, digest: await digestOf(flipped.blob) } },
    { name: "signed-truncated.bin", stored: cutBlob, named: { ...cut, size: 3 * ATTACHMENT_CHUNK_BYTES, digest: await digestOf(cutBlob) } },
    { name: "signed-swapped.bin", stored: swappedBlob, named: { ...swapped, digest: await digestOf(swappedBlob) } },
  ];
}

test("a blob with a changed byte, cut short or with two chunks swapped is refused in the bubble; the untouched one opens", async () => {
  const alice = uniqueName("chunk_alice");
  await signUpViaUi(page, baseURL, alice);
  const bob = await ApiContact.create(nodeApi(baseURL), "chunk_bob");
  await bob.newEpoch(alice);
  const all = await cases();
  rememberSecret("attachment plaintext", plain.subarray(150_000, 150_064));
  for (const c of all) {
    const name = uniqueName(c.name.replace(".bin", "")) + ".bin";
    c.name = name;
    rememberSecret("attachment name", name);
    rememberSecret("attachment key", c.named.key);
    // Only R2 holds a blob's bytes: finding these there proves the server-blind scan reads R2's objects.
    rememberPublic(c.stored.subarray(100_000, 100_064));
    const body: KnownContent = { kind: "attachment", sentAt: Date.now(), id: await upload(bob, c.stored), key: c.named.key, size: c.named.size, digest: c.named.digest, type: "file", mimeType: "application/octet-stream", name, caption: "" };
    await bob.sendContent(body);
  }

  await openChatViaUi(page, bob.username);
  await expect.poll(() => page.getByTestId("attachment").count(), { timeout: 60_000 }).toBe(all.length);
  const bubbleOf = (name: string) => page.getByTestId("attachment").filter({ has: page.getByTestId("attachment-name").getByText(name, { exact: true }) });

  const [untouched, ...bad] = all;
  expect(await downloadViaUi(page, bubbleOf(untouched!.name))).toEqual({ sha256: sha256(plain), name: untouched!.name });

  let saved = 0;
  page.on("download", () => saved++);
  const shown: Record<string, string | null> = {};
  for (const c of bad) {
    const bubble = bubbleOf(c.name);
    await bubble.getByTestId("attachment-download").click();
    await bubble.getByTestId("attachment-error").waitFor({ timeout: 60_000 });
    shown[c.name] = await bubble.getByTestId("attachment-error").textContent();
  }
  expect(shown).toEqual(Object.fromEntries(bad.map((c) => [c.name, CHANGED])));
  expect(saved).toBe(0);
  await page.screenshot({ path: `${SHOTS}/attachments-refused-chunks-desktop.png` });
  expect(errors).toEqual([]);
}, 300_000);
