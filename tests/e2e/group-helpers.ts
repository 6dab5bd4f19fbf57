// Drives groups in the web app (the New group dialog and the member panel) and reads what a page's
// own session and IndexedDB hold, for the protocol-level checks of tests/e2e/groups.test.ts.
import type { BrowserContext, Page, Route } from "playwright-core";
import { fromBase64url, toBase64url } from "../../protocol/index.js";
import { answerConfirm } from "./app";
import { rememberSecret } from "./known-secrets";

/** Makes a group in the UI and waits until its chat is open; returns the conversation id from the URL. */
export async function createGroupViaUi(page: Page, name: string, usernames: readonly string[]): Promise<string> {
  rememberSecret("group name", name);
  await page.getByTestId("new-group-button").click();
  await page.getByTestId("group-name-input").fill(name);
  for (const u of usernames) {
    await page.getByTestId("group-member-input").fill(u);
    await page.getByTestId("group-member-add").click();
    await page.getByTestId("group-new-member").filter({ hasText: u }).waitFor();
  }
  await page.getByTestId("group-create").click();
  await page.getByTestId("chat-title").filter({ hasText: name }).waitFor({ timeout: 30_000 });
  return conversationIdOf(page);
}

/** The id of the open conversation (the route is #/c/<id>). */
export function conversationIdOf(page: Page): string {
  const m = /#\/c\/([A-Za-z0-9_-]{22})$/.exec(page.url());
  if (!m) throw new Error(`no conversation is open at ${page.url()}`);
  return m[1]!;
}

/** Opens the member panel of the open group chat (idempotent). */
export async function openMembers(page: Page): Promise<void> {
  const panel = page.getByTestId("group-members");
  if (!(await panel.isVisible())) await page.getByTestId("group-members-button").click();
  await panel.waitFor();
}

export async function closeMembers(page: Page): Promise<void> {
  const panel = page.getByTestId("group-members");
  if (await panel.isVisible()) await panel.getByRole("button", { name: "Close" }).click();
  await panel.waitFor({ state: "hidden" });
}

/** Usernames the member panel lists, in its order. */
export async function listedMembers(page: Page): Promise<string[]> {
  await openMembers(page);
  const rows = page.getByTestId("group-member");
  const out: string[] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).getAttribute("data-username")) ?? "");
  return out;
}

/** Waits until the member panel lists exactly `expected` (any order). */
export async function waitForMembers(page: Page, expected: readonly string[], timeoutMs = 30_000): Promise<void> {
  const want = [...expected].sort();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const seen = (await listedMembers(page)).sort();
    if (JSON.stringify(seen) === JSON.stringify(want)) return;
    if (Date.now() > deadline) throw new Error(`members: expected ${JSON.stringify(want)}, panel lists ${JSON.stringify(seen)}`);
    await page.waitForTimeout(250);
  }
}

/** Admin: adds `username` from the member panel and waits for their row. */
export async function addMemberViaUi(page: Page, username: string): Promise<void> {
  await openMembers(page);
  await page.getByTestId("group-add-input").fill(username);
  await page.getByTestId("group-add-button").click();
  await page.getByTestId("group-member").and(page.locator(`[data-username="${username}"]`)).waitFor({ timeout: 30_000 });
}

/** Admin: removes `username` (accepting the confirmation) and waits until their row is gone. */
export async function removeMemberViaUi(page: Page, username: string): Promise<void> {
  await openMembers(page);
  const row = page.getByTestId("group-member").and(page.locator(`[data-username="${username}"]`));
  await row.getByTestId("group-member-remove").click();
  await answerConfirm(page, { mentions: username });
  await row.waitFor({ state: "detached", timeout: 30_000 });
}

/** Admin: sets the "New members can read earlier messages" switch and waits until the group says so. */
export async function setHistoryViaUi(page: Page, on: boolean): Promise<void> {
  await openMembers(page);
  const toggle = page.getByTestId("group-history-toggle");
  if ((await toggle.isChecked()) !== on) await toggle.click();
  await page.getByTestId("group-members").getByRole("status").filter({ hasText: on ? "can read earlier messages" : "read only what is written after" }).waitFor({ timeout: 30_000 });
  if ((await toggle.isChecked()) !== on) throw new Error("the history switch did not keep its new state");
}

/** Opens a group chat from the list once it appears there (a new member learns of it by push). */
export async function openGroupViaUi(page: Page, name: string, timeoutMs = 30_000): Promise<void> {
  const title = page.getByTestId("chat-title").filter({ hasText: name });
  const item = page.getByTestId("conversation-item").filter({ hasText: name });
  await item.or(title).filter({ visible: true }).first().waitFor({ timeout: timeoutMs });
  if (!(await title.isVisible())) await item.click();
  await title.waitFor();
}

export interface PageResponse {
  status: number;
  body: unknown;
}

/** A request made by the page itself, so it carries that device's session cookie and Origin. */
export function pageFetch(page: Page, path: string, init: { method?: string; json?: unknown } = {}): Promise<PageResponse> {
  return page.evaluate(
    async ({ path, method, json }) => {
      const r = await fetch(path, {
        method: method ?? "GET",
        credentials: "same-origin",
        ...(json === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(json) }),
      });
      const text = await r.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text for the failure message
      }
      return { status: r.status, body };
    },
    { path, method: init.method, json: init.json },
  );
}

/** This device's ids and log head as its IndexedDB holds them. */
export interface DeviceIdentity {
  accountId: string;
  deviceId: string;
  logSeq: number;
  logHead: Uint8Array;
}

export async function deviceIdentity(page: Page): Promise<DeviceIdentity> {
  const r = await page.evaluate(async () => {
    const req = <T>(x: IDBRequest<T>) => new Promise<T>((ok, no) => ((x.onsuccess = () => ok(x.result)), (x.onerror = () => no(x.error))));
    const db = await req(indexedDB.open("sealed"));
    const tx = db.transaction(["account", "device"], "readonly");
    const account = (await req(tx.objectStore("account").get("self"))) as { accountId: string; head: { seq: number; hash: Uint8Array } };
    const device = (await req(tx.objectStore("device").get("self"))) as { deviceId: string };
    db.close();
    return { accountId: account.accountId, deviceId: device.deviceId, logSeq: account.head.seq, logHead: Array.from(account.head.hash) };
  });
  return { ...r, logHead: Uint8Array.from(r.logHead) };
}

/**
 * Signs `input` with the page's own device signing key (Ed25519, non-extractable in IndexedDB): what a
 * member's device would sign, made to order by the test. The key never leaves the page.
 */
export async function signWithDeviceKey(page: Page, input: Uint8Array): Promise<Uint8Array> {
  const sig = await page.evaluate(async (b64) => {
    const req = <T>(x: IDBRequest<T>) => new Promise<T>((ok, no) => ((x.onsuccess = () => ok(x.result)), (x.onerror = () => no(x.error))));
    const db = await req(indexedDB.open("sealed"));
    const device = (await req(db.transaction("device", "readonly").objectStore("device").get("self"))) as { signingKey: CryptoKey };
    db.close();
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    return Array.from(new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, device.signingKey, bytes)));
  }, Buffer.from(input).toString("base64"));
  return Uint8Array.from(sig);
}

export const b64url = { encode: toBase64url, decode: fromBase64url };

/**
 * The lying server for a group's membership log (as lying-server.ts does for device logs): the context's
 * GET /api/conversations/:id/membership answers still come from the real server, and while the real log
 * has `realLength` entries the `forged` one (base64url) is appended to it. Contexts need
 * `serviceWorkers: "block"` so no request escapes the routing. Returns how many answers were rewritten.
 */
export async function appendToMembershipLog(context: BrowserContext, conversationId: string, realLength: number, forged: string): Promise<() => number> {
  const path = `/api/conversations/${conversationId}/membership`;
  let served = 0;
  await context.route(
    (url) => url.pathname === path,
    async (route: Route) => {
      if (route.request().method() !== "GET") return route.continue();
      const response = await route.fetch();
      const real = (await response.json().catch(() => undefined)) as { entries?: unknown } | undefined;
      const entries = real?.entries;
      if (response.status() !== 200 || !Array.isArray(entries) || entries.length !== realLength) return route.fulfill({ response });
      served += 1;
      // The body changes length: drop the real answer's length and encoding, keep its other headers.
      const headers = Object.fromEntries(Object.entries(response.headers()).filter(([k]) => k !== "content-length" && k !== "content-encoding"));
      await route.fulfill({ status: 200, headers, json: { ...real, entries: [...(entries as unknown[]), forged] } });
    },
  );
  return () => served;
}
