// Groups through the real client core (headless ChatClients in Node, each its own device) against the real
// `wrangler dev`: issue 7's items 1 to 3 at the protocol level. The browser test (groups.test.ts) drives
// the same through the UI.
import { afterAll, expect, inject, test } from "vitest";
import {
  AccountId,
  GroupRole,
  MembershipKind,
  decodeBundle,
  decodeEnvelope,
  decodeMembershipEntry,
  fromBase64url,
  membershipEntryHash,
  openEnvelope,
  signMembershipEntry,
  toBase64url,
  type ConversationId,
} from "../../protocol/index.js";
import { isApiError } from "../../web/src/client/transport/api.js";
import { getAccount, getDevice, getGroup, listEpochs } from "../../web/src/client/store/db.js";
import { createHeadlessClient, type HeadlessClient } from "../../web/src/client/headless.js";
import { stateOf } from "../../web/src/client/identity/logs.js";
import { conversationView, groupViewOf, messageViews, timelineViews } from "../../web/src/client/views/views.js";
import { uniqueName } from "./app";
import { rememberSecret } from "./known-secrets";

const baseURL = inject("baseURL");
const clients: HeadlessClient[] = [];
afterAll(() => {
  for (const c of clients) c.close();
});

interface Person {
  readonly name: string;
  readonly h: HeadlessClient;
  readonly id: AccountId;
}

async function person(base: string): Promise<Person> {
  const h = createHeadlessClient({ baseURL, syncTiming: { pollMs: 1000 } });
  clients.push(h);
  const name = uniqueName(base);
  await h.client.signUp(name);
  const account = await getAccount(h.client.db);
  return { name, h, id: account!.accountId };
}

const texts = async (p: Person, id: ConversationId) => (await messageViews(p.h.client.db, id)).map((m) => m.text);

async function say(p: Person, id: ConversationId, text: string): Promise<void> {
  rememberSecret("group message", text);
  await p.h.client.send(id, text);
}

test("a group: chat, remove a member (403, no key for her), history off and on for new members, an injected entry refused", { timeout: 240_000 }, async () => {
  const [alice, bob, carol, dave, erin] = (await Promise.all(["alice", "bob", "carol", "dave", "erin"].map(person))) as [Person, Person, Person, Person, Person];
  const groupName = `Project ${uniqueName("x")}`;
  rememberSecret("group name", groupName);

  // 1. Alice, Bob and Carol chat in a group.
  const id = await alice.h.client.createGroup(groupName, [bob.name, carol.name]);
  await expect.poll(async () => (await conversationView(bob.h.client.db, id))?.title, { timeout: 30_000 }).toBe(groupName);
  await expect.poll(async () => (await conversationView(carol.h.client.db, id))?.title, { timeout: 30_000 }).toBe(groupName);
  await say(alice, id, "hello group from alice");
  await expect.poll(() => texts(bob, id), { timeout: 30_000 }).toEqual(["hello group from alice"]);
  await bob.h.client.openConversation(id);
  await say(bob, id, "bob replies to the group");
  await carol.h.client.openConversation(id);
  await say(carol, id, "carol was here");
  for (const p of [alice, bob, carol]) {
    await expect.poll(async () => (await texts(p, id)).sort(), { timeout: 30_000 }).toEqual(["bob replies to the group", "carol was here", "hello group from alice"]);
  }
  const members = await groupViewOf(bob.h.client.db, id);
  expect(members?.members.map((m) => [m.username, m.role])).toEqual([
    [alice.name, "admin"],
    [bob.name, "member"],
    [carol.name, "member"],
  ]);

  // Alice removes Carol, then writes.
  await alice.h.client.removeMember(id, carol.id);
  await say(alice, id, "after carol left the room");
  await expect.poll(async () => (await texts(bob, id)).includes("after carol left the room"), { timeout: 30_000 }).toBe(true);
  // Carol's client learns it (the membership frame, then the server's 403) and never gets the message.
  await expect.poll(async () => (await groupViewOf(carol.h.client.db, id))?.myRole, { timeout: 30_000 }).toBe("none");
  await carol.h.client.sync.syncNow();
  expect(await texts(carol, id)).not.toContain("after carol left the room");
  const refused = await carol.h.client.ctx.api.messages(id, 0).catch((e: unknown) => e);
  expect(isApiError(refused) && refused.status).toBe(403);
  await expect(carol.h.client.send(id, "carol tries again")).rejects.toMatchObject({ code: "not_member" });

  // Protocol level: the epoch of Alice's message after the removal wraps its key to no device of Carol's
  // and not to her history key, and none of the keys Carol holds opens it.
  const page = await alice.h.client.ctx.api.messages(id, 0);
  const after = page.messages.map((m) => fromBase64url(m.envelope)).map((b) => ({ b, e: decodeEnvelope(b) }));
  const last = after.at(-1)!;
  const bundles = new Map((await alice.h.client.ctx.api.epochs(id)).epochs.map((e) => [e.epoch, decodeBundle(fromBase64url(e.bundle))]));
  const firstBundle = bundles.get(after[0]!.e.header.epoch)!;
  expect(firstBundle.deviceWraps.some((w) => w.accountId === carol.id)).toBe(true);
  expect(firstBundle.historyWraps.some((w) => w.accountId === carol.id)).toBe(true);
  const newBundle = bundles.get(last.e.header.epoch)!;
  expect(last.e.header.epoch).toBeGreaterThan(after[0]!.e.header.epoch);
  expect(newBundle.deviceWraps.some((w) => w.accountId === carol.id)).toBe(false);
  expect(newBundle.historyWraps.some((w) => w.accountId === carol.id)).toBe(false);
  const carolKeys = await listEpochs(carol.h.client.db, id);
  expect(carolKeys.length).toBeGreaterThan(0);
  expect(carolKeys.some((k) => k.epoch === last.e.header.epoch)).toBe(false);
  const aliceState = await stateOf(alice.h.client.ctx, alice.id);
  for (const k of carolKeys) {
    await expect(openEnvelope(carol.h.client.ctx.env, last.e, { conversationId: id, sender: aliceState, ck: k.ck, keyId: newBundle.keyId })).rejects.toThrow();
  }

  // 2. Dave, added with history off, reads only what comes after he joined.
  await alice.h.client.addMember(id, dave.name);
  await say(alice, id, "welcome dave");
  await expect.poll(() => texts(dave, id), { timeout: 30_000 }).toEqual(["welcome dave"]);
  // Erin, added once history for new members is on, reads everything Alice could read.
  await alice.h.client.setHistoryForNewMembers(id, true);
  await alice.h.client.addMember(id, erin.name);
  await say(alice, id, "welcome erin");
  await expect
    .poll(async () => (await texts(erin, id)).sort(), { timeout: 30_000 })
    .toEqual(["after carol left the room", "bob replies to the group", "carol was here", "hello group from alice", "welcome dave", "welcome erin"]);
  // Dave receives "welcome erin" on his own socket, not when Erin does: wait for it as for Erin's.
  await expect.poll(async () => (await texts(dave, id)).sort(), { timeout: 30_000 }).toEqual(["welcome dave", "welcome erin"]);
  expect((await conversationView(dave.h.client.db, id))?.title).toBe(groupName);

  // Any member may rename; the new name (sealed under the current epoch) reaches the others.
  const renamed = `Renamed ${uniqueName("y")}`;
  rememberSecret("group name", renamed);
  await bob.h.client.renameGroup(id, renamed);
  for (const p of [alice, dave, erin]) await expect.poll(async () => (await conversationView(p.h.client.db, id))?.title, { timeout: 30_000 }).toBe(renamed);
  const renameLine = async (p: Person) => (await timelineViews(p.h.client.db, id)).filter((t) => t.kind === "system" && t.text.includes("renamed")).map((t) => t.kind === "system" && t.text);
  expect(await renameLine(alice)).toEqual([`${bob.name} renamed the group to “${renamed}”`]);
  expect(await renameLine(bob)).toEqual([`You renamed the group to “${renamed}”`]);

  // 3. The server slips in a membership entry no admin signed: Bob (a member, not an admin) "adds" Carol
  // back. Bob's own device signs it, so only the role rule stops it.
  const bobDevice = (await getDevice(bob.h.client.db))!;
  const bobState = await stateOf(bob.h.client.ctx, bob.id);
  const log = (await bob.h.client.ctx.api.membership(id)).entries.map(fromBase64url);
  const head = decodeMembershipEntry(log.at(-1)!);
  const forged = await signMembershipEntry(
    bob.h.client.ctx.env,
    {
      conversationId: id,
      seq: log.length,
      prev: await membershipEntryHash(bob.h.client.ctx.env, head.body),
      createdAt: Date.now(),
      author: { accountId: bob.id, deviceId: bobDevice.deviceId, logSeq: bobState.head.seq, logHead: bobState.head.hash },
      change: { kind: MembershipKind.add, accountId: carol.id, role: GroupRole.admin },
    },
    bobDevice.signingKey,
  );
  // The real server refuses it.
  const posted = await bob.h.client.ctx.api.postMembership(id, forged).catch((e: unknown) => e);
  expect(isApiError(posted, "invalid_membership")).toBe(true);
  // A lying server serves it anyway, to Bob and to Dave: both refuse it and keep the verified list.
  for (const p of [bob, dave]) {
    const api = p.h.client.ctx.api;
    const real = api.membership.bind(api);
    api.membership = async (c: ConversationId) => {
      const r = await real(c);
      return { ...r, entries: [...r.entries, toBase64url(forged)] };
    };
    await p.h.client.openConversation(id).catch(() => undefined);
    const g = await getGroup(p.h.client.db, id);
    expect(g?.problem?.code).toBe("unknown_signer");
    const view = await groupViewOf(p.h.client.db, id);
    expect(view?.problem).toBeDefined();
    expect(view?.members.map((m) => m.accountId)).not.toContain(carol.id);
    expect(view?.members.map((m) => m.username)).toEqual([alice.name, bob.name, dave.name, erin.name]);
  }
});
