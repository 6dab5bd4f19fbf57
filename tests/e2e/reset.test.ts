// "Sign out all my other devices": a lost or stolen laptop is taken out of the account with the recovery
// key alone (a reset entry). The restored browser is the only device, reads the whole history and Bob's
// next message; the old device is signed out at once and left out of every later epoch.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { launchPersistent } from "./harness";
import { ApiContact, nodeApi, waitForCount } from "./link-helpers";

const SHOTS = "/tmp/shots";
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);
const aliceName = uniqueName("alice");
const contexts: { dir: string; context: BrowserContext }[] = [];
const errors: string[] = [];
const history: string[] = [];
let laptop: Page;
let bob: ApiContact;
let recoveryKey = "";

async function fresh(viewport = { width: 1280, height: 800 }): Promise<Page> {
  const dir = mkdtempSync(join(tmpdir(), "sealed-reset-"));
  const context = await launchPersistent(dir, [], { viewport });
  contexts.push({ dir, context });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));
  return page;
}

async function cookieOf(page: Page): Promise<string> {
  return (await page.context().cookies(baseURL)).map((c) => `${c.name}=${c.value}`).join("; ");
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  laptop = await fresh();
  recoveryKey = await signUpViaUi(laptop, baseURL, aliceName);
  bob = await ApiContact.create(api, "bob");
  await bob.newEpoch(aliceName);
  for (let i = 1; i <= 20; i++) history.push(`before ${i}`);
  await bob.send(history);
  await openChatViaUi(laptop, bob.username);
  await waitForCount(laptop, history.length);
  await sendViaUi(laptop, "from the laptop");
  history.push("from the laptop");
  await waitForCount(laptop, history.length);
});

afterAll(async () => {
  for (const c of contexts) {
    await c.context.close();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

test("restoring with 'Sign out all my other devices' takes the account back from a stolen laptop", async () => {
  const laptopCookie = await cookieOf(laptop);
  expect((await api.call("GET", "/api/me", { cookie: laptopCookie })).status).toBe(200);
  const laptopDevice = JSON.parse((await (await api.call("GET", "/api/me", { cookie: laptopCookie })).text()) as string).deviceId as string;

  const phone = await fresh({ width: 390, height: 844 });
  await phone.goto(baseURL);
  await phone.getByTestId("restore-account").click();
  await phone.getByTestId("restore-method-key").check();
  await phone.getByTestId("restore-username").fill(aliceName);
  await phone.getByTestId("restore-secret").fill(recoveryKey);
  await phone.getByTestId("restore-sign-out-others").check();
  await phone.screenshot({ path: `${SHOTS}/restore-sign-out-others.png`, fullPage: true });
  await phone.getByTestId("restore-submit").click();
  await phone.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });

  // The laptop is out at once: its session is dead and its screen says so.
  expect((await api.call("GET", "/api/me", { cookie: laptopCookie })).status).toBe(401);
  await laptop.getByTestId("device-removed").waitFor({ timeout: 30_000 });

  // The phone reads everything, through the new history key (the previous one is sealed to it).
  // Including what the laptop itself wrote before it was taken out.
  await openChatViaUi(phone, bob.username);
  expect(await waitForCount(phone, history.length)).toEqual(history);

  // Bob's client sees one device for Alice now; his next epoch leaves the laptop out, and the phone reads it.
  const alice = await bob.peerState(aliceName);
  expect(alice.devices).toHaveLength(1);
  expect(alice.removedDevices.map((d) => d.deviceId)).toContain(laptopDevice);
  await bob.newEpoch(aliceName);
  const wrapped = await bob.wrappedDevices(await bob.latestEpoch());
  expect(wrapped).toHaveLength(2);
  expect(wrapped).not.toContain(laptopDevice);
  await bob.send(["after the reset"]);
  history.push("after the reset");
  expect((await waitForCount(phone, history.length)).at(-1)).toBe("after the reset");

  // The phone writes on; the device list names it the only active device.
  await sendViaUi(phone, "from the phone");
  await phone.goto(`${baseURL}/#/settings`);
  await expect.poll(() => phone.getByTestId("device-item").count()).toBe(2);
  expect(await phone.getByTestId("revoke-device").count()).toBe(0);
  expect(errors).toEqual([]);
});
