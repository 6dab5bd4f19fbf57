// The share target (issue 18): the manifest declares it, the service worker takes the POST to /share the
// system share sheet makes, keeps the files and sends the app to "Send to…"; picking a chat opens it with
// the files staged and the shared text in the box; sent, Bob receives the file. PLATFORM.md: a share
// cannot be driven headless, so the page itself submits the same multipart form to /share, the way the
// browser does for a share (a navigation, answered by the service worker). Without a service worker the
// server answers /share with a redirect to the app, never an error page.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { openChatViaUi, signUpViaUi, startChatViaUi, uniqueName } from "./app";
import { attachmentKinds, patternFile, type TestFile } from "./compose-helpers";
import { launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";
import { PHONE, People } from "./people";
import { SHOTS, waitForServiceWorker } from "./pwa-helpers";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
const person = (who: string) => people.page(who, PHONE);

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
});

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

/** Submits the share sheet's form (manifest share_target: multipart, `files` plus title/text/url) from the page. */
async function shareFromPage(page: Page, files: readonly TestFile[], fields: Record<string, string>): Promise<void> {
  const wire = files.map((f) => ({ name: f.name, mimeType: f.mimeType, bytes: [...f.bytes] }));
  await Promise.all([
    page.waitForURL(/\?share=/),
    page.evaluate(
      ([list, texts]) => {
        const form = document.createElement("form");
        form.method = "post";
        form.enctype = "multipart/form-data";
        form.action = "/share";
        const input = document.createElement("input");
        input.type = "file";
        input.name = "files";
        input.multiple = true;
        const data = new DataTransfer();
        for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: f.mimeType }));
        input.files = data.files;
        form.append(input);
        for (const [name, value] of Object.entries(texts)) {
          const field = document.createElement("input");
          field.type = "hidden";
          field.name = name;
          field.value = value;
          form.append(field);
        }
        document.body.append(form);
        form.submit();
      },
      [wire, fields] as const,
    ),
  ]);
}

test("the manifest declares the share target the way the service worker answers it", async () => {
  const page = await person("manifest");
  await page.goto(baseURL);
  const cdp = await page.context().newCDPSession(page);
  const { errors: problems, data } = (await cdp.send("Page.getAppManifest")) as { errors: unknown[]; data: string };
  expect(problems).toEqual([]);
  const target = JSON.parse(data).share_target;
  expect(target).toMatchObject({ action: "/share", method: "POST", enctype: "multipart/form-data", params: { title: "title", text: "text", url: "url" } });
  expect(target.params.files).toEqual([{ name: "files", accept: ["image/*", "audio/*", "video/*", "*/*"] }]);
});

test("without a service worker, a POST to /share is sent to the app, never an error", async () => {
  const form = new FormData();
  form.append("files", new Blob([new Uint8Array(100)], { type: "application/pdf" }), "plain.pdf");
  form.append("text", "hello");
  const res = await fetch(`${baseURL}/share`, { method: "POST", body: form, redirect: "manual", headers: { Origin: baseURL } });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/");
  const get = await fetch(`${baseURL}/share`, { redirect: "manual" });
  expect([get.status, get.headers.get("location")]).toEqual([303, "/"]);
});

test("a file and text shared to the app: Send to… a chat, it opens with them, and Bob receives the file", async () => {
  const bob = await person("bob");
  const bobName = uniqueName("share_bob");
  await signUpViaUi(bob, baseURL, bobName);
  const alice = await person("alice");
  const aliceName = uniqueName("share_alice");
  await signUpViaUi(alice, baseURL, aliceName);
  await startChatViaUi(alice, bobName);
  await alice.getByTestId("back").click();
  await waitForServiceWorker(alice);

  // The server-blind scan (zz-server-blind.test.ts) looks for the shared name and text in the server's storage.
  rememberSecret("shared file name", "shared-report.pdf");
  rememberSecret("shared text", "Report\nHave a look");
  await shareFromPage(alice, [patternFile("shared-report.pdf", 5_000, "application/pdf")], { title: "Report", text: "Have a look" });
  const picker = alice.getByTestId("share-picker");
  await picker.waitFor();
  expect(await picker.getByRole("heading").textContent()).toBe("Send to…");
  expect(await picker.textContent()).toContain("shared-report.pdf");
  // The address no longer holds the share (a reload does not ask again).
  expect(new URL(alice.url()).search).toBe("");
  await alice.screenshot({ path: `${SHOTS}/share-picker-phone.png` });
  // Focus starts on the first chat: Enter picks it by keyboard.
  const chat = picker.getByTestId("share-chat").filter({ hasText: bobName });
  expect(await chat.evaluate((el) => el.matches(":focus"))).toBe(true);
  await alice.keyboard.press("Enter");

  await alice.getByTestId("chat-title").filter({ hasText: bobName }).waitFor();
  await expect.poll(() => alice.getByTestId("staged-attachment").allTextContents()).toEqual([expect.stringContaining("shared-report.pdf")]);
  expect(await alice.getByTestId("composer").inputValue()).toBe("Report\nHave a look");
  await alice.screenshot({ path: `${SHOTS}/share-staged-phone.png` });
  await alice.getByTestId("send").click();

  await openChatViaUi(bob, aliceName);
  await expect.poll(() => attachmentKinds(bob), { timeout: 60_000 }).toEqual(["shared-report.pdf"]);
  expect(await bob.getByTestId("message-text").allTextContents()).toEqual(["Report\nHave a look"]);
  // The share was taken out of the inbox once used.
  await expect.poll(() => alice.evaluate(async () => (await (await caches.open("sealed-share-inbox")).keys()).length)).toBe(0);
}, 120_000);

test("Escape dismisses the picker and the share with it; an unknown share says it couldn't be received", async () => {
  const carol = await person("carol");
  await signUpViaUi(carol, baseURL, uniqueName("share_carol"));
  await waitForServiceWorker(carol);
  await shareFromPage(carol, [], { url: "https://example.org/page" });
  await carol.getByTestId("share-picker").waitFor();
  await carol.keyboard.press("Escape");
  await expect.poll(() => carol.getByTestId("share-picker").count()).toBe(0);
  // Deleted in the background once dismissed.
  await expect.poll(() => carol.evaluate(async () => (await (await caches.open("sealed-share-inbox")).keys()).length)).toBe(0);
  await carol.goto(`${baseURL}/?share=AAAAAAAAAAAAAAAAAAAAAA`);
  expect(await carol.getByTestId("share-error").textContent()).toContain("couldn't be received");
  expect(people.errors).toEqual([]);
}, 120_000);
