// Expected answers are not errors (issue 21): a taken username at sign-up and a username no one uses in
// the new-chat dialog are answered by the server with 200 (GET /api/usernames/:name, GET /api/users?username=),
// so the app says so in words and the browser's console shows no failed request.
import type { Browser, ConsoleMessage, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { firstVisit, signUpViaUi, uniqueName } from "./app";
import { launchBrowser } from "./harness";
import { People } from "./people";

const baseURL = inject("baseURL");
let browser: Browser;
let people: People;
let taken = "";

beforeAll(async () => {
  browser = await launchBrowser();
  people = new People(browser);
  taken = uniqueName("taken");
  await signUpViaUi(await people.page("owner"), baseURL, taken);
});

afterAll(async () => {
  await people?.close();
  await browser?.close();
});

/** Every console line of level error on `page` from now on. */
function consoleErrors(page: Page): string[] {
  const lines: string[] = [];
  page.on("console", (m: ConsoleMessage) => void (m.type() === "error" && lines.push(m.text())));
  return lines;
}

test("a taken username at sign-up, then a username no one uses: said in words, no failed request in the console", async () => {
  const page = await people.page("newcomer");
  const errors = consoleErrors(page);
  const refused: string[] = [];
  page.on("response", (r) => void (r.status() >= 400 && refused.push(`${r.status()} ${new URL(r.url()).pathname}`)));
  await firstVisit(page, baseURL);
  await page.getByLabel("Choose a username").fill(taken);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect.poll(() => page.getByRole("alert").first().textContent(), { timeout: 30_000 }).toContain("That username is taken");
  // Nothing was made for the refused name: the same browser signs up under another one.
  await signUpViaUi(page, baseURL, uniqueName("newcomer"));
  await page.getByTestId("new-chat").click();
  await page.getByLabel("Username").fill(uniqueName("nobody"));
  await page.getByRole("button", { name: "Start chat" }).click();
  await expect.poll(() => page.getByTestId("new-chat-dialog").getByRole("alert").textContent(), { timeout: 30_000 }).toBe("No one uses that username.");
  expect(refused).toEqual([]);
  expect(errors).toEqual([]);
});
