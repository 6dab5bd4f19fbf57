// Export (issue 20): a chat, or all, decrypted on the device into a readable HTML page or JSON, the files
// optionally included in a .zip; a clear warning that the file is not encrypted; works offline.
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { unzipSync } from "fflate";
import type { Browser, Download, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { sendViaUi, signUpViaUi, startChatViaUi, uniqueName, waitForHistory, openChatViaUi } from "./app";
import { attachViaUi, waitForUploadsDone } from "./attachment-helpers";
import { patternFile } from "./compose-helpers";
import { launchBrowser } from "./harness";
import { People } from "./people";
import { bubble, deleteViaUi, editViaUi, reactViaUi, replyViaUi } from "./rich-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
let browser: Browser;
let people: People;
let alice: Page;
let bob: Page;
const aliceName = uniqueName("alice");
const bobName = uniqueName("bob");
const report = patternFile("quarterly report.pdf", 300_000, "application/pdf");
const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  people = new People(browser);
  alice = await people.page("alice");
  bob = await people.page("bob");
});

test("Alice and Bob chat: replies, a reaction, an edit, a deletion, right-to-left text and a file", async () => {
  await signUpViaUi(alice, baseURL, aliceName);
  await signUpViaUi(bob, baseURL, bobName);
  await startChatViaUi(alice, bobName);
  await sendViaUi(alice, "Lunch at noon?");
  await sendViaUi(alice, "<b>not bold</b> & fine");
  await sendViaUi(alice, "a typo hier");
  await sendViaUi(alice, "this one goes away");
  await sendViaUi(alice, "שלום, מה שלומך?");
  await openChatViaUi(bob, aliceName);
  await waitForHistory(bob, ["Lunch at noon?", "<b>not bold</b> & fine", "a typo hier", "this one goes away", "שלום, מה שלומך?"]);
  await replyViaUi(bob, bubble(bob, "Lunch at noon?"), "Yes, the usual place");
  await reactViaUi(bob, bubble(bob, "Lunch at noon?"), "👍");
  await editViaUi(alice, bubble(alice, "a typo hier"), "a typo here, fixed");
  await deleteViaUi(alice, bubble(alice, "this one goes away"));
  await attachViaUi(alice, [report], { caption: "the numbers" });
  await waitForUploadsDone(alice);
  // The file's message reached Bob (the upload item may not have shown yet when the tray emptied).
  await bob.locator("sealed-attachment").filter({ hasText: "quarterly report.pdf" }).waitFor({ timeout: 120_000 });
  await bubble(alice, "Yes, the usual place").waitFor({ timeout: 30_000 });
  await expect.poll(() => alice.getByTestId("message-pending").count(), { timeout: 30_000 }).toBe(0);
});

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

async function exportViaUi(p: Page, o: { format: "html" | "json"; files: boolean; chat?: string }): Promise<Download> {
  await p.goto(`${baseURL}/#/settings`);
  const section = p.getByTestId("export-settings");
  await section.waitFor();
  expect(await p.getByTestId("export-warning").textContent()).toContain("not encrypted");
  if (o.chat) await p.getByTestId("export-chat").selectOption({ label: o.chat });
  await p.getByTestId(`export-${o.format}`).check();
  if (o.files) await p.getByTestId("export-files").check();
  const download = p.waitForEvent("download", { timeout: 60_000 });
  await p.getByTestId("export-start").click();
  const d = await download;
  await p.getByTestId("export-done").waitFor({ timeout: 60_000 });
  return d;
}

test("the HTML page holds the chat as it reads now, escaped, with the warning, and works offline", async () => {
  await alice.context().setOffline(true);
  const d = await exportViaUi(alice, { format: "html", files: false });
  await alice.screenshot({ path: `${SHOTS}/export-settings-desktop.png` });
  await alice.context().setOffline(false);
  expect(d.suggestedFilename()).toMatch(/^sealed-export-\d{4}-\d{2}-\d{2}\.html$/);
  const page = readFileSync(await d.path()).toString("utf8");
  expect(page).toContain("This file is not encrypted");
  for (const t of ["Lunch at noon?", "Yes, the usual place", "a typo here, fixed", "This message was deleted", "the numbers", "quarterly report.pdf", "👍"]) expect(page).toContain(t);
  // What a person could no longer read is not in the file: the old text of the edit, the deleted text.
  expect(page).not.toContain("a typo hier");
  expect(page).not.toContain("this one goes away");
  // Message text is text, never markup; right-to-left text keeps its direction.
  expect(page).toContain("&lt;b&gt;not bold&lt;/b&gt; &amp; fine");
  expect(page).not.toContain("<b>not bold</b>");
  expect(page).toContain(`dir="auto">שלום, מה שלומך?`);
  expect(page).not.toContain("waiting to send");
  // The page opens in the browser and reads as a chat.
  const view = await alice.context().newPage();
  await view.setContent(page);
  expect(await view.locator("section h2").first().textContent()).toBe(bobName);
  await view.screenshot({ path: `${SHOTS}/export-page-desktop.png`, fullPage: true });
  await view.close();
});

test("JSON with the files: a .zip whose file is byte for byte the one sent, named in the JSON", async () => {
  const d = await exportViaUi(bob, { format: "json", files: true, chat: aliceName });
  expect(d.suggestedFilename()).toMatch(/\.zip$/);
  const files = unzipSync(new Uint8Array(readFileSync(await d.path())));
  const data = JSON.parse(new TextDecoder().decode(files["export.json"])) as {
    format: string;
    version: number;
    account: string;
    conversations: { title: string; members: string[]; messages: { sender: string; text: string; kind: string; edited: boolean; replyTo?: { text: string }; reactions: { emoji: string; by: string[] }[]; attachment?: { name: string; file?: string } }[] }[];
  };
  expect(data.format).toBe("sealed-export");
  expect(data.version).toBe(1);
  expect(data.account).toBe(bobName);
  expect(data.conversations).toHaveLength(1);
  const chat = data.conversations[0]!;
  expect(chat.members.sort()).toEqual([aliceName, bobName].sort());
  const texts = chat.messages.map((m) => m.text);
  expect(texts).toContain("a typo here, fixed");
  expect(texts).not.toContain("a typo hier");
  expect(chat.messages.find((m) => m.text === "a typo here, fixed")?.edited).toBe(true);
  expect(chat.messages.filter((m) => m.kind === "deleted")).toHaveLength(1);
  expect(chat.messages.find((m) => m.text === "Yes, the usual place")?.replyTo?.text).toBe("Lunch at noon?");
  expect(chat.messages.find((m) => m.text === "Lunch at noon?")?.reactions).toEqual([{ emoji: "👍", by: [bobName] }]);
  const withFile = chat.messages.find((m) => m.attachment);
  expect(withFile?.attachment?.name).toBe("quarterly report.pdf");
  const path = withFile?.attachment?.file;
  expect(path).toBeTruthy();
  expect(sha(files[path!]!)).toBe(sha(report.bytes));
});

test("no page errors were thrown", () => {
  expect(people.errors).toEqual([]);
});
