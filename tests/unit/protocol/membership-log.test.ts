import { describe, expect, it } from "vitest";
import {
  GroupRole,
  MembershipKind,
  assertMembershipExtends,
  decodeMembershipEntry,
  deviceKeyFromLogs,
  membershipEntryHash,
  signMembershipEntry,
  verifyLog,
  verifyMembershipLog,
  type AccountId,
  type MembershipChange,
  type MembershipState,
} from "../../../protocol/index.js";
import { codeOf } from "./expect-code.js";
import { addDevice, env, makeAccount, makeDevice, randomConversationId, revokeDevice, type TestAccount, type TestDevice } from "./fixtures.js";

/** A group conversation as every member's client sees it: the entries, and the device logs that vouch for authors. */
class Group {
  readonly id = randomConversationId();
  readonly entries: Uint8Array[] = [];
  private prev: Uint8Array = new Uint8Array(32);

  constructor(private readonly accounts: TestAccount[]) {}

  /** Replays the log with each author's device log as verified by the reader. */
  verify(entries: readonly Uint8Array[] = this.entries, id = this.id): Promise<MembershipState> {
    const byId = new Map(this.accounts.map((a) => [a.state.accountId as string, a]));
    return verifyMembershipLog(
      env,
      entries,
      id,
      deviceKeyFromLogs(async (accountId: AccountId, seq: number) => {
        const a = byId.get(accountId);
        return a && seq < a.log.length ? verifyLog(env, a.log.slice(0, seq + 1)) : undefined;
      }),
    );
  }

  /** Builds (and by default appends) an entry by `author` from `device`, citing the author's current head. */
  async write(author: TestAccount, change: MembershipChange, o: { device?: TestDevice; append?: boolean; seq?: number; signingKey?: CryptoKey } = {}): Promise<Uint8Array> {
    const device = o.device ?? author.device;
    const bytes = await signMembershipEntry(
      env,
      {
        conversationId: this.id,
        seq: o.seq ?? this.entries.length,
        prev: this.prev,
        createdAt: 1_700_000_100_000 + this.entries.length,
        author: { accountId: author.state.accountId, deviceId: device.deviceId, logSeq: author.state.head.seq, logHead: author.state.head.hash },
        change,
      },
      o.signingKey ?? (device.signing.privateKey as CryptoKey),
    );
    if (o.append !== false) {
      this.entries.push(bytes);
      this.prev = await membershipEntryHash(env, decodeMembershipEntry(bytes).body);
    }
    return bytes;
  }
}

const ids = (s: MembershipState) => s.members.map((m) => [m.accountId, m.role]);

async function people() {
  const [alice, bob, carol, dave] = await Promise.all(["alice", "bob", "carol", "dave"].map(makeAccount));
  return { alice: alice!, bob: bob!, carol: carol!, dave: dave! };
}

async function created() {
  const p = await people();
  const g = new Group(Object.values(p));
  await g.write(p.alice, {
    kind: MembershipKind.create,
    members: [
      { accountId: p.alice.state.accountId, role: GroupRole.admin },
      { accountId: p.bob.state.accountId, role: GroupRole.member },
      { accountId: p.carol.state.accountId, role: GroupRole.member },
    ],
    historyForNewMembers: false,
  });
  return { ...p, g };
}

describe("membership log", () => {
  it("replays create, add, remove, promote and settings made by admins", async () => {
    const { alice, bob, carol, dave, g } = await created();
    await g.write(alice, { kind: MembershipKind.remove, accountId: carol.state.accountId });
    await g.write(alice, { kind: MembershipKind.setRole, accountId: bob.state.accountId, role: GroupRole.admin });
    await g.write(bob, { kind: MembershipKind.setHistory, historyForNewMembers: true });
    await g.write(bob, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member });
    const s = await g.verify();
    expect(ids(s)).toEqual([
      [alice.state.accountId, GroupRole.admin],
      [bob.state.accountId, GroupRole.admin],
      [dave.state.accountId, GroupRole.member],
    ]);
    expect(s.members[2]!.addedAtSeq).toBe(4);
    expect(s.historyForNewMembers).toBe(true);
    expect(s.head.seq).toBe(4);
    expect(s.entryHashes).toHaveLength(5);
  });

  it("refuses a change by a member who is not an admin at that point", async () => {
    const { bob, dave, g } = await created();
    await g.write(bob, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member });
    expect(await codeOf(() => g.verify())).toBe("unknown_signer");
  });

  it("refuses an entry the server made up: signed by no device of the named admin", async () => {
    const { alice, dave, g } = await created();
    const stranger = await makeDevice();
    // Claims Alice as author but is signed by a key her log does not list.
    await g.write(alice, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.admin }, { signingKey: stranger.signing.privateKey as CryptoKey });
    expect(await codeOf(() => g.verify())).toBe("bad_signature");
    // Or names a device that is not Alice's at all.
    const h = await created();
    await h.g.write(h.alice, { kind: MembershipKind.add, accountId: h.dave.state.accountId, role: GroupRole.member }, { device: { ...stranger, deviceId: h.bob.device.deviceId } });
    expect(await codeOf(() => h.g.verify())).toBe("unknown_signer");
  });

  it("accepts a device the author linked later, and refuses one the author revoked", async () => {
    const { alice, dave, carol, g } = await created();
    const laptop = await addDevice(alice);
    await g.write(alice, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member }, { device: laptop });
    expect(ids(await g.verify())).toHaveLength(4);
    await revokeDevice(alice, laptop);
    // Citing the head after its removal, the laptop signs for nobody.
    await g.write(alice, { kind: MembershipKind.remove, accountId: carol.state.accountId }, { device: laptop });
    expect(await codeOf(() => g.verify())).toBe("unknown_signer");
  });

  it("refuses an entry whose cited head is older than one its author cited earlier in the log (a revoked device citing the past)", async () => {
    const { alice, dave, g } = await created();
    const laptop = await addDevice(alice);
    const before = alice.state;
    await revokeDevice(alice, laptop);
    await g.write(alice, { kind: MembershipKind.setHistory, historyForNewMembers: true });
    expect((await g.verify()).historyForNewMembers).toBe(true);
    // The laptop, revoked, cites Alice's log from before its removal, where it was still active.
    await g.write({ ...alice, state: before }, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.admin }, { device: laptop });
    expect(await codeOf(() => g.verify())).toBe("log_conflict");
  });

  it("needs the author's log up to the cited head, and refuses a head that contradicts it", async () => {
    const { alice, dave, g } = await created();
    const ahead = { ...alice, state: { ...alice.state, head: { seq: alice.state.head.seq + 1, hash: new Uint8Array(32) } } };
    await g.write(ahead, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member });
    expect(await codeOf(() => g.verify())).toBe("unknown_head");
    const h = await created();
    const forked = { ...h.alice, state: { ...h.alice.state, head: { seq: 0, hash: new Uint8Array(32).fill(3) } } };
    await h.g.write(forked, { kind: MembershipKind.add, accountId: h.dave.state.accountId, role: GroupRole.member });
    expect(await codeOf(() => h.g.verify())).toBe("log_conflict");
  });

  it("keeps the chain: no dropped, reordered or foreign entries, and no second create", async () => {
    const { alice, bob, carol, dave, g } = await created();
    await g.write(alice, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member });
    await g.write(alice, { kind: MembershipKind.remove, accountId: carol.state.accountId });
    expect(await codeOf(() => g.verify([g.entries[0]!, g.entries[2]!]))).toBe("chain_broken");
    expect(await codeOf(() => g.verify([g.entries[1]!, g.entries[0]!]))).toBe("chain_broken");
    expect(await codeOf(() => g.verify(g.entries, randomConversationId()))).toBe("wrong_context");
    await g.write(alice, { kind: MembershipKind.create, members: [{ accountId: bob.state.accountId, role: GroupRole.admin }], historyForNewMembers: false });
    expect(await codeOf(() => g.verify())).toBe("chain_broken");
  });

  it("detects a log that went backwards or forked from what a client saw", async () => {
    const { alice, carol, dave, g } = await created();
    await g.write(alice, { kind: MembershipKind.add, accountId: dave.state.accountId, role: GroupRole.member });
    const seen = await g.verify();
    expect(await codeOf(async () => assertMembershipExtends(seen, await g.verify(g.entries.slice(0, 1))))).toBe("log_conflict");
    const fork = new Group([alice, carol, dave]);
    Object.assign(fork, { id: g.id });
    fork.entries.push(g.entries[0]!);
    Object.assign(fork, { prev: await membershipEntryHash(env, decodeMembershipEntry(g.entries[0]!).body) });
    await fork.write(alice, { kind: MembershipKind.remove, accountId: carol.state.accountId });
    expect(await codeOf(async () => assertMembershipExtends(seen, await fork.verify()))).toBe("log_conflict");
  });

  it("lets anyone leave; the last admin leaving hands the role to the longest-standing member", async () => {
    const { alice, bob, carol, g } = await created();
    await g.write(carol, { kind: MembershipKind.leave });
    await g.write(alice, { kind: MembershipKind.leave });
    const s = await g.verify();
    expect(ids(s)).toEqual([[bob.state.accountId, GroupRole.admin]]);
    // A non-member cannot leave again, nor can an admin remove itself or step down as the last admin.
    await g.write(carol, { kind: MembershipKind.leave });
    expect(await codeOf(() => g.verify())).toBe("unknown_signer");
    const h = await created();
    await h.g.write(h.alice, { kind: MembershipKind.remove, accountId: h.alice.state.accountId });
    expect(await codeOf(() => h.g.verify())).toBe("malformed");
    const k = await created();
    await k.g.write(k.alice, { kind: MembershipKind.setRole, accountId: k.alice.state.accountId, role: GroupRole.member });
    expect(await codeOf(() => k.g.verify())).toBe("malformed");
  });

  it("refuses a create whose author is not an admin of it, or that lists someone twice", async () => {
    const p = await people();
    const g = new Group(Object.values(p));
    await g.write(p.alice, { kind: MembershipKind.create, members: [{ accountId: p.alice.state.accountId, role: GroupRole.member }, { accountId: p.bob.state.accountId, role: GroupRole.admin }], historyForNewMembers: false });
    expect(await codeOf(() => g.verify())).toBe("unknown_signer");
    const h = new Group(Object.values(p));
    await h.write(p.alice, { kind: MembershipKind.create, members: [{ accountId: p.alice.state.accountId, role: GroupRole.admin }, { accountId: p.alice.state.accountId, role: GroupRole.member }], historyForNewMembers: false });
    expect(await codeOf(() => h.verify())).toBe("malformed");
  });

  it("decodes strictly: unknown versions, kinds and roles, trailing bytes", async () => {
    const { g } = await created();
    const e = g.entries[0]!;
    const v2 = e.slice();
    v2[0] = 2;
    expect(await codeOf(() => decodeMembershipEntry(v2))).toBe("unsupported_version");
    const kind9 = e.slice();
    kind9[1] = 9;
    expect(await codeOf(() => decodeMembershipEntry(kind9))).toBe("unsupported_version");
    expect(await codeOf(() => decodeMembershipEntry(Uint8Array.of(...e, 0)))).toBe("malformed");
    expect(await codeOf(() => decodeMembershipEntry(e.subarray(0, e.length - 1)))).toBe("malformed");
  });
});
