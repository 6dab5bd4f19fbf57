// Runtime-neutral: what a group of N members costs at the protocol level: the membership entry, the epoch
// bundle and the envelope (protocol/membership-log.ts, epoch-bundle.ts, envelope.ts), without the network.
import type { AccountState } from "../../../protocol/device-log.js";
import { openEpochBundle, createEpochBundle } from "../../../protocol/epoch-bundle.js";
import { sealEnvelope } from "../../../protocol/envelope.js";
import { AccountId, ClientMessageId, ConversationId, DeviceId } from "../../../protocol/ids.js";
import { GroupRole, MembershipKind, decodeMembershipEntry, membershipEntryHash, signMembershipEntry, verifyMembershipLog } from "../../../protocol/membership-log.js";
import { HASH_BYTES, exportPublic, generateBoxPair, generateSigningPair } from "../../../protocol/primitives.js";
import type { CryptoEnv, Key } from "../../../protocol/subtle.js";
import { timeOnce, timePerCall } from "./timing.js";

export interface GroupTimingParams {
  readonly memberCounts: readonly number[];
  readonly devicesPerMember: number;
  /** Bundle creations timed, by member count (the median is reported); 3 when not given. */
  readonly runs: Readonly<Record<number, number>>;
  /** sealEnvelope calls per sample, and samples, for the send cost. */
  readonly sendCalls: number;
  readonly sendRounds: number;
}

export interface GroupSamples {
  readonly members: number;
  readonly devices: number;
  /** createEpochBundle for all members, ms per run. */
  readonly createMs: number[];
  readonly bundleBytes: number;
  /** Removing a member on the admin's device: sign the remove entry, then createEpochBundle for the rest; ms per run. */
  readonly removeMs: number[];
  /** Verifying the membership log with that remove entry (create entry naming every member, then the removal), ms per run. */
  readonly verifyRemoveMs: number[];
  /** openEpochBundle by one member device (verify, recipient checks, unwrap, commitment), ms per run. */
  readonly openMs: number[];
  /** sealEnvelope of a 100-byte message under the group's key, µs per call, one sample per round. */
  readonly sendUs: number[];
  readonly envelopeBytes: number;
}

interface Member {
  readonly state: AccountState;
  /** The box private key of the member's first device (to open the bundle as it). */
  readonly firstBoxKey: Key;
}

/**
 * A verified-looking account state with real X25519 device and history keys. Only the fields bundle
 * creation and opening read are meaningful; the log itself is not built (verifying logs is not what
 * this measures, and a 1,000-member group would spend its time there).
 */
async function member(env: CryptoEnv, devices: number, signingKey?: Uint8Array): Promise<Member> {
  const boxes = await Promise.all(Array.from({ length: devices }, () => generateBoxPair(env, false)));
  const history = await generateBoxPair(env, false);
  const headHash = env.randomBytes(HASH_BYTES);
  const state: AccountState = {
    accountId: AccountId.fromBytes(env.randomBytes(32)),
    username: "member",
    identityKey: env.randomBytes(32),
    recoverySigningKey: env.randomBytes(32),
    recoveryBoxKey: env.randomBytes(32),
    history: { generation: 0, publicKey: await exportPublic(env, history.publicKey) },
    historyChain: [],
    devices: await Promise.all(
      boxes.map(async (b, i) => ({
        deviceId: DeviceId.fromBytes(env.randomBytes(16)),
        signingKey: i === 0 && signingKey ? signingKey : env.randomBytes(32),
        boxKey: await exportPublic(env, b.publicKey),
        addedAtSeq: 0,
      })),
    ),
    removedDevices: [],
    head: { seq: 0, hash: headHash },
    entryHashes: [headHash],
  };
  return { state, firstBoxKey: (boxes[0] as { privateKey: Key }).privateKey };
}

export async function timeGroups(env: CryptoEnv, p: GroupTimingParams): Promise<GroupSamples[]> {
  const creatorSigning = await generateSigningPair(env, false);
  const creator = await member(env, p.devicesPerMember, await exportPublic(env, creatorSigning.publicKey));
  const largest = Math.max(...p.memberCounts);
  const others: Member[] = [];
  for (let i = 1; i < largest; i += 50) {
    others.push(...(await Promise.all(Array.from({ length: Math.min(50, largest - i) }, () => member(env, p.devicesPerMember)))));
  }
  const creatorRef = { accountId: creator.state.accountId, deviceId: (creator.state.devices[0] as { deviceId: DeviceId }).deviceId, signingKey: creatorSigning.privateKey };
  const recipient = others[0] as Member;

  const groups: { samples: GroupSamples; send: () => Promise<unknown> }[] = [];
  for (const n of p.memberCounts) {
    const members = [creator, ...others.slice(0, n - 1)].map((m) => m.state);
    const conversationId = ConversationId.fromBytes(env.randomBytes(16));
    const membershipHead = env.randomBytes(HASH_BYTES);
    const create = (list: readonly AccountState[], epoch: number) =>
      createEpochBundle(env, { conversationId, epoch, creator: creatorRef, membershipHead, members: list, createdAt: Date.now() });
    const runs = p.runs[n] ?? 3;
    const createMs: number[] = [];
    const removeMs: number[] = [];
    const verifyRemoveMs: number[] = [];
    const openMs: number[] = [];
    const author = { accountId: creatorRef.accountId, deviceId: creatorRef.deviceId, logSeq: 0, logHead: creator.state.head.hash };
    const createEntry = await signMembershipEntry(
      env,
      { conversationId, seq: 0, prev: new Uint8Array(HASH_BYTES), createdAt: Date.now(), author, change: { kind: MembershipKind.create, members: members.map((m, i) => ({ accountId: m.accountId, role: i === 0 ? GroupRole.admin : GroupRole.member })), historyForNewMembers: false } },
      creatorSigning.privateKey,
    );
    const createHash = await membershipEntryHash(env, decodeMembershipEntry(createEntry).body);
    const removeLast = () =>
      signMembershipEntry(env, { conversationId, seq: 1, prev: createHash, createdAt: Date.now(), author, change: { kind: MembershipKind.remove, accountId: (members.at(-1) as AccountState).accountId } }, creatorSigning.privateKey);
    const creatorKey = (creator.state.devices[0] as { signingKey: Uint8Array }).signingKey;
    let made = await create(members, 0); // warm-up
    const byId = new Map(members.map((m) => [m.accountId, m]));
    const me = { accountId: recipient.state.accountId, deviceId: (recipient.state.devices[0] as { deviceId: DeviceId }).deviceId, boxKey: recipient.firstBoxKey };
    for (let r = 0; r < runs; r++) {
      createMs.push(await timeOnce(async () => void (made = await create(members, r + 1))));
      // Removing the last member: the signed entry, then a new epoch for the rest (the creator and the
      // recipient stay); every member then verifies the log with it.
      if (n > 2) {
        let entry: Uint8Array = new Uint8Array();
        removeMs.push(await timeOnce(async () => void ((entry = await removeLast()), await create(members.slice(0, -1), 1000 + r))));
        verifyRemoveMs.push(await timeOnce(() => verifyMembershipLog(env, [createEntry, entry], conversationId, async () => creatorKey)));
      }
      openMs.push(await timeOnce(() => openEpochBundle(env, made.bytes, { conversationId, membershipHead, members: byId, me })));
    }
    const { ck, bundle } = made;
    const header = {
      conversationId,
      epoch: bundle.epoch,
      keyId: bundle.keyId,
      senderAccountId: creatorRef.accountId,
      senderDeviceId: creatorRef.deviceId,
      senderLogSeq: 0,
      senderLogHead: creator.state.head.hash,
      counter: 1,
      prevHash: new Uint8Array(HASH_BYTES),
    };
    const send = () =>
      sealEnvelope(env, {
        header: { ...header, clientMessageId: ClientMessageId.fromBytes(env.randomBytes(16)) },
        ck,
        signingKey: creatorSigning.privateKey,
        body: { kind: "text", text: "a".repeat(100), sentAt: Date.now() },
      });
    const envelopeBytes = (await send()).bytes.length;
    groups.push({ send, samples: { members: n, devices: n * p.devicesPerMember, createMs, bundleBytes: made.bytes.length, removeMs, verifyRemoveMs, openMs, sendUs: [], envelopeBytes } });
  }
  // Sends at every size take turns within each round, so they are compared under the same load.
  for (let r = 0; r < p.sendRounds + 1; r++) {
    for (const g of groups) {
      const us = await timePerCall(p.sendCalls, g.send);
      if (r > 0) g.samples.sendUs.push(us);
    }
  }
  return groups.map((g) => g.samples);
}
