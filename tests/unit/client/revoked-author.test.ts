import { afterEach, describe, expect, test, vi } from "vitest";
import {
  GroupRole,
  MembershipKind,
  cryptoEnvFrom,
  createEpochBundle,
  decodeBundle,
  decodeMembershipEntry,
  fromBase64url,
  membershipEntryHash,
  openEpochBundle,
  sealGroupMeta,
  signMembershipEntry,
  toBase64url,
  verifyLog,
  type AccountId,
  type AccountState,
  type ConversationId,
} from "../../../protocol/index.js";
import { getAccount, getEpoch, getGroup } from "../../../web/src/client/store/db.js";
import { applyFrame } from "../../../web/src/client/sync/push.js";
import { systemLines } from "../../../web/src/client/views/system-lines.js";
import { makeDevice, type TestDevice } from "../../support/device-log.js";
import { clientOn } from "./helpers.js";
import { LyingServer } from "./lying-server.js";
import { clientAddsDevice, clientRevokesDevice, registerNodeAccount } from "./node-account.js";

// Issue 15 item 1: a device revoked from Alice's account, with the server, signs group changes citing
// Alice's device log from before the revoke, with a backdated time. Bob and Alice's remaining device
// must refuse each one (an entry, a rename, an epoch bundle): keep the verified group, show the warning.

const env = cryptoEnvFrom(globalThis.crypto);
afterEach(() => vi.restoreAllMocks());

type Client = ReturnType<typeof clientOn>;

/** Alice (with a second device A2) created a group with Bob; then she revoked A2. */
async function setting() {
  vi.spyOn(console, "warn").mockImplementation(() => {});
  const server = new LyingServer();
  const alice = clientOn(server);
  const bob = clientOn(server);
  await alice.signUp("alice");
  await bob.signUp("bob");
  const mallory = await registerNodeAccount(server, "mallory");
  const a2 = await makeDevice();
  await clientAddsDevice(server, alice, a2);
  const before = (await getAccount(alice.db))!.head; // Alice's log as A2 last knew it
  const id = await alice.createGroup("Team", ["bob"]);
  await bob.sync.syncNow();
  expect((await getGroup(bob.db, id))?.name).toBe("Team");
  await clientRevokesDevice(server, alice, a2);
  await applyFrame(bob.ctx, { type: "log", accountId: server.accountIdOf("alice"), seq: 2 });
  return { server, alice, bob, mallory, a2, before, id, aliceId: server.accountIdOf("alice"), bobId: server.accountIdOf("bob") };
}

type Setting = Awaited<ReturnType<typeof setting>>;

/** A2 signs the next membership entry, citing Alice's old head and a time before the group existed. */
async function forgedEntry(s: Setting, change: Parameters<typeof signMembershipEntry>[1]["change"]): Promise<string> {
  const entries = s.server.conversations.get(s.id)!.membership!;
  const last = decodeMembershipEntry(fromBase64url(entries.at(-1)!));
  const bytes = await signMembershipEntry(
    env,
    {
      conversationId: s.id,
      seq: entries.length,
      prev: await membershipEntryHash(env, last.body),
      createdAt: 1_000,
      author: { accountId: s.aliceId, deviceId: s.a2.deviceId, logSeq: s.before.seq, logHead: s.before.hash },
      change,
    },
    s.a2.signing.privateKey,
  );
  return toBase64url(bytes);
}

/** Each member's state as the server's stored log says, cut at `seq` for Alice (A2's view). */
async function statesAsA2Saw(s: Setting): Promise<Map<AccountId, AccountState>> {
  const log = (name: string) => s.server.accounts.get(s.server.accountIdOf(name))!.log.map(fromBase64url);
  return new Map([
    [s.aliceId, await verifyLog(env, log("alice").slice(0, s.before.seq + 1))],
    [s.bobId, await verifyLog(env, log("bob"))],
  ]);
}

/** A2 opens epoch 0 (it was Alice's device when it was made). */
async function a2OpensEpoch0(s: Setting, a2: TestDevice) {
  const bytes = fromBase64url(s.server.conversations.get(s.id)!.epochs.get(0)!);
  const b = decodeBundle(bytes);
  return openEpochBundle(env, bytes, { conversationId: s.id, membershipHead: b.membershipHead, members: await statesAsA2Saw(s), me: { accountId: s.aliceId, deviceId: a2.deviceId, boxKey: a2.box.privateKey } });
}

async function groupSeenBy(c: Client, id: ConversationId) {
  const g = (await getGroup(c.db, id))!;
  return { members: g.members.map((m) => `${m.accountId}:${m.role}`).sort(), problem: g.problem !== undefined, name: g.name };
}

describe("a revoked device signs group changes with an old log head", () => {
  test.each([
    { name: "adds Mallory as an admin", change: (s: Setting) => ({ kind: MembershipKind.add, accountId: s.mallory.accountId, role: GroupRole.admin }) as const },
    { name: "turns on history for new members", change: () => ({ kind: MembershipKind.setHistory, historyForNewMembers: true }) as const },
  ])("$name: Bob and Alice's remaining device keep the verified group and show the warning", async ({ change }) => {
    const s = await setting();
    const verified = [`${s.aliceId}:1`, `${s.bobId}:0`].sort();
    const entry = await forgedEntry(s, change(s));
    s.server.appendMembership(s.server.conversations.get(s.id)!, entry);
    for (const c of [s.bob, s.alice]) {
      await c.sync.syncNow();
      await applyFrame(c.ctx, { type: "membership", conversationId: s.id, seq: 1 });
      expect(await groupSeenBy(c, s.id)).toEqual({ members: verified, problem: true, name: "Team" });
      const lines = await systemLines(c.db, s.id);
      expect(lines.filter((l) => l.warning).map((l) => l.text)).toEqual(["The server sent a change to this group that no admin made. It was refused."]);
      expect(lines.some((l) => /mallory|history/.test(l.text))).toBe(false);
      expect((await getGroup(c.db, s.id))!.historyForNewMembers).toBe(false);
    }
    // Nothing Bob sends can be read by Mallory: no epoch wraps to her.
    await s.bob.send(s.id, "still just us?").catch(() => undefined);
    for (const b of s.server.conversations.get(s.id)!.epochs.values()) expect(decodeBundle(fromBase64url(b)).heads.map((h) => h.accountId)).not.toContain(s.mallory.accountId);
  });

  test("renames the group under the epoch it still holds: the name stays", async () => {
    const s = await setting();
    const { bundle, ck } = await a2OpensEpoch0(s, s.a2);
    const meta = await sealGroupMeta(env, {
      conversationId: s.id,
      epoch: 0,
      keyId: bundle.keyId,
      author: { accountId: s.aliceId, deviceId: s.a2.deviceId, logSeq: s.before.seq, logHead: s.before.hash },
      createdAt: Date.now() + 60_000,
      ck,
      signingKey: s.a2.signing.privateKey,
      meta: { name: "Renamed by A2" },
    });
    const c = s.server.conversations.get(s.id)!;
    if (c.conversation.kind === "group") c.conversation = { ...c.conversation, meta: toBase64url(meta) };
    for (const client of [s.bob, s.alice]) {
      await client.sync.syncNow();
      expect((await getGroup(client.db, s.id))?.name).toBe("Team");
    }
  });

  test("makes the next epoch bundle: refused, so nothing is read or sent under a key A2 chose", async () => {
    const s = await setting();
    const made = await createEpochBundle(env, {
      conversationId: s.id,
      epoch: 1,
      creator: { accountId: s.aliceId, deviceId: s.a2.deviceId, signingKey: s.a2.signing.privateKey },
      membershipHead: decodeBundle(fromBase64url(s.server.conversations.get(s.id)!.epochs.get(0)!)).membershipHead,
      members: [...(await statesAsA2Saw(s)).values()],
      createdAt: Date.now(),
    });
    s.server.conversations.get(s.id)!.epochs.set(1, toBase64url(made.bytes));
    for (const client of [s.bob, s.alice]) {
      await client.sync.syncNow();
      await client.openConversation(s.id).catch(() => undefined);
      expect(await getEpoch(client.db, s.id, 1)).toBeUndefined();
    }
  });
});
