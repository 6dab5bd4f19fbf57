// Drives the Sealed web app the way a person does: by labels, roles and the test ids the UI exposes.
import type { Page } from "playwright-core";
import { inject } from "vitest";
import { rememberPublic, rememberSecret } from "./known-secrets";

/** Unique per run: every e2e file shares one server. */
export function uniqueName(base: string): string {
  return `${base}_${Math.random().toString(36).slice(2, 8)}`;
}

/**
 * A fresh browser's first visit. About one full e2e run in two on this machine, busy or idle, one file's
 * first navigation never fired its load event within 60 s (keys, chat and security-headers tests, each
 * alone passing at once): the local dev server left a request of that first visit unanswered. So a first
 * visit still waiting after 30 s is made again, once, with 60 s; if the app is already on screen the wait
 * ends there. An app that does not load still fails, on the second try.
 */
export async function firstVisit(page: Page, url: string): Promise<void> {
  try {
    await page.goto(url, { timeout: 30_000 });
  } catch (e) {
    if (!(e instanceof Error && e.name === "TimeoutError")) throw e;
    if (await page.getByLabel("Choose a username").isVisible().catch(() => false)) return;
    console.warn(`first visit to ${url} unanswered after 30 s: navigating again`);
    await page.goto(url, { timeout: 60_000 });
  }
}

/** Signs up through onboarding; returns the recovery key exactly as the screen showed it. */
export async function signUpViaUi(page: Page, baseURL: string, username: string, shots?: { onboarding?: string; recovery?: string }): Promise<string> {
  // A first visit loads the whole app and installs its service worker: on a busy 2-core machine that once
  // took longer than Playwright's default 30 s (a harness limit, not a measurement).
  await firstVisit(page, baseURL);
  await page.getByLabel("Choose a username").fill(username);
  if (shots?.onboarding) await page.screenshot({ path: shots.onboarding });
  await page.getByRole("button", { name: "Create account" }).click();
  const key = page.getByTestId("recovery-key");
  // Key generation and the first requests of a new account: as generous as the first visit (see firstVisit).
  await key.waitFor({ timeout: 60_000 });
  const groups = await key.locator("span").allTextContents();
  if (shots?.recovery) await page.screenshot({ path: shots.recovery });
  const cont = page.getByRole("button", { name: "Continue" });
  if (!(await cont.isDisabled())) throw new Error("Continue must wait for the 'I saved my recovery key' confirmation");
  await page.getByLabel("I saved my recovery key").check();
  // Continue also waits for one group of the key typed back.
  const confirm = page.getByTestId("confirm-group");
  const n = Number(await confirm.getAttribute("data-group"));
  if (!(await cont.isDisabled())) throw new Error("Continue must wait for a group of the key typed back");
  await confirm.fill(groups[n - 1]!);
  await cont.click();
  await page.getByTestId("my-username").filter({ hasText: username }).waitFor();
  // Only the shared server's storage is checked for public values (dedicated servers are deleted first).
  if (baseURL === inject("baseURL")) rememberPublic(username);
  rememberSecret("recovery key", groups.join("-"));
  return groups.join("-");
}

export async function startChatViaUi(page: Page, peer: string): Promise<void> {
  await page.getByTestId("new-chat").click();
  await page.getByLabel("Username").fill(peer);
  await page.getByRole("button", { name: "Start chat" }).click();
  await page.getByTestId("chat-title").filter({ hasText: peer }).waitFor();
}

/** Opens the chat with `peer` from the list (on a phone the list is hidden while a chat is open). */
export async function openChatViaUi(page: Page, peer: string): Promise<void> {
  const title = page.getByTestId("chat-title").filter({ hasText: peer });
  const item = page.getByTestId("conversation-item").filter({ hasText: peer });
  await item.or(title).filter({ visible: true }).first().waitFor();
  if (!(await title.isVisible())) await item.click();
  await title.waitFor();
}

/** Types into the composer and presses Enter; "\n" in `text` is typed as Shift+Enter. */
export async function sendViaUi(page: Page, text: string): Promise<void> {
  rememberSecret("message", text);
  const box = page.getByTestId("composer");
  await box.click();
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i > 0) await box.press("Shift+Enter");
    await box.pressSequentially(lines[i]!);
  }
  await box.press("Enter");
  // The box empties at once; `data-sending` says when the message is sealed and stored (shown as pending
  // or sent). A text that could not be sent comes back to the box.
  for (let i = 0; (await box.getAttribute("data-sending")) !== "false"; i++) {
    if (i > 100) throw new Error("the composer is still sending");
    await page.waitForTimeout(50);
  }
  if ((await box.inputValue()) !== "") throw new Error("the composer kept its text: sending failed");
}

export function messageTexts(page: Page): Promise<string[]> {
  return page.getByTestId("message-text").allTextContents();
}

/** Waits until the open chat shows exactly `expected`, in order, none of them still pending. */
export async function waitForHistory(page: Page, expected: readonly string[], timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let seen: string[] = [];
  for (;;) {
    seen = await messageTexts(page);
    const pending = await page.getByText("Sending…").count();
    if (pending === 0 && seen.length === expected.length && seen.every((t, i) => t === expected[i])) return;
    if (Date.now() > deadline) throw new Error(`history mismatch:\n expected ${JSON.stringify(expected)}\n      saw ${JSON.stringify(seen)} (${pending} pending)`);
    await page.waitForTimeout(200);
  }
}

/**
 * Answers the app's in-app confirmation (the open `sealed-confirm-dialog`; several screens have one),
 * after checking that what it asks mentions `mentions`: confirms, or cancels with `accept: false`.
 */
export async function answerConfirm(page: Page, o: { mentions: string; accept?: boolean; shot?: string }): Promise<void> {
  const dialog = page.locator("dialog[data-testid=confirm-dialog][open]");
  await dialog.waitFor();
  const asked = (await dialog.textContent()) ?? "";
  if (!asked.includes(o.mentions)) throw new Error(`the confirmation does not mention ${JSON.stringify(o.mentions)}: ${JSON.stringify(asked)}`);
  if (o.shot) await page.screenshot({ path: o.shot });
  await dialog.getByTestId(o.accept === false ? "confirm-cancel" : "confirm-ok").click();
  await dialog.waitFor({ state: "detached" });
}
