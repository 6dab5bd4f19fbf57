// Drives replies, reactions, edits and deletes in the web app as a person does (hover toolbar, "More
// actions" menu, composer bars, the confirmation dialog), links a second device by pasted code, and reads
// what a page's IndexedDB holds, for the issue-17 end-to-end tests.
import type { Locator, Page } from "playwright-core";
import { expect } from "vitest";
import { ClientMessageId, DeviceId } from "../../protocol/index.js";
import { answerConfirm } from "./app";
import { rememberSecret } from "./known-secrets";

/** The bubble whose own text (not a quote) is exactly `text`. */
export function bubble(page: Page, text: string): Locator {
  return page.getByTestId("message").filter({ has: page.getByTestId("message-text").getByText(text, { exact: true }) });
}

/** Opens the "More actions" menu of a bubble, with the keyboard when `keyboard` (focus, Enter). */
export async function openMenu(page: Page, message: Locator, keyboard = false): Promise<Locator> {
  const more = message.getByTestId("more-actions");
  if (keyboard) {
    await more.focus();
    await more.press("Enter");
  } else {
    await message.hover();
    await more.click();
  }
  const menu = page.getByTestId("message-menu");
  await menu.waitFor();
  return menu;
}

export async function reactViaUi(page: Page, message: Locator, emoji: string): Promise<void> {
  await message.hover();
  await message.getByTestId("react-button").click();
  await page.getByTestId("message-menu").getByTestId(`react-${emoji}`).click();
  await page.getByTestId("message-menu").waitFor({ state: "detached" });
}

/** Replies to a message from its hover toolbar: the composer says whom, Enter sends. */
export async function replyViaUi(page: Page, message: Locator, text: string): Promise<void> {
  rememberSecret("message", text);
  await message.hover();
  await message.getByTestId("reply-button").click();
  await page.getByTestId("composer-mode").filter({ hasText: "Replying to" }).waitFor();
  await page.getByTestId("composer").pressSequentially(text);
  await page.getByTestId("composer").press("Enter");
  await page.getByTestId("composer-mode").waitFor({ state: "detached" });
}

/** Edits one's own message from its menu: the box holds its text, replaced by `text`, Enter saves. */
export async function editViaUi(page: Page, message: Locator, text: string): Promise<void> {
  rememberSecret("message", text);
  await (await openMenu(page, message)).getByTestId("menu-edit").click();
  await page.getByTestId("composer-mode").filter({ hasText: "Editing message" }).waitFor();
  await page.getByTestId("composer").fill(text);
  await page.getByTestId("composer").press("Enter");
  await page.getByTestId("composer-mode").waitFor({ state: "detached" });
}

export async function deleteViaUi(page: Page, message: Locator, shot?: string): Promise<void> {
  await (await openMenu(page, message)).getByTestId("menu-delete").click();
  await answerConfirm(page, { mentions: "everyone", ...(shot ? { shot } : {}) });
}

/** The chips under a bubble as "👍 2 alice, You". */
export async function chips(message: Locator): Promise<string[]> {
  const all = message.getByTestId("reaction-chip");
  const out: string[] = [];
  for (let i = 0; i < (await all.count()); i++) {
    const c = all.nth(i);
    out.push(`${await c.getAttribute("data-emoji")} ${await c.getAttribute("data-count")} ${await c.getAttribute("data-names")}`);
  }
  return out;
}

export async function waitForChips(message: Locator, expected: readonly string[], timeout = 30_000): Promise<void> {
  await expect.poll(() => chips(message), { timeout }).toEqual(expected);
}

/**
 * Every string this page's IndexedDB holds (every database, every store, every value, walked deeply),
 * for "the text is gone from this device" checks.
 */
export function storedStrings(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const out: string[] = [];
    const walk = (v: unknown, depth: number): void => {
      if (depth > 6 || v === null || v === undefined) return;
      if (typeof v === "string") out.push(v);
      else if (Array.isArray(v)) for (const x of v) walk(x, depth + 1);
      else if (typeof v === "object" && !ArrayBuffer.isView(v) && !(v instanceof CryptoKey)) for (const x of Object.values(v)) walk(x, depth + 1);
    };
    for (const info of await indexedDB.databases()) {
      if (!info.name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open(info.name!);
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      for (const name of Array.from({ length: db.objectStoreNames.length }, (_, i) => db.objectStoreNames.item(i)!)) {
        const all = await new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(name).objectStore(name).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
        walk(all, 0);
      }
      db.close();
    }
    return out;
  });
}

/** The server positions of the envelopes this page's store keeps for a conversation, its receipts left out. */
export function storedEnvelopeSeqs(page: Page, conversationId: string): Promise<number[]> {
  return page.evaluate(async (id) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((resolve, reject) => {
        const r = db.transaction(store).objectStore(store).getAll();
        r.onsuccess = () => resolve(r.result as T[]);
        r.onerror = () => reject(r.error);
      });
    const rows = await all<{ conversationId: string; seq: number }>("envelopes");
    // Delivered and read marks (kind 6) are envelopes too, sent as the devices see messages: left out.
    const receipts = new Set((await all<{ conversationId: string; seq?: number; kindNumber?: number }>("messages")).filter((m) => m.conversationId === id && m.kindNumber === 6).map((m) => m.seq));
    db.close();
    return rows.filter((e) => e.conversationId === id && !receipts.has(e.seq)).map((e) => e.seq);
  }, conversationId);
}

/** Links `fresh` (a new browser context at `baseURL`) to the account signed in on `existing`, by pasting the link code. */
export async function linkViaPaste(existing: Page, fresh: Page, baseURL: string, username: string): Promise<void> {
  await fresh.goto(baseURL);
  await fresh.getByRole("button", { name: "Link to an existing account" }).click();
  const field = fresh.getByTestId("link-code");
  await field.waitFor();
  const code = await field.inputValue();
  const back = existing.url();
  await existing.goto(`${baseURL}/#/settings`);
  await existing.getByTestId("link-a-device").click();
  await existing.getByTestId("paste-code").fill(code);
  await existing.getByRole("button", { name: "Continue" }).click();
  await existing.getByTestId("link-device-name").waitFor({ timeout: 30_000 });
  await existing.getByTestId("link-confirm").click();
  await fresh.getByTestId("confirm-account").filter({ hasText: `@${username}` }).waitFor({ timeout: 30_000 });
  await fresh.getByRole("button", { name: "Yes" }).click();
  await fresh.getByTestId("my-username").filter({ hasText: username }).waitFor({ timeout: 60_000 });
  await existing.getByTestId("link-done").waitFor({ timeout: 30_000 });
  await existing.getByRole("button", { name: "Done" }).click();
  await existing.goto(back);
}

/** The stable id (sender device, client message id) of the message reading `text` in this page's store. */
export async function storedRef(page: Page, text: string): Promise<{ deviceId: DeviceId; clientMessageId: ClientMessageId }> {
  const raw = await page.evaluate(async (t) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open("sealed");
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const rows = await new Promise<{ text: string; senderDeviceId: string; clientMessageId: string }[]>((resolve, reject) => {
      const r = db.transaction("messages").objectStore("messages").getAll();
      r.onsuccess = () => resolve(r.result as { text: string; senderDeviceId: string; clientMessageId: string }[]);
      r.onerror = () => reject(r.error);
    });
    db.close();
    const row = rows.find((m) => m.text === t);
    return row ? [row.senderDeviceId, row.clientMessageId] : undefined;
  }, text);
  if (!raw) throw new Error(`no stored message reads ${JSON.stringify(text)}`);
  return { deviceId: DeviceId.parse(raw[0]!), clientMessageId: ClientMessageId.parse(raw[1]!) };
}
