// Offline first: the app shell comes from the service worker's precache and the history from IndexedDB,
// so a reload shows the app and every message with the network off and with the server stopped. This
// file runs its own server so that stopping it leaves the other files' server alone.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { SHOTS, openProfile, waitForServiceWorker, waitForStatus, type Browser1 } from "./pwa-helpers";
import { DedicatedServer } from "./server";

const server = new DedicatedServer();
const dirs = [mkdtempSync(join(tmpdir(), "sealed-off-a-")), mkdtempSync(join(tmpdir(), "sealed-off-b-"))];
let alice: Browser1;
let bob: Browser1;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const history: string[] = [];

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await server.start();
  alice = await openProfile(dirs[0]!);
  bob = await openProfile(dirs[1]!);
});

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
  await server.dispose();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("offline first", () => {
  test("two people chat while everything is up", async () => {
    await signUpViaUi(alice.page, server.baseURL, aliceName);
    await signUpViaUi(bob.page, server.baseURL, bobName);
    await startChatViaUi(alice.page, bobName);
    for (let i = 1; i <= 3; i++) {
      const a = `Alice ${i}: offline-first test`;
      await sendViaUi(alice.page, a);
      history.push(a);
      if (i === 1) await openChatViaUi(bob.page, aliceName);
      await waitForHistory(bob.page, history);
      const b = `Bob ${i}: got it`;
      await sendViaUi(bob.page, b);
      history.push(b);
      await waitForHistory(alice.page, history);
    }
    await waitForServiceWorker(alice.page);
    await waitForStatus(alice.page, "online");
  });

  test("with the network off, a reload shows the app and the whole history", async () => {
    await alice.context.setOffline(true);
    await alice.page.reload();
    await alice.page.getByTestId("my-username").filter({ hasText: aliceName }).waitFor();
    await openChatViaUi(alice.page, bobName);
    await waitForHistory(alice.page, history, 10_000);
    await waitForStatus(alice.page, "offline");
    await alice.page.screenshot({ path: `${SHOTS}/offline-network-off.png` });
    // Settings is a chunk loaded on demand, never opened here before: the service worker precached it.
    await alice.page.getByTestId("open-settings").click();
    await alice.page.getByTestId("privacy-settings").waitFor();
    expect(await alice.page.getByTestId("screen-load-failed").count()).toBe(0);
    await alice.page.getByTestId("settings-back").click();
    await alice.context.setOffline(false);
    await waitForStatus(alice.page, "online");
  });

  test("with the server stopped, a reload shows the app and the whole history", async () => {
    await server.stop();
    const failed = await alice.page.evaluate(() => fetch("/api/health").then(() => false, () => true));
    expect(failed).toBe(true);
    await alice.page.reload();
    await alice.page.getByTestId("my-username").filter({ hasText: aliceName }).waitFor();
    await openChatViaUi(alice.page, bobName);
    await waitForHistory(alice.page, history, 10_000);
    await waitForStatus(alice.page, "offline");
    expect(await alice.page.getByTestId("offline-notice").isVisible()).toBe(true);
    await alice.page.screenshot({ path: `${SHOTS}/offline-server-stopped.png` });
    // The service worker answers any other path with the app shell, but never an /api/ path.
    const tab = await alice.context.newPage();
    await tab.goto(`${server.baseURL}/some/deep/link`);
    await tab.getByTestId("my-username").filter({ hasText: aliceName }).waitFor();
    await expect(tab.goto(`${server.baseURL}/api/health`)).rejects.toThrow();
    await tab.close();
    // Back up: the client reconnects by itself and the pill says so.
    await server.start();
    await waitForStatus(alice.page, "online", 60_000);
  });

  test("no page errors were thrown", () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
