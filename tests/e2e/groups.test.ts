// Groups end to end (issue 7, items 1-3): five people in five browser contexts against the real server.
// Alice makes a group with Bob and Carol in the UI and removes Carol, who then reads nothing new (the
// UI, the server's 403 and the epoch bundles all say so); Dave joins with history off and Erin with it
// on; Bob becomes an admin and renames the group, Erin leaves; and a membership entry the server slips
// in without an admin's signature is refused and shown.
import { mkdirSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  GroupRole,
  MembershipKind,
  cryptoEnvFrom,
  decodeBundle,
  decodeEnvelope,
  decodeMembershipEntry,
  encodeMembershipBody,
  membershipEntryHash,
  membershipSigningInput,
  type AccountId,
  type ConversationId,
  type DeviceId,
  type EpochBundle,
  type MembershipEntry,
} from "../../protocol/index.js";
import { answerConfirm, messageTexts, sendViaUi, signUpViaUi, uniqueName, waitForHistory } from "./app";
import {
  addMemberViaUi,
  appendToMembershipLog,
  b64url,
  closeMembers,
  createGroupViaUi,
  deviceIdentity,
  listedMembers,
  openGroupViaUi,
  openMembers,
  pageFetch,
  removeMemberViaUi,
  setHistoryViaUi,
  signWithDeviceKey,
  waitForMembers,
  type DeviceIdentity,
} from "./group-helpers";
import { shownMessageIds } from "./receipt-helpers";
import { launchBrowser } from "./harness";
import { rememberSecret } from "./known-secrets";

const SHOTS = "/tmp/shots";
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const baseURL = inject("baseURL");
const env = cryptoEnvFrom(globalThis.crypto);

interface Person {
  readonly name: string;
  readonly viewport: { width: number; height: number };
  context?: BrowserContext;
  page?: Page;
  id?: DeviceIdentity;
}

const person = (base: string, viewport = DESKTOP): Person => ({ name: uniqueName(base), viewport });
const alice = person("alice");
// Bob and Erin use the phone layout: one pane at a time.
const bob = person("bob", PHONE);
const carol = person("carol");
const dave = person("dave");
const erin = person("erin", PHONE);
const everyone = [alice, bob, carol, dave, erin];
const groupName = `Trip planning ${uniqueName("g")}`;
let groupId: ConversationId;
/** The name Bob gives the group. */
let renamed = "";
let browser: Browser;
const pageErrors: string[] = [];
/** Every text written in the group, in server order. */
const written: string[] = [];

const page = (p: Person): Page => {
  if (!p.page) throw new Error(`${p.name}'s browser is not running`);
  return p.page;
};
const id = (p: Person): DeviceIdentity => {
  if (!p.id) throw new Error(`${p.name} has not signed up`);
  return p.id;
};

async function say(p: Person, text: string): Promise<void> {
  await sendViaUi(page(p), text);
  written.push(text);
}

/** The group's epoch bundles and envelopes as the server serves them to a member. */
async function serverView(p: Person): Promise<{ bundles: Map<number, EpochBundle>; envelopes: ReturnType<typeof decodeEnvelope>[] }> {
  const e = await pageFetch(page(p), `/api/conversations/${groupId}/epochs`);
  const m = await pageFetch(page(p), `/api/conversations/${groupId}/messages?after=0&limit=500`);
  expect(e.status).toBe(200);
  expect(m.status).toBe(200);
  const epochs = (e.body as { epochs: { epoch: number; bundle: string }[] }).epochs;
  const messages = (m.body as { messages: { seq: number; envelope: string }[] }).messages;
  const shown = await shownMessageIds(page(p));
  return {
    bundles: new Map(epochs.map((x) => [x.epoch, decodeBundle(b64url.decode(x.bundle))])),
    // The messages the chat shows, not the delivered and read marks (issue 17) the server also holds.
    envelopes: [...messages]
      .sort((a, b) => a.seq - b.seq)
      .map((x) => decodeEnvelope(b64url.decode(x.envelope)))
      .filter((e) => shown.has(e.header.clientMessageId)),
  };
}

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
  for (const p of everyone) {
    // Service workers blocked: every request goes through Playwright's routing (the lying-server test).
    p.context = await browser.newContext({ viewport: p.viewport, serviceWorkers: "block" });
    p.page = await p.context.newPage();
    p.page.on("pageerror", (e) => pageErrors.push(`${p.name}: ${e.message}`));
  }
});

afterAll(async () => {
  await browser?.close();
});

describe("groups", () => {
  test("Alice makes a group of three in the UI; each of them reads the others", async () => {
    for (const p of everyone) {
      await signUpViaUi(page(p), baseURL, p.name);
      p.id = await deviceIdentity(page(p));
    }
    const a = page(alice);

    // The dialog refuses what it can check itself, and shows the server's answer for a stranger readably.
    await a.getByTestId("new-group-button").click();
    const dialog = a.getByTestId("new-group-dialog");
    await a.getByTestId("group-name-input").fill(groupName);
    await a.getByTestId("group-create").click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toBe("Add at least one person by username.");
    const stranger = uniqueName("nobody");
    for (const u of [stranger, bob.name, carol.name]) {
      await a.getByTestId("group-member-input").fill(u);
      await a.getByTestId("group-member-input").press("Enter");
    }
    expect(await dialog.getByTestId("group-new-member").allTextContents()).toEqual([stranger, bob.name, carol.name].map((u) => expect.stringContaining(u)));
    await a.getByTestId("group-create").click();
    // The sentence names the stranger, and their chip (only theirs) is marked.
    await expect.poll(() => dialog.getByRole("alert").textContent(), { timeout: 20_000 }).toBe(`No one uses the username “${stranger}”. Check it, or remove it from the list.`);
    const chip = (u: string) => dialog.getByTestId("group-new-member").and(a.locator(`[data-username="${u}"]`));
    expect(await chip(stranger).getAttribute("aria-invalid")).toBe("true");
    expect(await chip(bob.name).getAttribute("aria-invalid")).toBe("false");
    await a.screenshot({ path: `${SHOTS}/group-new-dialog-desktop.png` });
    await dialog.getByRole("button", { name: `Remove ${stranger}` }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toBe("");
    await a.getByRole("button", { name: "Cancel" }).click();

    groupId = (await createGroupViaUi(a, groupName, [bob.name, carol.name])) as ConversationId;
    expect(await a.getByTestId("group-member-count").textContent()).toBe("3 members");
    expect(await a.getByTestId("conversation-item").filter({ hasText: groupName }).getAttribute("data-kind")).toBe("group");

    // At phone width the dialog fits too (Bob only looks, then cancels).
    const b = page(bob);
    await b.getByTestId("new-group-button").click();
    await b.getByTestId("group-name-input").fill("Just looking");
    await b.getByTestId("group-member-input").fill(carol.name);
    await b.getByTestId("group-member-input").press("Enter");
    await b.getByTestId("new-group-dialog").getByTestId("group-new-member").waitFor();
    await b.screenshot({ path: `${SHOTS}/group-new-dialog-phone.png` });
    await b.getByTestId("new-group-dialog").getByRole("button", { name: "Cancel" }).click();

    await openGroupViaUi(b, groupName);
    await openGroupViaUi(page(carol), groupName);
    await expect.poll(() => page(bob).getByTestId("system-line").allTextContents(), { timeout: 30_000 }).toContainEqual(expect.stringContaining(`${alice.name} created the group`));

    await say(alice, "Alice: where do we go in June? (group secret 1)");
    await waitForHistory(page(bob), written);
    await say(bob, "Bob: the coast, obviously (group secret 2)");
    await waitForHistory(page(carol), written);
    await say(carol, "Carol: mountains, or I stay home (group secret 3)");
    for (const p of [alice, bob, carol]) await waitForHistory(page(p), written);
    await a.screenshot({ path: `${SHOTS}/group-chat-desktop.png` });
    await page(bob).screenshot({ path: `${SHOTS}/group-chat-phone.png` });
  });

  test("Alice removes Carol: Carol's UI says so, she reads nothing new, the server answers 403, and the new epoch has no key for her", async () => {
    const a = page(alice);
    const c = page(carol);
    await removeMemberViaUi(a, carol.name);
    await waitForMembers(a, [alice.name, bob.name]);
    await a.screenshot({ path: `${SHOTS}/group-members-desktop.png` });
    await closeMembers(a);
    await expect.poll(() => a.getByTestId("system-line").allTextContents(), { timeout: 30_000 }).toContainEqual(expect.stringContaining(`You removed ${carol.name}`));

    await c.getByTestId("group-removed").waitFor({ timeout: 30_000 });
    expect(await c.getByTestId("group-removed").textContent()).toContain("You are no longer a member of this group");
    expect(await c.getByTestId("composer").isDisabled()).toBe(true);

    const afterRemoval = "Alice: Carol is out, so here is the real plan (group secret 4)";
    await say(alice, afterRemoval);
    await waitForHistory(page(bob), written);

    // Carol, even after a reload: the banner, the history she had, and nothing written after she left.
    await c.reload();
    await openGroupViaUi(c, groupName);
    await c.getByTestId("group-removed").waitFor();
    await waitForHistory(c, written.slice(0, 3));
    await c.waitForTimeout(2_000);
    expect(await messageTexts(c)).not.toContain(afterRemoval);
    await c.screenshot({ path: `${SHOTS}/group-removed-desktop.png` });

    for (const path of [`/api/conversations/${groupId}/messages?after=0`, `/api/conversations/${groupId}/epochs`, `/api/conversations/${groupId}/membership`]) {
      const r = await pageFetch(c, path);
      expect({ path, status: r.status, code: (r.body as { error?: { code?: string } }).error?.code }).toEqual({ path, status: 403, code: "not_member" });
    }

    // Protocol level, from what the server serves Alice: the message after the removal is under an epoch
    // wrapped for no device of Carol's and not to her history key; the epoch before it had both.
    const { bundles, envelopes } = await serverView(alice);
    expect(envelopes).toHaveLength(written.length);
    const before = envelopes[2]!.header;
    const after = envelopes[3]!.header;
    expect(after.senderAccountId).toBe(id(alice).accountId);
    expect(after.epoch).toBeGreaterThan(before.epoch);
    const oldBundle = bundles.get(before.epoch)!;
    const newBundle = bundles.get(after.epoch)!;
    expect(b64url.encode(newBundle.keyId)).toBe(b64url.encode(after.keyId));
    const carolId = id(carol).accountId as AccountId;
    const carolDevice = id(carol).deviceId as DeviceId;
    expect(oldBundle.deviceWraps.some((w) => w.deviceId === carolDevice)).toBe(true);
    expect(oldBundle.historyWraps.some((w) => w.accountId === carolId)).toBe(true);
    expect(newBundle.deviceWraps.filter((w) => w.accountId === carolId || w.deviceId === carolDevice)).toEqual([]);
    expect(newBundle.historyWraps.filter((w) => w.accountId === carolId)).toEqual([]);
    // It is wrapped for the members who stay.
    expect(new Set(newBundle.deviceWraps.map((w) => w.deviceId))).toEqual(new Set([id(alice).deviceId, id(bob).deviceId]));
    expect(new Set(newBundle.historyWraps.map((w) => w.accountId))).toEqual(new Set([id(alice).accountId, id(bob).accountId]));
  });

  test("Dave, added with history off, reads only what is written after he joined; Erin, added with history on, reads all of it", async () => {
    const a = page(alice);
    const d = page(dave);
    // A stranger's username gets a readable answer in the panel, and nobody is added.
    await openMembers(a);
    await a.getByTestId("group-add-input").fill(uniqueName("nobody"));
    await a.getByTestId("group-add-button").click();
    await expect.poll(() => a.getByTestId("group-error").textContent(), { timeout: 20_000 }).toBe("No one uses that username.");
    expect((await listedMembers(a)).sort()).toEqual([alice.name, bob.name].sort());
    await addMemberViaUi(a, dave.name);
    expect(await a.getByTestId("group-history-toggle").isChecked()).toBe(false);
    await closeMembers(a);
    await openGroupViaUi(d, groupName);
    const beforeDave = [...written];
    await say(alice, "Alice: welcome Dave, tickets are booked (group secret 5)");
    await expect.poll(() => messageTexts(d), { timeout: 30_000 }).toContain(written.at(-1));
    await d.waitForTimeout(2_000);
    const daveSees = await messageTexts(d);
    for (const t of beforeDave) expect(daveSees).not.toContain(t);

    await setHistoryViaUi(a, true);
    await a.screenshot({ path: `${SHOTS}/group-history-on-desktop.png` });
    await addMemberViaUi(a, erin.name);
    await closeMembers(a);
    const e = page(erin);
    await openGroupViaUi(e, groupName);
    await waitForHistory(e, written, 30_000);
    await openMembers(e);
    await e.screenshot({ path: `${SHOTS}/group-members-phone.png` });
    await closeMembers(e);

    await say(erin, "Erin: thanks for letting me read back (group secret 6)");
    for (const p of [alice, bob, erin]) await waitForHistory(page(p), written);
    await expect.poll(() => messageTexts(d), { timeout: 30_000 }).toContain(written.at(-1));
    expect((await messageTexts(page(carol))).filter((t) => t.includes("group secret 5") || t.includes("group secret 6"))).toEqual([]);
  });

  test("Alice makes Bob an admin, Bob renames the group, and Erin leaves after confirming", async () => {
    const a = page(alice);
    const b = page(bob);
    // A member who is not an admin sees the members and the history setting, but no admin controls.
    await openMembers(b);
    expect(await b.getByTestId("group-history-state").textContent()).toContain("New members can read the messages written before they joined.");
    for (const admin of ["group-add-input", "group-history-toggle", "group-member-remove", "group-member-admin"]) expect(await b.getByTestId(admin).count()).toBe(0);
    await closeMembers(b);
    await openMembers(a);
    const bobRow = a.getByTestId("group-member").and(a.locator(`[data-username="${bob.name}"]`));
    await bobRow.getByTestId("group-member-admin").click();
    await bobRow.getByTestId("group-admin-badge").waitFor({ timeout: 30_000 });
    await closeMembers(a);

    // Bob's panel now offers the admin controls, and he renames the group for everyone.
    await openMembers(b);
    await b.getByTestId("group-add-input").waitFor({ timeout: 30_000 });
    renamed = `Summer trip ${uniqueName("g")}`;
    rememberSecret("group name", renamed);
    await b.getByTestId("group-rename-input").fill(renamed);
    await b.getByTestId("group-rename-button").click();
    await b.getByTestId("group-members").getByRole("status").filter({ hasText: "renamed" }).waitFor({ timeout: 30_000 });
    await closeMembers(b);
    for (const p of [alice, bob, dave, erin]) await page(p).getByTestId("chat-title").filter({ hasText: renamed }).waitFor({ timeout: 30_000 });

    // Leaving asks first; cancelling keeps Erin in.
    const e = page(erin);
    await openMembers(e);
    await e.getByTestId("group-leave").click();
    await answerConfirm(e, { mentions: "Leave", accept: false });
    expect(await listedMembers(e)).toContain(erin.name);
    await e.getByTestId("group-leave").click();
    await answerConfirm(e, { mentions: "Leave", shot: `${SHOTS}/group-leave-confirm-phone.png` });
    await e.getByTestId("group-members").waitFor({ state: "hidden", timeout: 30_000 });
    await e.getByTestId("group-removed").waitFor({ timeout: 30_000 });
    expect(await e.getByTestId("composer").isDisabled()).toBe(true);
    await e.screenshot({ path: `${SHOTS}/group-left-phone.png` });
    await waitForMembers(a, [alice.name, bob.name, dave.name]);
    await closeMembers(a);
  });

  test("a membership entry the server slips in, signed by a member who is not an admin, is refused: the UI warns and keeps the verified members", async () => {
    // Dave (a member, not an admin) signs an entry adding Carol back, with his real device key. The
    // server must refuse it; a server that serves it anyway must be caught by every client.
    const log = await pageFetch(page(alice), `/api/conversations/${groupId}/membership`);
    expect(log.status).toBe(200);
    const entries = (log.body as { entries: string[] }).entries;
    const last = decodeMembershipEntry(b64url.decode(entries.at(-1)!));
    const forger = id(dave);
    const forgedEntry: MembershipEntry = {
      conversationId: groupId,
      seq: entries.length,
      prev: await membershipEntryHash(env, last.body),
      createdAt: Date.now(),
      author: { accountId: forger.accountId as AccountId, deviceId: forger.deviceId as DeviceId, logSeq: forger.logSeq, logHead: forger.logHead },
      change: { kind: MembershipKind.add, accountId: id(carol).accountId as AccountId, role: GroupRole.member },
    };
    const body = encodeMembershipBody(forgedEntry);
    const signature = await signWithDeviceKey(page(dave), membershipSigningInput(body));
    const forged = b64url.encode(new Uint8Array([...body, ...signature]));
    expect(decodeMembershipEntry(b64url.decode(forged)).change.kind).toBe(MembershipKind.add);

    const posted = await pageFetch(page(dave), `/api/conversations/${groupId}/membership`, { method: "POST", json: { entry: forged } });
    expect({ status: posted.status, code: (posted.body as { error?: { code?: string } }).error?.code }).toEqual({ status: 400, code: "invalid_membership" });

    // The lying server: Alice's and Bob's browsers (both admins now) get the real log with the forged entry appended.
    const served: (() => number)[] = [];
    for (const p of [alice, bob]) {
      served.push(await appendToMembershipLog(p.context!, groupId, entries.length, forged));
      await page(p).reload();
      await openGroupViaUi(page(p), renamed);
      const warning = page(p).getByTestId("membership-warning");
      await warning.waitFor({ timeout: 30_000 });
      expect(await warning.getAttribute("role")).toBe("alert");
      expect(await warning.textContent()).toContain("The server tried to change this group's members without an admin. The change was refused.");
      expect(await page(p).getByTestId("conversation-item").filter({ hasText: renamed }).textContent()).toContain("Membership change refused");
      await page(p).screenshot({ path: `${SHOTS}/group-forged-${p.name.split("_")[0]}.png` });
      expect((await listedMembers(page(p))).sort()).toEqual([alice.name, bob.name, dave.name].sort());
      await closeMembers(page(p));
    }
    for (const n of served) expect(n()).toBeGreaterThanOrEqual(1);
    // Dave's browser was told the truth: no warning there, and Carol is not a member.
    expect(await page(dave).getByTestId("membership-warning").count()).toBe(0);
    expect(await listedMembers(page(dave))).not.toContain(carol.name);
    await closeMembers(page(dave));
  });

  test("no page errors were thrown", () => {
    expect(pageErrors).toEqual([]);
  });
});
