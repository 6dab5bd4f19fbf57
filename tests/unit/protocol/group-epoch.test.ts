import { describe, expect, it } from "vitest";
import {
  GroupRole,
  MembershipKind,
  createEpochBundle,
  decodeMembershipEntry,
  membershipEntryHash,
  openEpochBundle,
  sealEnvelope,
  signBundle,
  signMembershipEntry,
  wrapForDevice,
  type AccountState,
  type EpochBundle,
  type Key,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { env, makeAccount, randomClientMessageId, randomConversationId, type TestAccount } from "./fixtures.js";

/**
 * Epochs of a group (issue 7): a bundle cites the group's membership head and wraps the key for every
 * device of every member; a member who hands two recipients different keys is caught by the commitment.
 */
async function group() {
  const [alice, bob, carol] = await Promise.all(["alice", "bob", "carol"].map(makeAccount));
  const id = randomConversationId();
  const create = await signMembershipEntry(
    env,
    {
      conversationId: id,
      seq: 0,
      prev: new Uint8Array(32),
      createdAt: 1,
      author: { accountId: alice!.state.accountId, deviceId: alice!.device.deviceId, logSeq: 0, logHead: alice!.state.head.hash },
      change: { kind: MembershipKind.create, members: [alice!, bob!, carol!].map((a, i) => ({ accountId: a.state.accountId, role: i === 0 ? GroupRole.admin : GroupRole.member })), historyForNewMembers: false },
    },
    alice!.device.signing.privateKey,
  );
  const head = await membershipEntryHash(env, decodeMembershipEntry(create).body);
  return { alice: alice!, bob: bob!, carol: carol!, id, head };
}

const members = (...accounts: TestAccount[]) => new Map(accounts.map((a) => [a.state.accountId, a.state as AccountState]));

function opens(me: TestAccount, bytes: Uint8Array, id: ReturnType<typeof randomConversationId>, head: Uint8Array, all: TestAccount[]) {
  return openEpochBundle(env, bytes, { conversationId: id, membershipHead: head, members: members(...all), me: { accountId: me.state.accountId, deviceId: me.device.deviceId, boxKey: me.device.box.privateKey } });
}

async function rogueKey(): Promise<Key> {
  return (await env.subtle.generateKey({ name: "AES-GCM", length: 256 }, true, ["encrypt", "decrypt"])) as Key;
}

/** Re-signs `b` as Alice with the wraps for `targets` replaced by wraps of other keys. */
async function split(alice: TestAccount, b: EpochBundle, keys: Map<string, Key>): Promise<Uint8Array> {
  const ctx = { conversationId: b.conversationId, epoch: b.epoch, keyId: b.keyId };
  const deviceWraps = await Promise.all(b.deviceWraps.map(async (w) => (keys.has(w.accountId) ? wrapForDevice(env, keys.get(w.accountId)!, ctx, { accountId: w.accountId, deviceId: w.deviceId, boxKey: w.boxKey }) : w)));
  const { signature: _s, body: _b, ...unsigned } = b;
  return (await signBundle(env, { ...unsigned, deviceWraps }, alice.device.signing.privateKey)).bytes;
}

describe("group epochs", () => {
  it("every member device opens the key of a bundle citing the group's membership head; one ciphertext serves all", async () => {
    const { alice, bob, carol, id, head } = await group();
    const all = [alice, bob, carol];
    const e = await createEpochBundle(env, { conversationId: id, epoch: 0, creator: { accountId: alice.state.accountId, deviceId: alice.device.deviceId, signingKey: alice.device.signing.privateKey }, membershipHead: head, members: all.map((a) => a.state), createdAt: 2 });
    for (const m of all) expect((await opens(m, e.bytes, id, head, all)).bundle.epoch).toBe(0);
    // A bundle that cites another membership (the server replaying an old member set) is refused.
    expect(await codeOf(() => opens(bob, e.bytes, id, new Uint8Array(32).fill(9), all))).toBe("wrong_context");
    // One envelope, whatever the group size.
    const sealed = await sealEnvelope(env, { header: { conversationId: id, epoch: 0, keyId: e.bundle.keyId, senderAccountId: alice.state.accountId, senderDeviceId: alice.device.deviceId, senderLogSeq: 0, senderLogHead: alice.state.head.hash, counter: 1, prevHash: new Uint8Array(32), clientMessageId: randomClientMessageId() }, body: { kind: "text", sentAt: 3, text: "hello group" }, ck: e.ck, signingKey: alice.device.signing.privateKey });
    expect(sealed.bytes.length).toBeLessThan(1024);
  });

  it("a member who hands Bob and Carol different keys for one epoch is caught: both refuse the bundle", async () => {
    const { alice, bob, carol, id, head } = await group();
    const all = [alice, bob, carol];
    const e = await createEpochBundle(env, { conversationId: id, epoch: 0, creator: { accountId: alice.state.accountId, deviceId: alice.device.deviceId, signingKey: alice.device.signing.privateKey }, membershipHead: head, members: all.map((a) => a.state), createdAt: 2 });
    // Neither gets the committed key: both wraps open, both keys fail the commitment.
    const both = await split(alice, e.bundle, new Map([[bob.state.accountId as string, await rogueKey()], [carol.state.accountId as string, await rogueKey()]]));
    expect(await codeOf(() => opens(bob, both, id, head, all))).toBe("commitment_mismatch");
    expect(await codeOf(() => opens(carol, both, id, head, all))).toBe("commitment_mismatch");
    // Bob gets the committed key, Carol another: Carol refuses, and Bob's key reads only what the
    // commitment names, so the two can never be shown different messages under one epoch.
    const one = await split(alice, e.bundle, new Map([[carol.state.accountId as string, await rogueKey()]]));
    expect((await opens(bob, one, id, head, all)).bundle.keyId).toEqual(e.bundle.keyId);
    expect(await codeOf(() => opens(carol, one, id, head, all))).toBe("commitment_mismatch");
  });

  it("after Carol's removal the next bundle leaves her out, and she cannot open it", async () => {
    const { alice, bob, carol, id, head } = await group();
    const next = await createEpochBundle(env, { conversationId: id, epoch: 1, creator: { accountId: alice.state.accountId, deviceId: alice.device.deviceId, signingKey: alice.device.signing.privateKey }, membershipHead: head, members: [alice.state, bob.state], createdAt: 4 });
    expect(next.bundle.deviceWraps.map((w) => w.accountId)).not.toContain(carol.state.accountId);
    expect((await opens(bob, next.bytes, id, head, [alice, bob])).bundle.epoch).toBe(1);
    expect(await codeOf(() => opens(carol, next.bytes, id, head, [alice, bob, carol]))).toBe("recipient_mismatch");
    expect(await codeOf(() => opens(carol, next.bytes, id, head, [alice, bob]))).toBe("recipient_mismatch");
  });
});
