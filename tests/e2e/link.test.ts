// Linking a new device by QR code (fake camera) and by pasted link code, then revoking it: the new
// device reads the whole history from the key archive, and a revoked device is signed out and left out
// of the next epoch.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page, Worker as PageWorker } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { answerConfirm, openChatViaUi, signUpViaUi, uniqueName } from "./app";
import { launchPersistent } from "./harness";
import { rememberSecret } from "./known-secrets";
import { ApiContact, nodeApi, waitForCount } from "./link-helpers";
import { writeQrY4m } from "./y4m";
import { linkFramesResponse } from "../../protocol/api.js";
import { accountFingerprint, createLinkResponder, deriveLinkChannel, fromBase64url, openLinkFrame, parseLinkOffer, sealLinkFrame, toBase64url } from "../../protocol/index.js";
import { createAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { getLinkFrames, postLinkFrame, respondToLink } from "../support/link-relay.js";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const HISTORY = 200;
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);

interface Profile {
  dir: string;
  context?: BrowserContext;
  page?: Page;
}

const aliceName = uniqueName("alice");
const first: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-link-a-")) };
const second: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-link-b-")) };
const third: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-link-c-")) };
const work = mkdtempSync(join(tmpdir(), "sealed-link-y4m-"));
const errors: string[] = [];
let bob: ApiContact;
const history: string[] = [];

async function launch(p: Profile, viewport = DESKTOP, extraArgs: string[] = []): Promise<Page> {
  p.context = await launchPersistent(p.dir, extraArgs, { viewport });
  p.page = p.context.pages()[0] ?? (await p.context.newPage());
  p.page.on("pageerror", (e) => errors.push(e.message));
  return p.page;
}

async function close(p: Profile): Promise<void> {
  await p.context?.close();
  p.context = undefined;
  p.page = undefined;
}

function page(p: Profile): Page {
  if (!p.page) throw new Error("browser not running");
  return p.page;
}

/** Starts linking on a fresh profile and returns the link code its screen shows. */
async function showCode(p: Profile, viewport = DESKTOP): Promise<string> {
  const n = await launch(p, viewport);
  await n.goto(baseURL);
  await n.getByRole("button", { name: "Link to an existing account" }).click();
  const field = n.getByTestId("link-code");
  await field.waitFor();
  await n.getByTestId("link-qr").waitFor();
  return field.inputValue();
}

/**
 * Records in the page whether the history progress bar was ever on screen: checked every animation frame
 * (through the shadow roots), because a small history loads in a few frames, faster than a locator polls.
 */
function watchForProgress(): void {
  const w = window as unknown as { progressSeen?: boolean };
  w.progressSeen = false;
  const find = (root: Document | ShadowRoot): boolean => {
    if (root.querySelector("[data-testid=history-progress]")) return true;
    for (const el of Array.from(root.querySelectorAll("*"))) if (el.shadowRoot && find(el.shadowRoot)) return true;
    return false;
  };
  const frame = () => {
    if (find(document)) w.progressSeen = true;
    else requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

/** The new device's side after the existing one confirmed: say yes, see the progress, land in the chats. */
async function finishOnNewDevice(n: Page, shot?: string): Promise<void> {
  await n.getByTestId("confirm-account").filter({ hasText: `@${aliceName}` }).waitFor({ timeout: 30_000 });
  await n.evaluate(watchForProgress);
  await n.getByRole("button", { name: "Yes" }).click();
  const progress = n.getByTestId("history-progress");
  await progress.or(n.getByTestId("my-username").filter({ hasText: aliceName })).first().waitFor({ timeout: 30_000 });
  if (shot && (await progress.isVisible())) await n.screenshot({ path: shot });
  await n.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });
  expect(await n.evaluate(() => (window as unknown as { progressSeen?: boolean }).progressSeen), "the history progress was shown").toBe(true);
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const a = await launch(first);
  await signUpViaUi(a, baseURL, aliceName);
  // Bob writes the history at protocol level (real envelopes, real server): 200 UI sends would be slow.
  bob = await ApiContact.create(api, "bob");
  await bob.newEpoch(aliceName);
  for (let i = 1; i <= HISTORY; i++) history.push(`history ${i}`);
  await bob.send(history);
  await openChatViaUi(a, bob.username);
  expect((await waitForCount(a, HISTORY)).slice(-1)).toEqual([`history ${HISTORY}`]);
});

afterAll(async () => {
  for (const p of [first, second, third]) {
    await close(p);
    rmSync(p.dir, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
});

describe("linking a device", () => {
  test("the existing device scans the QR code with its camera; the new device reads all history", async () => {
    const code = await showCode(second);
    const n = page(second);
    await n.screenshot({ path: `${SHOTS}/link-qr-desktop.png` });

    // The first device restarts with a fake camera that films the code on the new device's screen.
    const video = join(work, "qr.y4m");
    writeQrY4m(video, code);
    await close(first);
    const a = await launch(first, DESKTOP, ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", `--use-file-for-fake-video-capture=${video}`]);
    await a.goto(`${baseURL}/#/settings`);
    await a.getByTestId("devices").waitFor();
    await a.getByTestId("link-a-device").click();
    // The camera decodes the code by itself; the user then reads the name and the warning.
    await a.getByTestId("link-device-name").waitFor({ timeout: 30_000 });
    await expect(a.getByTestId("link-warning").textContent()).resolves.toContain("Only scan a code shown on your own screen. Anyone who links a device can read all your messages.");
    await a.screenshot({ path: `${SHOTS}/link-confirm.png` });
    await a.getByTestId("link-confirm").click();

    const workers: PageWorker[] = [];
    n.on("worker", (w) => workers.push(w));
    await finishOnNewDevice(n, `${SHOTS}/link-progress.png`);
    // The history's signatures were verified in the signature worker (sync/verify-pool.ts), not on the page.
    const verifier = workers.find((w) => /\/assets\/verify-worker-[\w-]+\.js$/.test(new URL(w.url()).pathname));
    expect(verifier, "the signature worker started").toBeDefined();
    expect(await verifier!.evaluate(() => (globalThis as { sealedVerified?: number }).sealedVerified)).toBeGreaterThanOrEqual(HISTORY);
    await a.getByTestId("link-done").waitFor({ timeout: 30_000 });
    await a.getByRole("button", { name: "Done" }).click();
    // The list names the new device at once, before any reload (the existing device sealed its name).
    await expect.poll(() => a.getByTestId("device-item").filter({ hasText: "Chrome on Linux 2" }).count(), { timeout: 15_000 }).toBe(1);
    expect(await a.getByTestId("device-item").filter({ hasText: "Unnamed device" }).count()).toBe(0);
    // Reopened once the new device has signed in and sealed its name.
    await a.reload();
    // A generous wait: the reloaded page's list comes after its start-up (login, sync pass), which on a machine
    // at load averages of 20 and more took longer than expect.poll's default second.
    await expect.poll(() => a.getByTestId("device-item").filter({ hasText: "Chrome on Linux" }).count(), { timeout: 30_000 }).toBe(2);
    // Two browsers of one kind are told apart: the new one took the default name with a number.
    expect(await a.getByTestId("device-item").filter({ hasText: "Chrome on Linux 2" }).count()).toBe(1);
    await a.getByTestId("device-item").filter({ hasText: "This device" }).waitFor();
    await a.screenshot({ path: `${SHOTS}/link-devices.png` });

    await openChatViaUi(n, bob.username);
    expect(await waitForCount(n, HISTORY)).toEqual(history);

    // Bob sees Alice's new device in her log, makes a new epoch for it, and both of her devices read him.
    await bob.newEpoch(aliceName);
    await bob.send(["after linking"]);
    await a.goto(`${baseURL}/`);
    await openChatViaUi(a, bob.username);
    await waitForCount(a, HISTORY + 1);
    expect((await waitForCount(n, HISTORY + 1)).at(-1)).toBe("after linking");
    history.push("after linking");
  });

  test("the same link done by pasting the link code, with the QR screen on a phone", async () => {
    const code = await showCode(third, PHONE);
    const n = page(third);
    await n.screenshot({ path: `${SHOTS}/link-qr-phone.png` });
    const a = page(first);
    await a.goto(`${baseURL}/#/settings`);
    await a.getByTestId("link-a-device").click();
    await a.getByTestId("paste-code").fill(code);
    await a.getByRole("button", { name: "Continue" }).click();
    await a.getByTestId("link-device-name").waitFor({ timeout: 30_000 });
    await a.getByTestId("link-confirm").click();
    await finishOnNewDevice(n);
    await a.getByTestId("link-done").waitFor({ timeout: 30_000 });
    await a.getByRole("button", { name: "Done" }).click();
    // Alice's other device hears of the new one (realtime "log" frame) and offers a review.
    const other = page(second);
    await other.getByTestId("new-device-banner").waitFor({ timeout: 30_000 });
    await other.getByTestId("new-device-banner").getByRole("link", { name: "Review" }).click();
    await other.getByTestId("devices").waitFor();
    await expect.poll(() => other.getByTestId("new-device-banner").count()).toBe(0);
    await openChatViaUi(n, bob.username);
    expect(await waitForCount(n, history.length)).toEqual(history);
  });
});

describe("a code photographed by a stranger", () => {
  test("the new device names the account it would join and sends nothing until the user says yes", async () => {
    const victim: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-link-d-")) };
    try {
      const code = await showCode(victim);
      const n = page(victim);
      // Eve holds the code's text (not the new device's keys or token) and answers before the owner does.
      const eve = await createAccount(api, "eve");
      const offer = parseLinkOffer(code, Date.now());
      const linkId = toBase64url(offer.linkId);
      const responder = await createLinkResponder(testCrypto);
      expect((await respondToLink(api, eve.cookie, linkId, responder.ephemeralKey)).status).toBe(200);
      const channel = await deriveLinkChannel(testCrypto, { role: "existing", offer, ownPrivate: responder.ephemeralPrivate, newEphemeral: offer.ephemeralKey, existingEphemeral: responder.ephemeralKey });
      const framesFromNew = async () => linkFramesResponse.parse(await (await getLinkFrames(api, linkId, "new", 0, { cookie: eve.cookie })).json()).frames;
      await expect.poll(async () => (await framesFromNew()).length, { timeout: 15_000 }).toBe(1);
      expect((await openLinkFrame(testCrypto, channel, fromBase64url((await framesFromNew())[0]!.frame))).type).toBe("hello");
      const accept = await sealLinkFrame(testCrypto, channel, { type: "accept", genesis: eve.genesis });
      expect((await postLinkFrame(api, linkId, "existing", accept, { cookie: eve.cookie })).status).toBe(201);

      const ask = n.getByTestId("confirm-account");
      await ask.waitFor({ timeout: 15_000 });
      expect(await ask.textContent()).toContain(`You are joining @${eve.username}. Is this your account?`);
      // The name and fingerprint are those proven by Eve's genesis entry: her own account, never another's.
      expect(await n.getByTestId("confirm-fingerprint").textContent()).toContain(accountFingerprint(eve.accountId));
      expect(await framesFromNew()).toHaveLength(1); // still only the hello: nothing signed yet
      await n.getByRole("button", { name: "No" }).click();
      await n.getByText("Linking stopped").waitFor();
      // The new device ended the link: nothing more can be read or sent on it. The end is sent as the
      // screen changes, not awaited first (link-new.ts), so the relay may answer once more before it lands.
      await expect.poll(async () => (await getLinkFrames(api, linkId, "new", 0, { cookie: eve.cookie })).status, { timeout: 15_000 }).toBe(404);
      expect(await n.getByTestId("my-username").count()).toBe(0);
    } finally {
      await close(victim);
      rmSync(victim.dir, { recursive: true, force: true });
    }
  });
});

describe("revoking a device", () => {
  test("the revoked device is signed out and left out of the next epoch; the first device reads on", async () => {
    const a = page(first);
    const n = page(second);
    const cookie = (await second.context!.cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");
    expect((await api.call("GET", "/api/me", { cookie })).status).toBe(200);

    await a.goto(`${baseURL}/#/settings`);
    await expect.poll(() => a.getByTestId("device-item").count()).toBe(3);
    // The device linked first (by camera) is the second in the list.
    const epochBefore = await bob.latestEpoch();
    await a.getByTestId("revoke-device").first().click();
    await answerConfirm(a, { mentions: "Remove", shot: `${SHOTS}/link-revoke-confirm.png` });
    await expect.poll(() => a.getByTestId("revoke-device").count(), { timeout: 30_000 }).toBe(1);
    // The removed device keeps its name in the list (it was sealed again under the new history key).
    const removedItem = a.locator("[data-testid=device-item][data-revoked]");
    await expect.poll(() => removedItem.textContent(), { timeout: 15_000 }).toContain("Chrome on Linux 2");
    expect(await removedItem.textContent()).not.toContain("Unnamed device");

    await n.getByTestId("device-removed").waitFor({ timeout: 30_000 });
    await n.screenshot({ path: `${SHOTS}/link-removed.png` });
    expect((await api.call("GET", "/api/me", { cookie })).status).toBe(401);

    // Bob's next epoch, built from Alice's log after the revoke, has no wrap for the removed device.
    const removedId = await n.evaluate(() => localStorage.getItem("sealed-removed-device"));
    expect(removedId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // The revoking device itself started a new epoch in the chat, leaving the removed device out.
    await expect.poll(() => bob.latestEpoch(), { timeout: 15_000 }).toBeGreaterThan(epochBefore);
    const afterRevoke = await bob.wrappedDevices(await bob.latestEpoch());
    expect(afterRevoke).toHaveLength(3);
    expect(afterRevoke).not.toContain(removedId);
    await bob.newEpoch(aliceName);
    await bob.send(["after revoking"]);
    const wrapped = await bob.wrappedDevices(await bob.latestEpoch());
    expect(wrapped).toHaveLength(3); // Bob's device and Alice's two remaining devices
    expect(wrapped).not.toContain(removedId);

    await a.goto(`${baseURL}/`);
    await openChatViaUi(a, bob.username);
    expect((await waitForCount(a, history.length + 1)).at(-1)).toBe("after revoking");
    history.push("after revoking");
  });

  test("the other remaining device receives the new keys: it links a device that opens old epochs through the history chain", async () => {
    // The revoke rotated the identity and history keys on the first device, which sealed them to the
    // third (the device-secrets package); linking needs the current identity key, so the third device
    // can only do it with the new keys. The new device receives only the new history key generation;
    // bundles made before the revoke were archived to the previous one, which the revoke seals to the new key.
    const fourth: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-link-e-")) };
    try {
      const code = await showCode(fourth);
      const a = page(third);
      await a.goto(`${baseURL}/#/settings`);
      await a.getByTestId("link-a-device").click();
      await a.getByTestId("paste-code").fill(code);
      await a.getByRole("button", { name: "Continue" }).click();
      await a.getByTestId("link-confirm").click();
      const n = page(fourth);
      await finishOnNewDevice(n);
      await a.getByTestId("link-done").waitFor({ timeout: 30_000 });
      await a.getByRole("button", { name: "Done" }).click();
      await openChatViaUi(n, bob.username);
      expect(await waitForCount(n, history.length)).toEqual(history);
    } finally {
      await close(fourth);
      rmSync(fourth.dir, { recursive: true, force: true });
    }
    expect(errors).toEqual([]);
  });
});

describe("naming devices", () => {
  test("a device renamed on one device shows the new name on another (sealed under the history key)", async () => {
    const t = page(third);
    await t.goto(`${baseURL}/#/settings`);
    const firstItem = t.getByTestId("device-item").filter({ hasNotText: "This device" }).filter({ has: t.getByTestId("revoke-device") }).first();
    await firstItem.getByTestId("rename-device").click();
    const input = firstItem.getByTestId("rename-input");
    await expect.poll(() => input.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement)).toBe(true);
    // A blank name (spaces pass the field's `required`) gets the app's own message.
    await input.fill("   ");
    await input.press("Enter");
    await t.getByRole("alert").filter({ hasText: "1 to 64 characters" }).waitFor();
    await t.screenshot({ path: `${SHOTS}/device-rename.png` });
    rememberSecret("device name", "Work laptop <b>x</b>");
    await input.fill("Work laptop <b>x</b>");
    await firstItem.getByRole("button", { name: "Save" }).click();
    await t.getByTestId("device-item").filter({ hasText: "Work laptop <b>x</b>" }).waitFor({ timeout: 15_000 });

    const a = page(first);
    await a.goto(`${baseURL}/#/settings`);
    const mine = a.getByTestId("device-item").filter({ hasText: "This device" });
    await expect.poll(() => mine.textContent(), { timeout: 15_000 }).toContain("Work laptop <b>x</b>");
    // The server holds only the sealed name.
    const cookie = (await first.context!.cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");
    const listed = JSON.stringify(await (await api.call("GET", "/api/devices", { cookie })).json());
    expect(listed).not.toContain("Work laptop");
  });
});
