// Issue 5, point 4: a device-log entry forged by the server, a log that went backwards, and an entry
// signed with the old identity key by the device a revoke removed are each refused by a contact (Bob)
// and by the account's other device (Alice's browser), with a warning each can see. The server lies at
// the network layer (lying-server.ts): the real `wrangler dev` answers, and the answer is rewritten.
//
// Alice is built in Node with keys we hold: genesis device D0, then D1 added and revoked (so we have
// the identity key that revoke retired and D1's signing key). Her other device is a browser restored
// from the recovery key; Bob signs up in another browser and chats with her. Then, per case, the
// lie is installed in both browsers and D0 appends a real entry, whose realtime "log" frame makes both
// clients fetch Alice's log again. Warnings last, so every case gets a fresh Alice and fresh browsers.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { formatRecoveryKey, fromBase64url, toBase64url, verifyLog } from "../../protocol/index.js";
import type { KeyPair } from "../../protocol/subtle.js";
import { createAccount, makeAccount, type LoggedInAccount } from "../support/account.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, genesisDevice, makeDevice, postLogEntry, revokeEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { recoveryBlobFor } from "../support/recovery.js";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { launchBrowser } from "./harness";
import { nodeApi } from "./link-helpers";
import { lieAboutLog, type LogLie } from "./lying-server";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const WARNING_TIMEOUT_MS = 30_000;
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);

let browser: Browser;

/** Alice (Node, device D0), her browser device, and Bob's browser, chatting. */
interface World {
  alice: LoggedInAccount;
  d0: TestDevice;
  d1: TestDevice;
  /** The identity key the revoke of D1 retired. */
  oldIdentity: KeyPair;
  /** Alice's current identity and history keys (after the revoke). */
  keys: { identity: KeyPair; history: KeyPair };
  contexts: BrowserContext[];
  alicePage: Page;
  bobPage: Page;
  bobName: string;
  errors: string[];
}

async function newPage(w: Pick<World, "contexts" | "errors">): Promise<{ context: BrowserContext; page: Page }> {
  // Blocked service workers: every API request goes through the page's network, where the lie sits.
  const context = await browser.newContext({ viewport: DESKTOP, serviceWorkers: "block" });
  w.contexts.push(context);
  const page = await context.newPage();
  page.on("pageerror", (e) => w.errors.push(e.message));
  return { context, page };
}

async function post(alice: LoggedInAccount, entry: { b64: string }): Promise<void> {
  const res = await postLogEntry(api, alice.cookie, alice.accountId, entry);
  if (res.status !== 201) throw new Error(`appending to the log failed: ${res.status} ${await res.text()}`);
}

async function world(): Promise<World> {
  const alice = await createAccount(api, "alice");
  const d0 = genesisDevice(alice);
  const d1 = await makeDevice();
  const add = await addDeviceEntry(accountLog(alice), d1, d0);
  await post(alice, add);
  const withD1 = await add.next();
  const revoke = await revokeEntry(withD1, d1.deviceId, d0);
  await post(alice, revoke);
  const revoked = await revoke.next();
  const blob = await recoveryBlobFor(revoked, alice.keys.recovery, 1);
  expect((await api.call("PUT", "/api/recovery/blob", { cookie: alice.cookie, json: { blob: toBase64url(blob) } })).status).toBe(204);

  const w = { contexts: [] as BrowserContext[], errors: [] as string[] };
  // Alice's other device: an empty browser restored from the recovery key (a recover entry).
  const { page: alicePage } = await newPage(w);
  await alicePage.goto(baseURL);
  await alicePage.getByTestId("restore-account").click();
  await alicePage.getByTestId("restore-method-key").check();
  await alicePage.getByTestId("restore-username").fill(alice.username);
  await alicePage.getByTestId("restore-secret").fill(await formatRecoveryKey(testCrypto, alice.keys.recoveryKey));
  await alicePage.getByTestId("restore-submit").click();
  await alicePage.getByTestId("my-username").filter({ hasText: alice.username }).waitFor({ timeout: 60_000 });

  // Bob verifies Alice's log on first sight and they exchange a message.
  const bobName = uniqueName("bob");
  const { page: bobPage } = await newPage(w);
  await signUpViaUi(bobPage, baseURL, bobName);
  await startChatViaUi(bobPage, alice.username);
  await sendViaUi(bobPage, "hello alice");
  await openChatViaUi(alicePage, bobName);
  await waitForHistory(alicePage, ["hello alice"], 60_000);
  await sendViaUi(alicePage, "hello bob");
  await waitForHistory(bobPage, ["hello alice", "hello bob"], 60_000);

  return { ...w, alice, d0, d1, oldIdentity: withD1.identity, keys: { identity: revoked.identity, history: revoked.history }, alicePage, bobPage, bobName };
}

/** Alice's log as given (base64url entries), verified, with her current keys: the base for new entries. */
async function logOf(w: World, entries: readonly string[]): Promise<AccountLog> {
  const bytes = entries.map(fromBase64url);
  return { accountId: w.alice.accountId, entries: bytes, state: await verifyLog(testCrypto, bytes, w.alice.accountId), ...w.keys };
}

async function serverLog(w: World): Promise<AccountLog> {
  const res = await api.call("GET", `/api/accounts/${w.alice.accountId}/log`, { cookie: w.alice.cookie });
  if (res.status !== 200) throw new Error(`fetching the log failed: ${res.status}`);
  return logOf(w, ((await res.json()) as { log: string[] }).log);
}

interface Case {
  name: string;
  slug: string;
  /** The problem Bob's client records for Alice. */
  contactCode: string;
  /** The code of Alice's own device's alarm, and the reason its banner gives in words. */
  ownCode: string;
  ownReason: string;
  lie: (w: World) => LogLie;
}

const cases: Case[] = [
  {
    name: "an entry the server forged (not signed by Alice's identity key)",
    slug: "forged",
    contactCode: "invalid_log",
    ownCode: "unknown_signer",
    ownReason: "a change to this account's devices that your account's current key did not sign",
    lie: (w) => async (real) => {
      const stranger = await makeAccount();
      const forged = await addDeviceEntry(await logOf(w, real), await makeDevice(), w.d0, { identity: stranger.keys.identity });
      return [...real, forged.b64];
    },
  },
  {
    name: "a log that went backwards (cut back to before the restore)",
    slug: "backwards",
    contactCode: "log_conflict",
    ownCode: "log_conflict",
    ownReason: "an older or different list of this account's devices than this device already checked",
    // Genesis, add D1, revoke D1: both clients have verified the recover entry after those.
    lie: () => async (real) => real.slice(0, 3),
  },
  {
    name: "an entry by the revoked device, signed with the identity key its revocation retired",
    slug: "old-identity",
    contactCode: "invalid_log",
    ownCode: "unknown_signer",
    ownReason: "a change to this account's devices that your account's current key did not sign",
    lie: (w) => async (real) => {
      const stale = await addDeviceEntry(await logOf(w, real), await makeDevice(), w.d1, { identity: w.oldIdentity });
      return [...real, stale.b64];
    },
  },
];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

describe("a lying server's device log is refused by a contact and by the account's other device", () => {
  test.each(cases)("$name", async (c) => {
    const w = await world();
    try {
      const [aliceContext, bobContext] = w.contexts as [BrowserContext, BrowserContext];
      const lie = c.lie(w);
      const lies = [await lieAboutLog(aliceContext, w.alice, lie), await lieAboutLog(bobContext, w.alice, lie)];

      // A real entry (D0 adds a device): the server pushes a "log" frame to Alice's devices and to Bob.
      await post(w.alice, await addDeviceEntry(await serverLog(w), await makeDevice(), w.d0));

      // Bob: the contact warning, and the composer stops.
      const bobWarning = w.bobPage.getByTestId("identity-warning");
      await bobWarning.waitFor({ timeout: WARNING_TIMEOUT_MS });
      expect(await bobWarning.textContent()).toContain(`${w.alice.username}'s identity has changed. Sending is stopped.`);
      expect(await bobWarning.textContent()).toContain("contradicts what you saw before");
      expect(await bobWarning.getAttribute("data-code")).toBe(c.contactCode);
      expect(await w.bobPage.getByTestId("composer").isDisabled()).toBe(true);
      expect(await w.bobPage.getByTestId("composer").getAttribute("placeholder")).toBe("Sending is stopped");
      expect(await w.bobPage.getByTestId("send").isDisabled()).toBe(true);
      await w.bobPage.screenshot({ path: `${SHOTS}/log-warning-${c.slug}-bob.png` });

      // Alice's browser: the account alarm naming the failed check, and sending refuses with a reason.
      const alarm = w.alicePage.getByTestId("own-log-warning");
      await alarm.waitFor({ timeout: WARNING_TIMEOUT_MS });
      expect(await alarm.textContent()).toContain("Your account's device list failed its security check. Sending is stopped.");
      expect(await alarm.textContent()).toContain(c.ownReason);
      expect(await alarm.getAttribute("data-code")).toBe(c.ownCode);
      const box = w.alicePage.getByTestId("composer");
      await box.fill("can you read this?");
      await box.press("Enter");
      await w.alicePage.getByRole("alert").filter({ hasText: "Sending is stopped because your account's device list failed its security check." }).waitFor();
      expect(await box.inputValue()).toBe("can you read this?");
      await w.alicePage.screenshot({ path: `${SHOTS}/log-warning-${c.slug}-alice.png` });

      // The lie is what both saw.
      expect(lies.map((l) => l.served() > 0)).toEqual([true, true]);

      // Lasting: with the server honest again, a reload keeps both warnings.
      for (const l of lies) await l.stop();
      await w.bobPage.reload();
      await openChatViaUi(w.bobPage, w.alice.username);
      await w.bobPage.getByTestId("identity-warning").waitFor({ timeout: WARNING_TIMEOUT_MS });
      expect(await w.bobPage.getByTestId("composer").isDisabled()).toBe(true);
      await w.alicePage.reload();
      await w.alicePage.getByTestId("own-log-warning").waitFor({ timeout: WARNING_TIMEOUT_MS });
      expect(w.errors).toEqual([]);
    } finally {
      for (const context of w.contexts) await context.close();
    }
  });
});
