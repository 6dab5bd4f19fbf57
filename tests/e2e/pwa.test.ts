// The installable PWA: Chromium finds nothing missing for installation; a new build of the service
// worker is offered with "Update" instead of replacing the app under the user, and accepting it loads
// the new version with local data intact; and a browser that lost its local data says so.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { SHOTS, openProfile, waitForServiceWorker, type Browser1 } from "./pwa-helpers";
import { DedicatedServer } from "./server";

const repo = resolve(import.meta.dirname, "../..");
const NEW_VERSION = `e2e-update-${Date.now().toString(36)}`;
const server = new DedicatedServer();
const tmp = mkdtempSync(join(tmpdir(), "sealed-pwa-"));
/** What the server serves: first a copy of the normal build, then a second build with NEW_VERSION. */
const served = join(tmp, "served");
const nextBuild = join(tmp, "next");
const dirs = [join(tmp, "alice"), join(tmp, "bob")];
let alice: Browser1;
let bob: Browser1;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const history: string[] = [];

/** Replaces what the server serves with the contents of `from`. */
function serve(from: string): void {
  rmSync(served, { recursive: true, force: true });
  cpSync(from, served, { recursive: true });
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  const build = spawnSync(join(repo, "node_modules/.bin/vite"), ["build", "--outDir", nextBuild, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: repo,
    env: { ...process.env, VITE_APP_VERSION: NEW_VERSION },
    encoding: "utf8",
  });
  if (build.status !== 0) throw new Error(`second build failed:\n${build.stdout}\n${build.stderr}`);
  serve(join(repo, "dist/web"));
  await server.start(served);
  alice = await openProfile(dirs[0]!);
  bob = await openProfile(dirs[1]!);
}, 180_000);

afterAll(async () => {
  await alice?.context.close();
  await bob?.context.close();
  await server.dispose();
  rmSync(tmp, { recursive: true, force: true });
});

describe("installable PWA", () => {
  test("the manifest names the app and its PNG icons, one maskable", () => {
    const m = JSON.parse(readFileSync(join(served, "manifest.webmanifest"), "utf8"));
    expect(m).toMatchObject({ name: "Sealed", short_name: "Sealed", start_url: "/", scope: "/", display: "standalone" });
    expect(m.description.length).toBeGreaterThan(10);
    const sizes = (m.icons as Array<{ sizes: string; type: string; purpose: string }>).filter((i) => i.type === "image/png");
    expect(sizes.map((i) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
    expect(sizes.some((i) => i.purpose === "maskable")).toBe(true);
  });

  test("Chromium reports no installability errors once the service worker is active", async () => {
    await signUpViaUi(alice.page, server.baseURL, aliceName);
    await waitForServiceWorker(alice.page);
    const cdp = await alice.context.newCDPSession(alice.page);
    const manifest = (await cdp.send("Page.getAppManifest")) as { errors: unknown[]; url: string };
    expect(manifest.errors).toEqual([]);
    expect(manifest.url).toBe(`${server.baseURL}/manifest.webmanifest`);
    const { installabilityErrors } = (await cdp.send("Page.getInstallabilityErrors")) as { installabilityErrors: unknown[] };
    expect(installabilityErrors).toEqual([]);
    await cdp.detach();
  });

  test("a new build is offered as an update; accepting it loads the new version with history intact", async () => {
    await signUpViaUi(bob.page, server.baseURL, bobName);
    await startChatViaUi(alice.page, bobName);
    await sendViaUi(alice.page, "before the update, from Alice");
    history.push("before the update, from Alice");
    await openChatViaUi(bob.page, aliceName);
    await sendViaUi(bob.page, "before the update, from Bob");
    history.push("before the update, from Bob");
    await waitForHistory(alice.page, history);
    await waitForHistory(bob.page, history);
    const oldVersion = await alice.page.getByTestId("app-version").textContent();
    expect(oldVersion).not.toBe(NEW_VERSION);

    // Deploy the second build (same origin: same port and server state).
    await server.stop();
    serve(nextBuild);
    await server.start(served);

    await alice.page.reload();
    const prompt = alice.page.getByTestId("update-prompt");
    await prompt.waitFor({ timeout: 30_000 });
    expect(await prompt.textContent()).toContain("Update available");
    // Nothing changed under the user: the old version still runs until they accept.
    expect(await alice.page.getByTestId("app-version").textContent()).toBe(oldVersion);
    await alice.page.screenshot({ path: `${SHOTS}/update-prompt.png` });

    await prompt.getByRole("button", { name: "Update" }).click();
    await alice.page.getByTestId("app-version").filter({ hasText: NEW_VERSION }).waitFor({ timeout: 30_000 });
    expect(await alice.page.getByTestId("update-prompt").count()).toBe(0);
    await openChatViaUi(alice.page, bobName);
    await waitForHistory(alice.page, history, 10_000);
    // And the new version still chats.
    await sendViaUi(alice.page, "after the update");
    history.push("after the update");
    await waitForHistory(bob.page, history);
  });

  test("a browser that deleted the local data says so instead of showing an empty account", async () => {
    const cdp = await bob.context.newCDPSession(bob.page);
    await cdp.send("Storage.clearDataForOrigin", { origin: server.baseURL, storageTypes: "indexeddb" });
    await cdp.detach();
    await bob.page.reload();
    const screen = bob.page.getByTestId("evicted");
    await screen.waitFor();
    expect(await bob.page.getByRole("heading", { name: "This browser deleted your local data" }).isVisible()).toBe(true);
    expect(await bob.page.getByRole("button", { name: "Link this device" }).isEnabled()).toBe(true);
    expect(await bob.page.getByRole("button", { name: "Restore with recovery key" }).isEnabled()).toBe(true);
    expect(await bob.page.getByLabel("Choose a username").count()).toBe(0);
    await bob.page.screenshot({ path: `${SHOTS}/evicted.png` });
    // The honest way out for now: a new account.
    await bob.page.getByTestId("start-over").click();
    await bob.page.getByLabel("Choose a username").waitFor();
  });

  test("no page errors were thrown", () => {
    expect([...alice.errors, ...bob.errors]).toEqual([]);
  });
});
