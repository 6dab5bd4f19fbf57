// Issue 15, items 1 and 2, as a person sees them in Chromium against the real server, which lies at the
// network layer (Playwright routes, as in log-warnings.test.ts):
// 1. A device revoked from Alice's account signs "Alice adds Carol as an admin", citing Alice's log from
//    before the revoke with a time before the group existed; the server serves it to Bob. Bob's chat warns
//    that a change was refused and keeps the verified members.
// 2. The server serves Bob a group's membership log cut short before Carol's removal, while Alice's new
//    epoch cites the head after it. Bob's chat explains that sending is paused, and sending refuses.
// Alice and Carol are built in Node (we hold Alice's revoked device's key); Bob is a browser.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page, Route } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  GroupRole,
  MembershipKind,
  decodeMembershipEntry,
  fromBase64url,
  membershipEntryHash,
  signMembershipEntry,
  toBase64url,
  verifyLog,
  type AccountState,
} from "../../protocol/index.js";
import { createAccount, type LoggedInAccount, type TestAccount } from "../support/account.js";
import { makeEnvelope, postEnvelope } from "../support/conversation.js";
import { testCrypto } from "../support/crypto-env.js";
import { accountLog, addDeviceEntry, asDevice, genesisDevice, makeDevice, postLogEntry, revokeEntry, type AccountLog, type TestDevice } from "../support/device-log.js";
import { TestGroup, makeGroupEpoch, makeGroupMeta, postGroup, postMembership, putGroupMeta } from "../support/group.js";
import { signUpViaUi, uniqueName } from "./app";
import { appendToMembershipLog, closeMembers, listedMembers, openGroupViaUi } from "./group-helpers";
import { launchBrowser } from "./harness";
import { nodeApi } from "./link-helpers";

const SHOTS = "/tmp/shots";
// Generous: on a loaded machine the first sync pass after a reload can fail once and wait out a retry.
const TIMEOUT_MS = 60_000;
const baseURL = inject("baseURL");
const api = nodeApi(baseURL);

let browser: Browser;
let context: BrowserContext;
let bobPage: Page;
const pageErrors: string[] = [];

async function ok(res: Response, what: string): Promise<void> {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${await res.text()}`);
}

/** An account's state as the server's log says (a member as the group's creator sees it). */
async function stateOf(name: string, as: LoggedInAccount): Promise<{ accountId: string; state: AccountState }> {
  const res = await api.call("GET", `/api/users/${name}`, { cookie: as.cookie });
  const body = (await res.json()) as { accountId: string; log: string[] };
  return { accountId: body.accountId, state: await verifyLog(testCrypto, body.log.map(fromBase64url)) };
}

/** Alice (as `author`) creates a named group with `members`, with its first epoch. */
async function createGroup(alice: LoggedInAccount, author: TestAccount, members: readonly TestAccount[], name: string): Promise<TestGroup> {
  const g = new TestGroup();
  const create = await g.createEntry(author, members);
  await ok(await postGroup(api, alice, create), "creating the group");
  await g.accept(create);
  const epoch = await makeGroupEpoch(author, g, [author, ...members], 0);
  await ok(await api.call("POST", `/api/conversations/${g.id}/epochs`, { cookie: alice.cookie, json: { bundle: toBase64url(epoch.bytes) } }), "posting epoch 0");
  await ok(await putGroupMeta(api, alice, g.id, await makeGroupMeta(author, epoch, name)), "naming the group");
  return g;
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  // Blocked service workers: every API request goes through the page's network, where the lies sit.
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, serviceWorkers: "block" });
  bobPage = await context.newPage();
  bobPage.on("pageerror", (e) => pageErrors.push(e.message));
  bobPage.on("console", (m) => { if (process.env.DEBUG_E2E) console.log("[bob]", m.text()); });
});

afterAll(async () => {
  // Routes still answering when the context closes would fail on a disposed response.
  await context?.unrouteAll({ behavior: "ignoreErrors" });
  await context?.close();
  await browser?.close();
});

describe("authority over time, as Bob sees it", () => {
  let alice: LoggedInAccount;
  let carol: LoggedInAccount;
  let bob: { accountId: string; state: AccountState };
  let a2: TestDevice;
  let withA2: AccountLog;
  let revoked: AccountLog;

  beforeAll(async () => {
    alice = await createAccount(api, "alice");
    carol = await createAccount(api, "carol");
    a2 = await makeDevice();
    const add = await addDeviceEntry(accountLog(alice), a2, genesisDevice(alice));
    await ok(await postLogEntry(api, alice.cookie, alice.accountId, add), "adding A2");
    withA2 = await add.next();
    const bobName = uniqueName("bob");
    await signUpViaUi(bobPage, baseURL, bobName);
    bob = await stateOf(bobName, alice);
  });

  test("1: a group change signed by Alice's revoked device, citing her old log and a backdated time, is refused with a warning", async () => {
    const asAlice = asDevice(alice, genesisDevice(alice), withA2.state);
    const group = await createGroup(alice, asAlice, [bob as unknown as TestAccount], "Revoked device test");
    await openGroupViaUi(bobPage, "Revoked device test", 60_000);

    // Alice revokes A2. A2 and the server then add Carol as an admin, citing Alice's log from before.
    const revoke = await revokeEntry(withA2, a2.deviceId, genesisDevice(alice));
    await ok(await postLogEntry(api, alice.cookie, alice.accountId, revoke), "revoking A2");
    revoked = await revoke.next();
    const last = group.entries.at(-1)!;
    const forged = await signMembershipEntry(
      testCrypto,
      {
        conversationId: group.id,
        seq: 1,
        prev: await membershipEntryHash(testCrypto, decodeMembershipEntry(last).body),
        createdAt: 1_000,
        author: { accountId: alice.accountId, deviceId: a2.deviceId, logSeq: withA2.state.head.seq, logHead: withA2.state.head.hash },
        change: { kind: MembershipKind.add, accountId: carol.accountId, role: GroupRole.admin },
      },
      a2.signing.privateKey,
    );
    const served = await appendToMembershipLog(context, group.id, 1, toBase64url(forged));
    await bobPage.reload();
    await openGroupViaUi(bobPage, "Revoked device test");
    const warning = bobPage.getByTestId("membership-warning");
    await warning.waitFor({ timeout: TIMEOUT_MS });
    expect(await warning.getAttribute("role")).toBe("alert");
    expect(await warning.textContent()).toContain("The server tried to change this group's members without an admin. The change was refused.");
    // The banner and the timeline are separate live reads: the timeline's line may come a frame later.
    await expect.poll(() => bobPage.getByText("The server sent a change to this group that no admin made. It was refused.").count(), { timeout: TIMEOUT_MS }).toBeGreaterThan(0);
    expect(await bobPage.getByText(`added ${carol.username}`).count()).toBe(0);
    expect((await listedMembers(bobPage)).some((m) => m.includes(carol.username))).toBe(false);
    await closeMembers(bobPage);
    expect(served()).toBeGreaterThan(0);
    await bobPage.screenshot({ path: `${SHOTS}/authority-revoked-device-bob.png` });
  });

  test("2: a membership log served cut short before a removal pauses sending, with an explanation", async () => {
    const asAlice = asDevice(alice, genesisDevice(alice), revoked.state);
    const group = await createGroup(alice, asAlice, [bob as unknown as TestAccount, carol], "Cut short test");
    await openGroupViaUi(bobPage, "Cut short test", 60_000);

    // From now on Bob's browser gets this group's log as it was before Carol's removal.
    const path = `/api/conversations/${group.id}/membership`;
    let cut = 0;
    await context.route(
      (url) => url.pathname === path,
      async (route: Route) => {
        if (route.request().method() !== "GET") return route.continue();
        const response = await route.fetch();
        const real = (await response.json()) as { entries: string[] };
        cut += 1;
        const headers = Object.fromEntries(Object.entries(response.headers()).filter(([k]) => k !== "content-length" && k !== "content-encoding"));
        await route.fulfill({ status: response.status(), headers, json: { entries: real.entries.slice(0, 1) } });
      },
    );
    const remove = await group.entry(asAlice, { kind: MembershipKind.remove, accountId: carol.accountId });
    await ok(await postMembership(api, alice, group.id, remove), "removing Carol");
    await group.accept(remove);
    const epoch = await makeGroupEpoch(asAlice, group, [asAlice, bob as unknown as TestAccount], 1);
    await ok(await api.call("POST", `/api/conversations/${group.id}/epochs`, { cookie: alice.cookie, json: { bundle: toBase64url(epoch.bytes) } }), "posting epoch 1");
    await ok(await postEnvelope(api, alice, group.id, await makeEnvelope(asAlice, epoch, "Carol has left")), "Alice's message");

    await bobPage.reload();
    await openGroupViaUi(bobPage, "Cut short test");
    const paused = bobPage.getByTestId("membership-withheld");
    await paused.waitFor({ timeout: TIMEOUT_MS });
    expect(await paused.getAttribute("role")).toBe("alert");
    expect(await paused.textContent()).toContain("Sending is paused");
    const box = bobPage.getByTestId("composer");
    await box.fill("can Carol read this?");
    await box.press("Enter");
    await bobPage.getByRole("alert").filter({ hasText: "Sending is paused: this group's newest key was made for a membership change the server doesn't provide" }).waitFor({ timeout: TIMEOUT_MS });
    expect(await box.inputValue()).toBe("can Carol read this?");
    expect(cut).toBeGreaterThan(0);
    await bobPage.screenshot({ path: `${SHOTS}/authority-membership-withheld-bob.png` });
    // Nothing of Bob's reached the server.
    const messages = (await (await api.call("GET", `/api/conversations/${group.id}/messages?after=0&limit=50`, { cookie: alice.cookie })).json()) as { messages: unknown[] };
    expect(messages.messages).toHaveLength(1);
  });

  test("no page errors were thrown", () => {
    expect(pageErrors).toEqual([]);
  });
});
