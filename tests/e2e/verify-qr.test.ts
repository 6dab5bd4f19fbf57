// Issue 21: QR verification between two browsers with the fake camera. Alice shows her safety-number
// code; a screenshot of it becomes Bob's camera; Bob scans it and sees "verified" in the dialog and the
// chat header. A third person's code fails. After Alice's account reset (recovery key, other devices signed
// out), Bob's mark is gone and a warning asks him to verify again; "Trust again" removes it.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { encodeVerifyCode, makeVerifyCode, VERIFY_CODE_PREFIX, type AccountId } from "../../protocol/index.js";
import { testCrypto } from "../support/crypto-env.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchPersistent } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";
import { readQr, screenshotPixels, writeShotY4m } from "./verify-helpers";
import { writeQrY4m } from "./y4m";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const work = mkdtempSync(join(tmpdir(), "sealed-verify-"));
const profiles: { dir: string; context?: BrowserContext }[] = [];
const errors: string[] = [];
const camera = (file: string) => ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${file}`];
let alice: Page;
let bobDir: { dir: string; context?: BrowserContext };
let aliceKey = "";

async function launch(p: { dir: string; context?: BrowserContext }, args: string[] = [], viewport = { width: 1280, height: 800 }): Promise<Page> {
  await p.context?.close();
  p.context = await launchPersistent(p.dir, args, { viewport });
  const page = p.context.pages()[0] ?? (await p.context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

function profile(): { dir: string; context?: BrowserContext } {
  const p = { dir: mkdtempSync(join(tmpdir(), "sealed-verify-p-")) };
  profiles.push(p);
  return p;
}

async function openDialog(page: Page) {
  await page.getByTestId("safety-number-button").click();
  const dialog = page.getByTestId("safety-number-dialog");
  await dialog.getByTestId("safety-number").waitFor({ timeout: 30_000 });
  return dialog;
}

/** Bob's browser restarted with a camera that films `file`, in his chat with Alice, scanning. */
async function bobScans(file: string): Promise<Page> {
  const bob = await launch(bobDir, camera(file), { width: 390, height: 844 });
  await bob.goto(baseURL, { timeout: 60_000 });
  await openChatViaUi(bob, aliceName);
  const dialog = await openDialog(bob);
  await dialog.getByTestId("verify-scan").click();
  return bob;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  alice = await launch(profile());
  aliceKey = await signUpViaUi(alice, baseURL, aliceName);
  bobDir = profile();
  const bob = await launch(bobDir);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(alice, bobName);
  await sendViaUi(alice, "hi bob");
  await openChatViaUi(bob, aliceName);
  await waitForHistory(bob, ["hi bob"], 30_000);
});

afterAll(async () => {
  for (const p of profiles) {
    await p.context?.close();
    rmSync(p.dir, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
});

test("Bob scans Alice's code with his camera: verified in the dialog and the header", async () => {
  const dialog = await openDialog(alice);
  const qr = dialog.getByTestId("verify-qr");
  await expect.poll(() => qr.evaluate((c: HTMLCanvasElement) => c.width), { timeout: 30_000 }).toBeGreaterThan(0);
  await alice.screenshot({ path: `${SHOTS}/verify-dialog-desktop.png` });
  const shot = await screenshotPixels(qr, `${SHOTS}/verify-qr.png`);
  expect(readQr(shot)).toMatch(new RegExp(`^${VERIFY_CODE_PREFIX}`));
  const aliceDigits = await dialog.getByTestId("safety-number").textContent();
  await alice.getByRole("button", { name: "Done" }).click();

  const file = join(work, "alice.y4m");
  writeShotY4m(file, shot);
  const bob = await bobScans(file);
  const bobDialog = bob.getByTestId("safety-number-dialog");
  await bobDialog.getByTestId("verify-success").waitFor({ timeout: 30_000 });
  expect(await bobDialog.getByTestId("verify-success").textContent()).toContain(`${aliceName} is now marked as verified`);
  expect(await bobDialog.getByTestId("safety-number").textContent()).toBe(aliceDigits);
  await bobDialog.getByTestId("verified-mark-dialog").waitFor();
  await bob.screenshot({ path: `${SHOTS}/verify-success-phone.png` });
  await bob.getByRole("button", { name: "Done" }).click();
  await bob.getByTestId("verified-mark").waitFor();
  expect(await bob.getByTestId("verified-mark").getAttribute("aria-label")).toBe("Verified");
  // Alice scanned nothing: she has no mark for Bob.
  expect(await alice.getByTestId("verified-mark").count()).toBe(0);
  // The mark survives a reload (it is stored).
  await bob.reload();
  await openChatViaUi(bob, aliceName);
  await bob.getByTestId("verified-mark").waitFor({ timeout: 30_000 });
  await bob.screenshot({ path: `${SHOTS}/verify-header-phone.png` });
});

test("a third person's code for Bob shows the failure and clears nothing", async () => {
  const carol = await ApiContact.create(api, "carol");
  const bobId = (await carol.peerState(bobName)).accountId as AccountId;
  const file = join(work, "carol.y4m");
  writeQrY4m(file, encodeVerifyCode(await makeVerifyCode(testCrypto, carol.me.accountId, bobId)));
  const bob = await bobScans(file);
  const failure = bob.getByTestId("verify-failure");
  await failure.waitFor({ timeout: 30_000 });
  expect(await failure.textContent()).toContain("These numbers don't match: the person you scanned may not be who you think, or the server may be in the middle");
  expect(await failure.getAttribute("role")).toBe("alert");
  await bob.screenshot({ path: `${SHOTS}/verify-mismatch-phone.png` });
  // The earlier verification stays: a failed scan stores nothing.
  await bob.getByTestId("verified-mark-dialog").waitFor();
  await bob.getByRole("button", { name: "Done" }).click();
  await bob.getByTestId("verified-mark").waitFor();
});

test("after Alice's account reset Bob's mark is gone and a warning asks to verify again; Trust again removes it", async () => {
  const phone = await launch(profile(), [], { width: 390, height: 844 });
  await phone.goto(baseURL, { timeout: 60_000 });
  await phone.getByTestId("restore-account").click();
  await phone.getByTestId("restore-method-key").check();
  await phone.getByTestId("restore-username").fill(aliceName);
  await phone.getByTestId("restore-secret").fill(aliceKey);
  await phone.getByTestId("restore-sign-out-others").check();
  await phone.getByTestId("restore-submit").click();
  await phone.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });

  const bob = await launch(bobDir);
  await bob.goto(baseURL, { timeout: 60_000 });
  await openChatViaUi(bob, aliceName);
  const warning = bob.getByTestId("key-change-warning");
  await warning.waitFor({ timeout: 30_000 });
  expect(await warning.textContent()).toContain(`Your safety number with ${aliceName} changed. Verify again.`);
  expect(await bob.getByTestId("verified-mark").count()).toBe(0);
  await bob.screenshot({ path: `${SHOTS}/verify-key-changed-desktop.png` });

  // "Verify" opens the dialog, which no longer shows the mark.
  await warning.getByTestId("key-change-verify").click();
  const dialog = bob.getByTestId("safety-number-dialog");
  await dialog.getByTestId("safety-number").waitFor({ timeout: 30_000 });
  expect(await dialog.getByTestId("verified-mark-dialog").count()).toBe(0);
  await dialog.getByRole("button", { name: "Done" }).click();

  await warning.getByTestId("key-change-trust").click();
  await expect.poll(() => bob.getByTestId("key-change-warning").count(), { timeout: 15_000 }).toBe(0);
  expect(await bob.getByTestId("verified-mark").count()).toBe(0);
  // Re-trusting does not stop the chat: Bob writes, Alice's new device reads.
  await sendViaUi(bob, "still you?");
  await openChatViaUi(phone, bobName);
  await waitForHistory(phone, ["hi bob", "still you?"], 60_000);

  // Marking by hand after comparing the digits aloud.
  const again = await openDialog(bob);
  await again.getByTestId("verify-mark").click();
  await again.getByTestId("verified-mark-dialog").waitFor({ timeout: 15_000 });
  await again.getByRole("button", { name: "Done" }).click();
  await bob.getByTestId("verified-mark").waitFor();
  expect(errors).toEqual([]);
});
