// Recovering an account with no device left: a new, empty browser restores from the recovery key, the
// passphrase or a key file, reads the whole history and Bob's next message; wrong keys and passphrases
// change nothing; after "Make a new recovery key" the old key no longer restores.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { formatRecoveryKey, generateRecoveryKey, toBase64url } from "../../protocol/index.js";
import { createAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, genesisDevice, makeDevice, postLogEntry, revokeEntry } from "../support/device-log.js";
import { recoveryBlobFor } from "../support/recovery.js";
import { answerConfirm, openChatViaUi, sendViaUi, signUpViaUi, uniqueName } from "./app";
import { launchPersistent } from "./harness";
import { rememberSecret } from "./known-secrets";
import { ApiContact, nodeApi, waitForCount } from "./link-helpers";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);

interface Profile {
  dir: string;
  context?: BrowserContext;
  page?: Page;
}

const aliceName = uniqueName("alice");
const profiles: Profile[] = [];
const work = mkdtempSync(join(tmpdir(), "sealed-recovery-"));
const errors: string[] = [];
const history: string[] = [];
let alice: Page;
let bob: ApiContact;
let recoveryKey = "";
let passphrase = "";
let keyFile = "";

async function fresh(viewport = DESKTOP): Promise<Page> {
  const p: Profile = { dir: mkdtempSync(join(tmpdir(), "sealed-rec-profile-")) };
  profiles.push(p);
  p.context = await launchPersistent(p.dir, [], { viewport, acceptDownloads: true });
  p.page = p.context.pages()[0] ?? (await p.context.newPage());
  p.page.on("pageerror", (e) => errors.push(e.message));
  return p.page;
}

/** Opens the restore screen of an empty browser and fills username and secret (recovery key or passphrase). */
async function restoreForm(page: Page, method: "key" | "passphrase", username: string, secret: string): Promise<void> {
  await page.goto(baseURL);
  await page.getByTestId("restore-account").click();
  await page.getByTestId("restore").waitFor();
  await page.getByTestId(`restore-method-${method}`).check();
  await page.getByTestId("restore-username").fill(username);
  await page.getByTestId("restore-secret").fill(secret);
}

async function restoreError(page: Page): Promise<string> {
  const before = Number((await page.getByTestId("restore-error").getAttribute("data-attempt", { timeout: 100 }).catch(() => "0")) ?? "0");
  await page.getByTestId("restore-submit").click();
  const err = page.locator(`[data-testid="restore-error"][data-attempt="${before + 1}"]`);
  await err.waitFor({ timeout: 30_000 });
  return (await err.textContent()) ?? "";
}

/** After a successful restore: the chats open and the whole history is there. */
async function expectRestored(page: Page, shot?: string): Promise<void> {
  await page.getByTestId("restore-submit").click();
  await page.getByTestId("restored").or(page.getByTestId("my-username")).first().waitFor({ timeout: 60_000 });
  if (shot) await page.screenshot({ path: shot });
  await page.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });
  await openChatViaUi(page, bob.username);
  expect(await waitForCount(page, history.length)).toEqual(history);
}

/** Nothing was stored: a reload shows onboarding again. */
async function expectUnchanged(page: Page): Promise<void> {
  await page.reload();
  await page.getByTestId("restore-account").waitFor();
  const hasAccount = await page.evaluate(
    () =>
      new Promise<boolean>((resolve) => {
        const req = indexedDB.open("sealed");
        req.onsuccess = () => {
          const db = req.result;
          if (!db.objectStoreNames.contains("account")) return resolve(false);
          const get = db.transaction("account").objectStore("account").count();
          get.onsuccess = () => resolve(get.result > 0);
          get.onerror = () => resolve(false);
        };
        req.onerror = () => resolve(false);
      }),
  );
  expect(hasAccount).toBe(false);
}

async function openRecoverySettings(page: Page): Promise<void> {
  await page.goto(`${baseURL}/#/settings`);
  await page.getByTestId("recovery-settings").waitFor();
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  alice = await fresh();
  recoveryKey = await signUpViaUi(alice, baseURL, aliceName);
  bob = await ApiContact.create(api, "bob");
  await bob.newEpoch(aliceName);
  for (let i = 1; i <= 30; i++) history.push(`before ${i}`);
  await bob.send(history);
  await openChatViaUi(alice, bob.username);
  await waitForCount(alice, history.length);
  await sendViaUi(alice, "alice was here");
  history.push("alice was here");
  await waitForCount(alice, history.length);
});

afterAll(async () => {
  for (const p of profiles) {
    await p.context?.close();
    rmSync(p.dir, { recursive: true, force: true });
  }
  rmSync(work, { recursive: true, force: true });
});

describe("restoring on an empty browser", () => {
  test("a wrong or mistyped recovery key gives a clear error and changes nothing", async () => {
    const page = await fresh(PHONE);
    const other = await formatRecoveryKey(testCrypto, generateRecoveryKey(testCrypto));
    await restoreForm(page, "key", aliceName, other);
    expect(await restoreError(page)).toContain("doesn't belong to this account");
    await page.screenshot({ path: `${SHOTS}/recovery-wrong-key.png` });
    // One character changed: the checksum catches the typo before anything is fetched.
    const typo = (recoveryKey[0] === "A" ? "B" : "A") + recoveryKey.slice(1);
    await page.getByTestId("restore-secret").fill(typo);
    // All 32 characters are there: the message says one is wrong, not that the length is.
    const said = await restoreError(page);
    expect(said).toContain("has a typo");
    expect(said).not.toContain("32 characters");
    await page.getByTestId("restore-secret").fill(recoveryKey.slice(0, -5));
    expect(await restoreError(page)).toContain("isn't a valid recovery key");
    await page.screenshot({ path: `${SHOTS}/recovery-bad-checksum.png` });
    await expectUnchanged(page);
  });

  test("the recovery key restores the whole history, and Bob's next message arrives", async () => {
    const page = await fresh();
    await restoreForm(page, "key", aliceName, recoveryKey.toLowerCase());
    await page.screenshot({ path: `${SHOTS}/recovery-restore-form.png` });
    await expectRestored(page, `${SHOTS}/recovery-restore-progress.png`);
    await page.screenshot({ path: `${SHOTS}/recovery-restored.png` });

    // Bob sees the recover entry in Alice's log and wraps his next epoch for the new device too.
    await bob.newEpoch(aliceName);
    await bob.send(["after restore"]);
    history.push("after restore");
    expect((await waitForCount(page, history.length)).at(-1)).toBe("after restore");

    // Alice's first browser learns that recovery was used.
    await alice.goto(`${baseURL}/`);
    await alice.getByTestId("recovered-notice").waitFor({ timeout: 30_000 });
    await alice.screenshot({ path: `${SHOTS}/recovery-used-notice.png` });
  });
});

describe("passphrase and key file", () => {
  test("Alice sets a generated passphrase and downloads the key file", async () => {
    await openRecoverySettings(alice);
    await expect.poll(() => alice.getByTestId("recovery-last-used").textContent()).not.toContain("never");
    await alice.getByTestId("passphrase-open").click();
    await alice.getByTestId("passphrase-recovery-key").fill(recoveryKey);
    // A weak one is refused.
    await alice.getByTestId("passphrase-new").fill("password123");
    await alice.getByTestId("passphrase-again").fill("password123");
    await alice.getByTestId("passphrase-save").click();
    await expect.poll(() => alice.getByTestId("recovery-error").textContent()).toContain("too easy to guess");
    await alice.getByTestId("passphrase-generate").click();
    passphrase = await alice.getByTestId("passphrase-new").inputValue();
    rememberSecret("passphrase", passphrase);
    expect(passphrase.split(" ")).toHaveLength(6);
    await expect.poll(() => alice.getByTestId("passphrase-strength").textContent()).toContain("Strong enough");
    await alice.screenshot({ path: `${SHOTS}/recovery-settings-passphrase.png` });
    await alice.getByTestId("passphrase-save").click();
    await expect.poll(() => alice.getByTestId("passphrase-state").textContent(), { timeout: 30_000 }).toBe("set");

    const download = alice.waitForEvent("download");
    await alice.getByTestId("key-file-download").click();
    const file = join(work, "key-file.txt");
    await (await download).saveAs(file);
    keyFile = readFileSync(file, "utf8");
    expect(keyFile.startsWith("SEALED KEY FILE v1\n")).toBe(true);
    await alice.screenshot({ path: `${SHOTS}/recovery-settings.png` });
  });

  test("the passphrase restores", async () => {
    const page = await fresh();
    await restoreForm(page, "passphrase", aliceName, passphrase);
    await page.getByTestId("restore-submit").click();
    await page.getByTestId("restore-status").filter({ hasText: "Unlocking" }).waitFor({ timeout: 30_000 }).catch(() => undefined);
    await page.screenshot({ path: `${SHOTS}/recovery-passphrase-unlocking.png` });
    await page.getByTestId("my-username").filter({ hasText: aliceName }).waitFor({ timeout: 60_000 });
    await openChatViaUi(page, bob.username);
    expect(await waitForCount(page, history.length)).toEqual(history);
  });

  test("the key file restores with the passphrase", async () => {
    const page = await fresh();
    await page.goto(baseURL);
    await page.getByTestId("restore-account").click();
    await page.getByTestId("restore-method-file").check();
    const path = join(work, "upload.txt");
    writeFileSync(path, keyFile);
    await page.getByTestId("restore-file").setInputFiles(path);
    await page.getByTestId("file-secret-passphrase").check();
    await page.getByTestId("restore-secret").fill(passphrase);
    await page.screenshot({ path: `${SHOTS}/recovery-key-file.png` });
    await expectRestored(page);
  });

  test("a wrong passphrase changes nothing; after too many the UI says to wait", async () => {
    const page = await fresh();
    await restoreForm(page, "passphrase", aliceName, "wrong horse battery staple again");
    for (let i = 0; i < 3; i++) expect(await restoreError(page)).toContain("passphrase is wrong");
    await page.screenshot({ path: `${SHOTS}/recovery-wrong-passphrase.png` });
    expect(await restoreError(page)).toMatch(/Too many wrong tries\. Wait \d+ seconds?/);
    await page.screenshot({ path: `${SHOTS}/recovery-too-many-tries.png` });
    await expectUnchanged(page);
  });
});

describe("a new recovery key", () => {
  test("after 'Make a new recovery key' the old key no longer restores and the new one does", async () => {
    await openRecoverySettings(alice);
    await alice.getByTestId("rotate-open").click();
    await alice.getByTestId("rotate-passphrase").fill(passphrase);
    await alice.screenshot({ path: `${SHOTS}/recovery-rotate.png` });
    await alice.getByTestId("rotate-confirm").click();
    const keyBox = alice.getByTestId("recovery-key");
    await keyBox.waitFor({ timeout: 30_000 });
    const newKey = (await keyBox.locator("span").allTextContents()).join("-");
    expect(newKey).not.toBe(recoveryKey);
    await alice.screenshot({ path: `${SHOTS}/recovery-new-key.png` });
    await alice.getByLabel("I saved my recovery key").check();
    const n = Number(await alice.getByTestId("confirm-group").getAttribute("data-group"));
    await alice.getByTestId("confirm-group").fill(newKey.split("-")[n - 1]!);
    await alice.getByRole("button", { name: "Continue" }).click();
    await expect.poll(() => alice.getByTestId("passphrase-state").textContent()).toBe("set");

    const old = await fresh();
    await restoreForm(old, "key", aliceName, recoveryKey);
    expect(await restoreError(old)).toContain("doesn't belong to this account");
    await expectUnchanged(old);

    const page = await fresh();
    await restoreForm(page, "key", aliceName, newKey);
    await expectRestored(page);
    expect(errors).toEqual([]);
  });
});

describe("removing the passphrase", () => {
  test("asks in the app first: Cancel keeps it, confirming removes it, and it no longer restores", async () => {
    await openRecoverySettings(alice);
    await expect.poll(() => alice.getByTestId("passphrase-state").textContent()).toBe("set");
    await alice.getByTestId("passphrase-remove").click();
    await answerConfirm(alice, { mentions: "Only the recovery key will restore your account", accept: false });
    expect(await alice.getByTestId("passphrase-state").textContent()).toBe("set");
    await alice.getByTestId("passphrase-remove").click();
    await answerConfirm(alice, { mentions: "Remove the passphrase", shot: `${SHOTS}/recovery-remove-passphrase.png` });
    await expect.poll(() => alice.getByTestId("passphrase-state").textContent(), { timeout: 30_000 }).toBe("not set");
    await alice.getByTestId("recovery-notice").filter({ hasText: "Passphrase removed." }).waitFor();

    const page = await fresh();
    await restoreForm(page, "passphrase", aliceName, passphrase);
    expect(await restoreError(page)).toBeTruthy();
    await expectUnchanged(page);
    expect(errors).toEqual([]);
  });
});

describe("after a revoke", () => {
  test("a restore from the recovery key reads messages sent before and after the revocation", async () => {
    // Carol is built at protocol level: a second device is added, then revoked (new identity key, new
    // history generation), and the recovery blob is re-sealed with the rotated keys, as a client does.
    const carol = await createAccount(api, "carol");
    const first = genesisDevice(carol);
    const second = await makeDevice();
    const add = await addDeviceEntry(accountLog(carol), second, first);
    expect((await postLogEntry(api, carol.cookie, carol.accountId, add)).status).toBe(201);
    const beforeBlob = await recoveryBlobFor(await add.next(), carol.keys.recovery, 1);
    expect((await api.call("PUT", "/api/recovery/blob", { cookie: carol.cookie, json: { blob: toBase64url(beforeBlob) } })).status).toBe(204);

    const dave = await ApiContact.create(api, "dave");
    await dave.newEpoch(carol.username);
    await dave.send(["before the revoke"]);

    const revoke = await revokeEntry(await add.next(), second.deviceId, first);
    expect((await postLogEntry(api, carol.cookie, carol.accountId, revoke)).status).toBe(201);
    const blob = await recoveryBlobFor(await revoke.next(), carol.keys.recovery, 2);
    expect((await api.call("PUT", "/api/recovery/blob", { cookie: carol.cookie, json: { blob: toBase64url(blob) } })).status).toBe(204);
    await dave.newEpoch(carol.username);
    await dave.send(["after the revoke"]);

    const page = await fresh();
    await restoreForm(page, "key", carol.username, await formatRecoveryKey(testCrypto, carol.keys.recoveryKey));
    await page.getByTestId("restore-submit").click();
    await page.getByTestId("my-username").filter({ hasText: carol.username }).waitFor({ timeout: 60_000 });
    await openChatViaUi(page, dave.username);
    expect(await waitForCount(page, 2)).toEqual(["before the revoke", "after the revoke"]);
    expect(errors).toEqual([]);
  });
});
