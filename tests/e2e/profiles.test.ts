// Issue 21 item 1, encrypted profiles in Chromium: Alice sets a display name and a picture in Settings ›
// Profile; Bob, in another browser with a chat with her, sees the name in his chat list and chat header
// and her picture in place of the initial, then her new name when she changes it, without a reload. Her
// username stays visible under the name. The name is remembered as a secret, so the server-blind scan
// (zz-server-blind.test.ts) checks the server never stored it in the clear.
import { mkdirSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { createGroupViaUi, openGroupViaUi, openMembers } from "./group-helpers";
import { DESKTOP, PHONE, People } from "./people";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const firstName = `Alice Wonder ${aliceName.slice(-4)}`;
const secondName = `Alice Liddell ${aliceName.slice(-4)}`;
let browser: Browser;
let people: People;
let alice: Page;
let bob: Page;

/** A 300x200 PNG drawn in the page (two colours, so the centre crop shows), as bytes. */
async function pictureBytes(page: Page): Promise<Buffer> {
  const bytes = await page.evaluate(async () => {
    const c = new OffscreenCanvas(300, 200);
    const g = c.getContext("2d")!;
    g.fillStyle = "#d33";
    g.fillRect(0, 0, 300, 200);
    g.fillStyle = "#33d";
    g.fillRect(100, 50, 100, 100);
    return Array.from(new Uint8Array(await (await c.convertToBlob({ type: "image/png" })).arrayBuffer()));
  });
  return Buffer.from(bytes);
}

async function saveProfile(page: Page, name: string, picture?: Buffer): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  // The saved profile is read first (the field is disabled until then, so nothing typed is overwritten).
  await page.locator("[data-testid=profile-settings][data-loaded]").waitFor({ timeout: 30_000 });
  const field = page.getByTestId("profile-name");
  await field.fill(name);
  if (picture) {
    await page.getByTestId("profile-avatar-input").setInputFiles({ name: "me.png", mimeType: "image/png", buffer: picture });
    await page.getByTestId("profile-avatar-preview").waitFor();
  }
  await page.getByTestId("profile-save").click();
  await page.getByTestId("profile-saved").waitFor({ timeout: 60_000 });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  alice = await people.page("alice", PHONE);
  bob = await people.page("bob", DESKTOP);
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(bob, aliceName);
  await sendViaUi(bob, "hello there alice");
  await openChatViaUi(alice, bobName);
  await waitForHistory(alice, ["hello there alice"], 60_000);
  rememberSecret("display name", firstName);
  rememberSecret("display name", secondName);
}, 240_000);

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

describe("encrypted profiles", () => {
  test("a contact sees the display name and picture in the list and the header, and the new name after a change", async () => {
    const picture = await pictureBytes(alice);
    await saveProfile(alice, firstName, picture);
    await alice.getByTestId("profile-settings").screenshot({ path: `${SHOTS}/profile-settings-390.png` });

    // Bob's open chat and his list change by themselves: the profile message arrives over the socket.
    const title = bob.getByTestId("chat-title").filter({ hasText: firstName });
    await title.waitFor({ timeout: 60_000 });
    await expect(bob.getByTestId("chat-username").textContent()).resolves.toBe(`@${aliceName}`);
    const item = bob.getByTestId("conversation-item").filter({ hasText: firstName });
    await item.waitFor({ timeout: 30_000 });
    const listPicture = item.getByTestId("chat-avatar-image");
    await listPicture.waitFor({ timeout: 30_000 });
    const src = await listPicture.getAttribute("src");
    expect(src).toMatch(/^data:image\/jpeg;base64,/);
    // A 128x128 JPEG made on Alice's device, drawn (decoded) in Bob's.
    const size = await listPicture.evaluate((img: HTMLImageElement) => (img.complete ? [img.naturalWidth, img.naturalHeight] : img.decode().then(() => [img.naturalWidth, img.naturalHeight])));
    expect(size).toEqual([128, 128]);
    await bob.screenshot({ path: `${SHOTS}/profile-chat-1280.png` });

    await saveProfile(alice, secondName);
    await bob.getByTestId("chat-title").filter({ hasText: secondName }).waitFor({ timeout: 60_000 });
    await bob.getByTestId("conversation-item").filter({ hasText: secondName }).waitFor({ timeout: 30_000 });
    // The picture was kept: only the name changed.
    await bob.getByTestId("conversation-item").filter({ hasText: secondName }).getByTestId("chat-avatar-image").waitFor();
    expect(await bob.getByTestId("conversation-item").filter({ hasText: firstName }).count()).toBe(0);
  });

  test("a group member's display name shows in the member list, with the username beside it, after her first message there", async () => {
    const group = `Profile group ${aliceName.slice(-4)}`;
    await bob.goto(`${baseURL}/#/`);
    await createGroupViaUi(bob, group, [aliceName]);
    await alice.goto(`${baseURL}/#/`);
    await openGroupViaUi(alice, group);
    await sendViaUi(alice, "hello group from alice");
    await waitForHistory(bob, ["hello group from alice"], 60_000);
    await openMembers(bob);
    const row = bob.locator(`[data-testid=group-member][data-username="${aliceName}"]`);
    await row.getByTestId("group-member-name").filter({ hasText: secondName }).waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain(`@${aliceName}`);
    await bob.getByTestId("group-members").screenshot({ path: `${SHOTS}/profile-members-1280.png` });
  });

  test("the chat list and Settings › Profile at phone and desktop widths", async () => {
    await bob.setViewportSize(PHONE);
    await bob.goto(`${baseURL}/#/`);
    await bob.getByTestId("conversation-item").filter({ hasText: secondName }).getByTestId("chat-avatar-image").waitFor({ timeout: 30_000 });
    await bob.screenshot({ path: `${SHOTS}/profile-list-390.png` });
    await alice.setViewportSize(DESKTOP);
    await alice.goto(`${baseURL}/#/settings`);
    await alice.getByTestId("profile-avatar-preview").waitFor({ timeout: 30_000 });
    await expect(alice.getByTestId("profile-name").inputValue()).resolves.toBe(secondName);
    await alice.screenshot({ path: `${SHOTS}/profile-settings-1280.png` });
    expect(people.errors).toEqual([]);
  });
});
