// The walking skeleton end to end: two people in two real browser profiles sign up, chat, reload,
// restart their browsers, and the server's storage never holds a message or a recovery secret.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { Label, cryptoEnvFrom, hkdf, parseRecoveryKey, utf8 } from "../../protocol/index.js";
import { messageTexts, openChatViaUi, sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory } from "./app";
import { findInServerStorage, launchPersistent } from "./harness";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

interface Person {
  name: string;
  dir: string;
  viewport: { width: number; height: number };
  context?: BrowserContext;
  page?: Page;
  recoveryKey?: string;
}

const baseURL = inject("baseURL");
const alice: Person = { name: uniqueName("alice"), dir: mkdtempSync(join(tmpdir(), "sealed-alice-")), viewport: DESKTOP };
// Bob uses the phone layout throughout: one pane at a time, with a back button.
const bob: Person = { name: uniqueName("bob"), dir: mkdtempSync(join(tmpdir(), "sealed-bob-")), viewport: PHONE };
const expected: string[] = [];
const consoleErrors: string[] = [];

async function launch(p: Person): Promise<Page> {
  p.context = await launchPersistent(p.dir, [], { viewport: p.viewport });
  p.page = p.context.pages()[0] ?? (await p.context.newPage());
  p.page.on("pageerror", (e) => consoleErrors.push(`${p.name}: ${e.message}`));
  return p.page;
}

async function close(p: Person): Promise<void> {
  await p.context?.close();
  p.context = undefined;
  p.page = undefined;
}

const page = (p: Person): Page => {
  if (!p.page) throw new Error(`${p.name}'s browser is not running`);
  return p.page;
};

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  await launch(alice);
  await launch(bob);
});

afterAll(async () => {
  await close(alice);
  await close(bob);
  rmSync(alice.dir, { recursive: true, force: true });
  rmSync(bob.dir, { recursive: true, force: true });
});

describe("two people chatting", () => {
  test("both sign up; the recovery key is shown once, in groups, behind a confirmation", async () => {
    alice.recoveryKey = await signUpViaUi(page(alice), baseURL, alice.name, { onboarding: `${SHOTS}/onboarding-desktop.png`, recovery: `${SHOTS}/recovery-desktop.png` });
    bob.recoveryKey = await signUpViaUi(page(bob), baseURL, bob.name, { onboarding: `${SHOTS}/onboarding-phone.png`, recovery: `${SHOTS}/recovery-phone.png` });
    for (const rk of [alice.recoveryKey, bob.recoveryKey]) expect(rk).toMatch(/^([0-9A-Z]{4}-){7}[0-9A-Z]{4}$/);
    expect(await page(alice).getByTestId("no-conversations").textContent()).toContain("No conversations yet — start one with a username");
    await page(alice).screenshot({ path: `${SHOTS}/empty-desktop.png` });
  });

  test("a username that does not exist gets a readable error", async () => {
    const a = page(alice);
    await a.getByTestId("new-chat").click();
    await a.getByLabel("Username").fill(uniqueName("nobody"));
    await a.getByRole("button", { name: "Start chat" }).click();
    await expect.poll(() => a.getByTestId("new-chat-dialog").getByRole("alert").textContent()).toBe("No one uses that username.");
    await a.getByRole("button", { name: "Cancel" }).click();
  });

  test("alternating messages arrive in the same order on both sides", async () => {
    const a = page(alice);
    const b = page(bob);
    await startChatViaUi(a, bob.name);
    for (let i = 1; i <= 6; i++) {
      const fromAlice = i === 3 ? `Alice ${i}: two lines\nsecond line <b>not bold</b>` : `Alice ${i}: hello Bob ${"*".repeat(i)}`;
      await sendViaUi(a, fromAlice);
      expected.push(fromAlice);
      if (i === 1) {
        // Bob has never heard of Alice: her chat appears in his list; he opens it (phone: list, then chat).
        await b.getByTestId("conversation-item").filter({ hasText: alice.name }).waitFor({ timeout: 20_000 });
        await b.screenshot({ path: `${SHOTS}/list-phone.png` });
        await openChatViaUi(b, alice.name);
      }
      await waitForHistory(b, expected);
      const fromBob = `Bob ${i}: hi Alice — ünïcödé ✓ ${i}`;
      await sendViaUi(b, fromBob);
      expected.push(fromBob);
      await waitForHistory(a, expected);
    }
    await waitForHistory(b, expected);
    expect(expected).toHaveLength(12);
    // Text is rendered as text: markup typed into a message does not become elements.
    expect(await a.getByTestId("message-text").locator("b").count()).toBe(0);
    await a.screenshot({ path: `${SHOTS}/chat-desktop.png` });
    await b.screenshot({ path: `${SHOTS}/chat-phone.png` });
  });

  test("the safety number is the same on both sides", async () => {
    const read = async (p: Page) => {
      await p.getByTestId("safety-number-button").click();
      const sn = p.getByTestId("safety-number");
      await sn.waitFor();
      const digits = (await sn.locator("span").allTextContents()).join(" ");
      return digits;
    };
    const a = await read(page(alice));
    await page(alice).screenshot({ path: `${SHOTS}/safety-desktop.png` });
    const b = await read(page(bob));
    expect(a).toMatch(/^(\d{5} ){11}\d{5}$/);
    expect(b).toBe(a);
    for (const p of [page(alice), page(bob)]) await p.getByRole("button", { name: "Done" }).click();
  });

  test("after a reload both still see the whole history in order", async () => {
    for (const [p, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      await page(p).reload();
      await openChatViaUi(page(p), peer.name);
      await waitForHistory(page(p), expected, 10_000);
    }
  });

  test("after closing and relaunching both browsers, history is there and they are still signed in", async () => {
    await close(alice);
    await close(bob);
    for (const [p, peer] of [
      [alice, bob],
      [bob, alice],
    ] as const) {
      const pg = await launch(p);
      await pg.goto(baseURL);
      await pg.getByTestId("my-username").filter({ hasText: p.name }).waitFor();
      expect(await pg.getByLabel("Choose a username").count()).toBe(0);
      await openChatViaUi(pg, peer.name);
      await waitForHistory(pg, expected, 10_000);
    }
    // And the session works: one more message each way.
    await sendViaUi(page(alice), "Alice: back after a restart");
    expected.push("Alice: back after a restart");
    await waitForHistory(page(bob), expected);
    await sendViaUi(page(bob), "Bob: me too");
    expected.push("Bob: me too");
    await waitForHistory(page(alice), expected);
    expect(await messageTexts(page(alice))).toEqual(expected);
  });

  test("the phone layout goes back from the chat to the list", async () => {
    const b = page(bob);
    await b.getByRole("link", { name: "Back to chats" }).click();
    await b.getByTestId("conversation-item").filter({ hasText: alice.name }).waitFor();
    expect(await b.getByTestId("composer").isVisible()).toBe(false);
    await openChatViaUi(b, alice.name);
  });

  test("the server's storage holds no message text and no recovery secret", async () => {
    const persistDir = inject("persistDir");
    // Positive control: the scan does see what the server stores in the clear.
    expect(findInServerStorage(persistDir, alice.name).length).toBeGreaterThan(0);
    // It reads each conversation's own object too (issue 22): the chat's id, in the clear in its
    // ConversationLog's SQLite, where the envelopes are.
    const chatId = new URL(page(bob).url()).hash.replace(/^#\/c\//, "");
    expect(chatId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(findInServerStorage(persistDir, chatId).filter((f) => f.includes("ConversationLog"))).not.toEqual([]);
    const needles: Array<[string, string | Uint8Array]> = [];
    for (const t of expected) {
      needles.push([`message ${JSON.stringify(t)}`, t]);
      for (const line of t.split("\n")) if (line.length >= 8) needles.push([`line of ${JSON.stringify(t)}`, line]);
    }
    const env = cryptoEnvFrom(globalThis.crypto);
    for (const p of [alice, bob]) {
      const rk = await parseRecoveryKey(env, p.recoveryKey!);
      const empty = new Uint8Array(0);
      needles.push([`${p.name} recovery key text`, p.recoveryKey!]);
      needles.push([`${p.name} recovery key text without dashes`, p.recoveryKey!.replace(/-/g, "")]);
      needles.push([`${p.name} recovery key bytes`, rk]);
      needles.push([`${p.name} recovery signing seed`, await hkdf(env, rk, empty, utf8(Label.recoverySigning), 32)]);
      needles.push([`${p.name} recovery box seed`, await hkdf(env, rk, empty, utf8(Label.recoveryBox), 32)]);
      needles.push([`${p.name} recovery wrap key`, await hkdf(env, rk, empty, utf8(Label.recoveryWrap), 32)]);
    }
    const hits = needles.flatMap(([what, n]) => findInServerStorage(persistDir, n).map((file) => `${what} in ${file}`));
    expect(hits).toEqual([]);
  });

  test("a contact whose identity changed gets a blocking red warning and sending stops", async () => {
    // Detecting the change (another genesis for the username, a log that went backwards or forked) is
    // client logic, tested with a lying server in tests/unit/client/contacts.test.ts: the real worker
    // offers no way to swap an account's genesis. Here the stored verdict is planted to check the UI.
    const a = page(alice);
    await a.evaluate(`(async () => {
      const req = (r) => new Promise((ok, no) => { r.onsuccess = () => ok(r.result); r.onerror = () => no(r.error); });
      const db = await req(indexedDB.open("sealed"));
      const store = db.transaction("contacts", "readwrite").objectStore("contacts");
      const rows = await req(store.getAll());
      const bob = rows.find((r) => r.username === ${JSON.stringify(bob.name)});
      await req(store.put({ ...bob, status: "identity_changed", problem: { code: "identity_mismatch", detail: "test", at: Date.now() } }));
      db.close();
    })()`);
    await a.reload();
    await openChatViaUi(a, bob.name);
    const warning = a.getByTestId("identity-warning");
    await warning.waitFor();
    expect(await warning.getAttribute("role")).toBe("alert");
    expect(await warning.textContent()).toContain(`${bob.name}'s identity has changed. Sending is stopped.`);
    expect(await a.getByTestId("composer").isDisabled()).toBe(true);
    expect(await a.getByTestId("send").isDisabled()).toBe(true);
    expect(await a.getByTestId("conversation-item").filter({ hasText: bob.name }).textContent()).toContain("Identity changed");
    // The history stays readable.
    await waitForHistory(a, expected, 10_000);
    await a.screenshot({ path: `${SHOTS}/identity-changed-desktop.png` });
  });

  test("no page errors were thrown", () => {
    expect(consoleErrors).toEqual([]);
  });
});
