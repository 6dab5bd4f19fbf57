// Issue 18, "What it must show": a non-member refused. Alice sends a file to a group with Bob and Carol;
// Carol, removed afterwards, cannot open it: her bubble says so in words, and the server answers her
// session's GET /api/attachments/:id with 404, as it answers an account that was never in the group.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { signUpViaUi, uniqueName } from "./app";
import { attachmentDevice, attachViaUi, randomFile, storedAttachmentId, waitForUploadsDone, type Device } from "./attachment-helpers";
import { createGroupViaUi, openGroupViaUi, pageFetch, removeMemberViaUi, waitForMembers } from "./group-helpers";
import { launchBrowser } from "./harness";
import { ApiContact, nodeApi } from "./link-helpers";

const baseURL = inject("baseURL");
const SHOTS = "/tmp/shots";
const aliceName = uniqueName("grp_alice");
const carolName = uniqueName("grp_carol");
const groupName = uniqueName("Attachment group");
const fileName = `${uniqueName("before-carol-left")}.pdf`;
const errors: string[] = [];
let browser: Browser;

let alice: Device;
let carol: Device;


beforeAll(async () => {
  browser = await launchBrowser();
  alice = await attachmentDevice(browser, "alice", errors);
  carol = await attachmentDevice(browser, "carol", errors);
  await signUpViaUi(alice.page, baseURL, aliceName);
  await signUpViaUi(carol.page, baseURL, carolName);
}, 300_000);

afterAll(async () => {
  await browser?.close();
});

describe("attachments and membership", () => {
  test("Carol, removed from the group, cannot open a file sent before; the server answers her and a stranger 404", async () => {
    const bob = await ApiContact.create(nodeApi(baseURL), "grp_bob");
    await createGroupViaUi(alice.page, groupName, [bob.username, carolName]);
    await openGroupViaUi(carol.page, groupName);
    await attachViaUi(alice.page, [{ name: fileName, mimeType: "application/pdf", bytes: randomFile(50_000) }]);
    await waitForUploadsDone(alice.page);
    const bubble = carol.page.getByTestId("attachment").filter({ has: carol.page.getByTestId("attachment-name").getByText(fileName, { exact: true }) });
    await bubble.waitFor({ timeout: 60_000 });
    const id = await storedAttachmentId(carol.page, fileName);
    // While she is a member the blob is hers to fetch: the 404s below come from the removal.
    expect((await pageFetch(carol.page, `/api/attachments/${id}`)).status).toBe(200);

    await removeMemberViaUi(alice.page, carolName);
    await waitForMembers(alice.page, [aliceName, bob.username]);
    await carol.page.getByTestId("group-removed").waitFor({ timeout: 60_000 });

    await bubble.getByTestId("attachment-download").click();
    await expect.poll(() => bubble.getByTestId("attachment-error").textContent(), { timeout: 60_000 }).toBe("This file is no longer available.");
    await carol.page.screenshot({ path: `${SHOTS}/attachments-removed-member-desktop.png` });
    const carolGet = await pageFetch(carol.page, `/api/attachments/${id}`);
    expect({ status: carolGet.status, code: (carolGet.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 404, code: "not_found" });

    const stranger = await ApiContact.create(nodeApi(baseURL), "grp_stranger");
    const strangerGet = await stranger.api.call("GET", `/api/attachments/${id}`, { cookie: stranger.me.cookie });
    expect(strangerGet.status).toBe(404);
    // The members who stay still fetch it.
    expect((await pageFetch(alice.page, `/api/attachments/${id}`)).status).toBe(200);
    expect((await bob.api.call("GET", `/api/attachments/${id}`, { cookie: bob.me.cookie })).status).toBe(200);
  }, 300_000);

  test("no page errors were thrown", () => {
    expect(errors).toEqual([]);
  });
});
