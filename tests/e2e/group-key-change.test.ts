// Issue 21: a group member whose account was reset (the identity key replaced with the recovery key, the
// other devices signed out) gets the warning a 1:1 chat shows, in the group: "Your safety number with Bob
// changed", "Verify" opens that member's safety number, "Trust again" removes the warning.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import { createGroupViaUi, openGroupViaUi } from "./group-helpers";
import { launchPersistent } from "./harness";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const groupName = uniqueName("Trip");
const contexts: { dir: string; context: BrowserContext }[] = [];
const errors: string[] = [];
let alice: Page;
let bob: Page;
let bobKey = "";

async function fresh(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const dir = mkdtempSync(join(tmpdir(), "sealed-group-key-"));
  const context = await launchPersistent(dir, [], { viewport });
  contexts.push({ dir, context });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  alice = await fresh();
  await signUpViaUi(alice, baseURL, aliceName);
  bob = await fresh();
  bobKey = await signUpViaUi(bob, baseURL, bobName);
}, 180_000);

afterAll(async () => {
  for (const c of contexts) {
    await c.context.close().catch(() => undefined);
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test("a group member's account reset: a warning in the group, Verify shows their safety number, Trust again removes it", async () => {
  await createGroupViaUi(alice, groupName, [bobName]);
  await sendViaUi(alice, "hello group");
  await openGroupViaUi(bob, groupName);
  await waitForHistory(bob, ["hello group"], 30_000);
  expect(await alice.getByTestId("key-change-warning").count()).toBe(0);

  // Bob restores his account on a new browser and signs out every other device: a new identity key.
  const phone = await fresh({ width: 390, height: 844 });
  await phone.goto(baseURL, { timeout: 60_000 });
  await phone.getByTestId("restore-account").click();
  await phone.getByTestId("restore-method-key").check();
  await phone.getByTestId("restore-username").fill(bobName);
  await phone.getByTestId("restore-secret").fill(bobKey);
  await phone.getByTestId("restore-sign-out-others").check();
  await phone.getByTestId("restore-submit").click();
  await phone.getByTestId("my-username").filter({ hasText: bobName }).waitFor({ timeout: 60_000 });

  await alice.reload();
  await openGroupViaUi(alice, groupName, 60_000);
  const warning = alice.getByTestId("key-change-warning");
  await warning.waitFor({ timeout: 30_000 });
  expect(await warning.count()).toBe(1);
  expect(await warning.textContent()).toContain(`Your safety number with ${bobName} changed. Verify again.`);
  expect(await warning.getAttribute("role")).toBe("alert");
  await alice.screenshot({ path: `${SHOTS}/group-key-changed-desktop.png` });

  // "Verify" opens Bob's safety number, not a blank dialog.
  await warning.getByTestId("key-change-verify").click();
  const dialog = alice.getByTestId("safety-number-dialog");
  await dialog.getByTestId("safety-number").waitFor({ timeout: 30_000 });
  expect(await dialog.textContent()).toContain(bobName);
  await dialog.getByRole("button", { name: "Done" }).click();

  await warning.getByTestId("key-change-trust").click();
  await expect.poll(() => alice.getByTestId("key-change-warning").count(), { timeout: 15_000 }).toBe(0);
  // Trusting again does not stop the group: Alice writes, Bob's new device reads it.
  await sendViaUi(alice, "welcome back");
  await openGroupViaUi(phone, groupName, 60_000);
  await waitForHistory(phone, ["hello group", "welcome back"], 60_000);
});

test("no page errors were thrown", () => {
  expect(errors).toEqual([]);
});
