import { bytesEqual } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import type { AccountState } from "./device-log.js";
import { fail } from "./errors.js";
import { AccountId, ConversationId, DeviceId, DEVICE_ID_BYTES, CONVERSATION_ID_BYTES } from "./ids.js";
import { Label } from "./labels.js";
import { HASH_BYTES, SIGNATURE_BYTES, hashLabelled, labelled, sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * The membership log of a group conversation (docs/PROTOCOL.md "Membership log"): an append-only,
 * hash-chained list of changes, each signed by a device of its author's account and allowed only if the
 * author had the right role at that point (admins add, remove, promote and change settings; anyone may
 * leave). Every client replays it; the server cannot add a member or a device the log does not name.
 */
export const MEMBERSHIP_VERSION = 1;
export const MAX_GROUP_MEMBERS = 1024;
export const MAX_MEMBERSHIP_ENTRIES = 100_000;

export const MembershipKind = { create: 0, add: 1, remove: 2, leave: 3, setRole: 4, setHistory: 5 } as const;
export type MembershipKind = (typeof MembershipKind)[keyof typeof MembershipKind];

export const GroupRole = { member: 0, admin: 1 } as const;
export type GroupRole = (typeof GroupRole)[keyof typeof GroupRole];

/** Who wrote an entry: a device of an account, at a head of that account's device log. */
export interface MembershipAuthor {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly logSeq: number;
  readonly logHead: Uint8Array;
}

export type MembershipChange =
  | { readonly kind: typeof MembershipKind.create; readonly members: readonly { readonly accountId: AccountId; readonly role: GroupRole }[]; readonly historyForNewMembers: boolean }
  | { readonly kind: typeof MembershipKind.add; readonly accountId: AccountId; readonly role: GroupRole }
  | { readonly kind: typeof MembershipKind.remove; readonly accountId: AccountId }
  | { readonly kind: typeof MembershipKind.leave }
  | { readonly kind: typeof MembershipKind.setRole; readonly accountId: AccountId; readonly role: GroupRole }
  | { readonly kind: typeof MembershipKind.setHistory; readonly historyForNewMembers: boolean };

export interface MembershipEntry {
  readonly conversationId: ConversationId;
  readonly seq: number;
  /** Hash of the previous entry; all zero for the first. */
  readonly prev: Uint8Array;
  readonly createdAt: number;
  readonly author: MembershipAuthor;
  readonly change: MembershipChange;
}

export interface GroupMember {
  readonly accountId: AccountId;
  readonly role: GroupRole;
  /** Position of the entry that added the member (0 for the founders). */
  readonly addedAtSeq: number;
}

/** What a verified membership log says about a group now. */
export interface MembershipState {
  readonly conversationId: ConversationId;
  /** In the order they joined. */
  readonly members: readonly GroupMember[];
  readonly historyForNewMembers: boolean;
  readonly head: { readonly seq: number; readonly hash: Uint8Array };
  readonly entryHashes: readonly Uint8Array[];
}

const ZERO: Uint8Array = new Uint8Array(HASH_BYTES);

function role(n: number): GroupRole {
  if (n !== GroupRole.member && n !== GroupRole.admin) fail("malformed", `unknown group role ${n}`);
  return n;
}

function flag(n: number): boolean {
  if (n !== 0 && n !== 1) fail("malformed", "a flag must be 0 or 1");
  return n === 1;
}

function encodeChange(c: MembershipChange): Uint8Array {
  const w = new Writer();
  switch (c.kind) {
    case MembershipKind.create:
      w.u16(c.members.length);
      for (const m of c.members) w.fixed(AccountId.toBytes(m.accountId), 32).u8(m.role);
      return w.u8(c.historyForNewMembers ? 1 : 0).finish();
    case MembershipKind.add:
    case MembershipKind.setRole:
      return w.fixed(AccountId.toBytes(c.accountId), 32).u8(c.role).finish();
    case MembershipKind.remove:
      return w.fixed(AccountId.toBytes(c.accountId), 32).finish();
    case MembershipKind.leave:
      return w.finish();
    case MembershipKind.setHistory:
      return w.u8(c.historyForNewMembers ? 1 : 0).finish();
  }
}

function decodeChange(kind: number, payload: Uint8Array): MembershipChange {
  const r = new Reader(payload, "membership change");
  let c: MembershipChange;
  switch (kind) {
    case MembershipKind.create: {
      const n = r.u16("member count");
      if (n < 1 || n > MAX_GROUP_MEMBERS) fail("out_of_bounds", `a group starts with 1 to ${MAX_GROUP_MEMBERS} members`);
      const members: { accountId: AccountId; role: GroupRole }[] = [];
      for (let i = 0; i < n; i++) members.push({ accountId: AccountId.fromBytes(r.fixed(32, "member")), role: role(r.u8("role")) });
      c = { kind, members, historyForNewMembers: flag(r.u8("historyForNewMembers")) };
      break;
    }
    case MembershipKind.add:
    case MembershipKind.setRole:
      c = { kind, accountId: AccountId.fromBytes(r.fixed(32, "accountId")), role: role(r.u8("role")) };
      break;
    case MembershipKind.remove:
      c = { kind, accountId: AccountId.fromBytes(r.fixed(32, "accountId")) };
      break;
    case MembershipKind.leave:
      c = { kind };
      break;
    case MembershipKind.setHistory:
      c = { kind, historyForNewMembers: flag(r.u8("historyForNewMembers")) };
      break;
    default:
      return fail("unsupported_version", `membership entry kind ${kind}`);
  }
  r.end();
  return c;
}

/** The signed part of an entry. */
export function encodeMembershipBody(e: MembershipEntry): Uint8Array {
  return new Writer()
    .u8(MEMBERSHIP_VERSION)
    .u8(e.change.kind)
    .fixed(ConversationId.toBytes(e.conversationId), CONVERSATION_ID_BYTES)
    .u32(e.seq)
    .fixed(e.prev, HASH_BYTES)
    .u64(e.createdAt)
    .fixed(AccountId.toBytes(e.author.accountId), 32)
    .fixed(DeviceId.toBytes(e.author.deviceId), DEVICE_ID_BYTES)
    .u32(e.author.logSeq)
    .fixed(e.author.logHead, HASH_BYTES)
    .vbytes(encodeChange(e.change))
    .finish();
}

export interface DecodedMembershipEntry extends MembershipEntry {
  readonly body: Uint8Array;
  readonly signature: Uint8Array;
}

export function decodeMembershipEntry(bytes: Uint8Array): DecodedMembershipEntry {
  const r = new Reader(bytes, "membership entry");
  const version = r.u8("version");
  if (version !== MEMBERSHIP_VERSION) fail("unsupported_version", `membership entry version ${version}`);
  const kind = r.u8("kind");
  const conversationId = ConversationId.fromBytes(r.fixed(CONVERSATION_ID_BYTES, "conversationId"));
  const seq = r.u32("seq");
  const prev = r.fixed(HASH_BYTES, "prev");
  const createdAt = r.u64("createdAt");
  const author = {
    accountId: AccountId.fromBytes(r.fixed(32, "author account")),
    deviceId: DeviceId.fromBytes(r.fixed(DEVICE_ID_BYTES, "author device")),
    logSeq: r.u32("author log seq"),
    logHead: r.fixed(HASH_BYTES, "author log head"),
  };
  const change = decodeChange(kind, r.vbytes(0, 2 + MAX_GROUP_MEMBERS * 33 + 1, "payload"));
  const body = r.span(0);
  const signature = r.fixed(SIGNATURE_BYTES, "signature");
  r.end();
  return { conversationId, seq, prev, createdAt, author, change, body, signature };
}

export function membershipSigningInput(body: Uint8Array): Uint8Array {
  return labelled(Label.membershipEntry, body);
}

export function membershipEntryHash(env: CryptoEnv, body: Uint8Array): Promise<Uint8Array> {
  return hashLabelled(env, Label.membershipHash, body);
}

/** Signs an entry with the author device's DSK: entry = body || signature. */
export async function signMembershipEntry(env: CryptoEnv, e: MembershipEntry, deviceSigningKey: Key): Promise<Uint8Array> {
  const body = encodeMembershipBody(e);
  const signature = await sign(env, deviceSigningKey, membershipSigningInput(body));
  return new Writer().fixed(body, body.length).fixed(signature, SIGNATURE_BYTES).finish();
}

/**
 * Answers, from the verifier's own verified device logs, the signing key of `deviceId` if it is an active
 * device of `accountId` at log position `logSeq` whose entry hashes to `logHead`. It returns undefined
 * for a device not active there, and throws `unknown_head` for a position the verifier has not verified
 * yet (fetch that account's log and retry) or `log_conflict` for a head that contradicts it.
 */
export type DeviceKeyAt = (author: MembershipAuthor) => Promise<Uint8Array | undefined>;

/**
 * A DeviceKeyAt over verified device logs: `stateAt` returns an account's verified state cut at a
 * position, or undefined when the verifier's log of that account is not that long yet.
 */
export function deviceKeyFromLogs(stateAt: (accountId: AccountId, seq: number) => Promise<AccountState | undefined>): DeviceKeyAt {
  return async (a) => {
    const state = await stateAt(a.accountId, a.logSeq);
    if (!state) fail("unknown_head", "a membership entry cites a device-log head newer than the verified one");
    if (!bytesEqual(state.head.hash, a.logHead)) fail("log_conflict", "a membership entry cites a device-log entry that contradicts the verified log");
    return state.devices.find((d) => d.deviceId === a.deviceId)?.signingKey;
  };
}

function find(members: readonly GroupMember[], id: AccountId): GroupMember | undefined {
  return members.find((m) => m.accountId === id);
}

function isAdmin(members: readonly GroupMember[], id: AccountId): boolean {
  return find(members, id)?.role === GroupRole.admin;
}

/** Applies one change, refusing any the author's role at that point does not allow. */
function apply(state: Omit<MembershipState, "head" | "entryHashes"> | undefined, e: MembershipEntry): Omit<MembershipState, "head" | "entryHashes"> {
  const c = e.change;
  const by = e.author.accountId;
  if (!state) {
    if (c.kind !== MembershipKind.create) fail("chain_broken", "a membership log starts with a create entry");
    const ids = c.members.map((m) => m.accountId);
    if (new Set(ids).size !== ids.length) fail("malformed", "a member is listed twice");
    const members = c.members.map((m) => ({ accountId: m.accountId, role: m.role, addedAtSeq: 0 }));
    if (!isAdmin(members, by)) fail("unknown_signer", "the creator must be an admin of the group it creates");
    return { conversationId: e.conversationId, members, historyForNewMembers: c.historyForNewMembers };
  }
  const members = state.members;
  switch (c.kind) {
    case MembershipKind.create:
      return fail("chain_broken", "a group is created only once");
    case MembershipKind.leave: {
      if (!find(members, by)) fail("unknown_signer", "only a member can leave");
      let rest = members.filter((m) => m.accountId !== by);
      // The last admin leaving hands the role to the longest-standing member, so a group never ends up
      // with nobody able to add or remove.
      if (rest.length > 0 && !rest.some((m) => m.role === GroupRole.admin)) rest = [{ ...rest[0]!, role: GroupRole.admin }, ...rest.slice(1)];
      return { ...state, members: rest };
    }
    default:
      break;
  }
  if (!isAdmin(members, by)) fail("unknown_signer", "only an admin can change the group");
  switch (c.kind) {
    case MembershipKind.add:
      if (find(members, c.accountId)) fail("malformed", "that account is already a member");
      if (members.length >= MAX_GROUP_MEMBERS) fail("out_of_bounds", `a group holds at most ${MAX_GROUP_MEMBERS} members`);
      return { ...state, members: [...members, { accountId: c.accountId, role: c.role, addedAtSeq: e.seq }] };
    case MembershipKind.remove:
      if (c.accountId === by) fail("malformed", "an admin leaves with a leave entry, not by removing itself");
      if (!find(members, c.accountId)) fail("malformed", "that account is not a member");
      return { ...state, members: members.filter((m) => m.accountId !== c.accountId) };
    case MembershipKind.setRole:
      if (!find(members, c.accountId)) fail("malformed", "that account is not a member");
      if (c.accountId === by && c.role !== GroupRole.admin && !members.some((m) => m.accountId !== by && m.role === GroupRole.admin)) {
        fail("malformed", "the last admin cannot step down; make another admin first");
      }
      return { ...state, members: members.map((m) => (m.accountId === c.accountId ? { ...m, role: c.role } : m)) };
    case MembershipKind.setHistory:
      return { ...state, historyForNewMembers: c.historyForNewMembers };
  }
}

/**
 * Verifies a whole membership log from its create entry: positions and hash chain, the conversation id,
 * each author device's signature with the key `deviceKeyAt` vouches for, and each change against the
 * author's role at that point. docs/PROTOCOL.md "Verifying a membership log".
 */
export async function verifyMembershipLog(env: CryptoEnv, entries: readonly Uint8Array[], conversationId: ConversationId, deviceKeyAt: DeviceKeyAt): Promise<MembershipState> {
  if (entries.length < 1 || entries.length > MAX_MEMBERSHIP_ENTRIES) fail("out_of_bounds", `a membership log holds 1 to ${MAX_MEMBERSHIP_ENTRIES} entries`);
  let state: Omit<MembershipState, "head" | "entryHashes"> | undefined;
  let prev = ZERO;
  const hashes: Uint8Array[] = [];
  // The newest device-log position each author account cited so far: cited heads never go backwards, so
  // a device revoked at some position cannot sign after an entry citing a later one.
  const cited = new Map<AccountId, number>();
  for (const [i, bytes] of entries.entries()) {
    const e = decodeMembershipEntry(bytes);
    if (e.conversationId !== conversationId) fail("wrong_context", `membership entry ${i} is for another conversation`);
    if (e.seq !== i) fail("chain_broken", `expected membership entry ${i}, got ${e.seq}`);
    if (!bytesEqual(e.prev, prev)) fail("chain_broken", `membership entry ${i} does not chain to the previous entry`);
    if (e.author.logSeq < (cited.get(e.author.accountId) ?? 0)) fail("log_conflict", `membership entry ${i} cites an older head of its author's device log than an earlier entry`);
    cited.set(e.author.accountId, e.author.logSeq);
    const key = await deviceKeyAt(e.author);
    if (!key) fail("unknown_signer", `membership entry ${i} is signed by a device that is not active on its author's log`);
    if (!(await verify(env, key, e.signature, membershipSigningInput(e.body)))) fail("bad_signature", `membership entry ${i} signature does not verify`);
    state = apply(state, e);
    prev = await membershipEntryHash(env, e.body);
    hashes.push(prev);
  }
  return { ...state!, head: { seq: entries.length - 1, hash: prev }, entryHashes: hashes };
}

/**
 * The members after entry `seq` of a log already verified by verifyMembershipLog (signatures are not
 * checked again): what a bundle citing that position's hash was made for.
 */
export function membersAt(entries: readonly Uint8Array[], seq: number): readonly GroupMember[] {
  if (!Number.isInteger(seq) || seq < 0 || seq >= entries.length) fail("out_of_bounds", `no membership entry at position ${seq}`);
  let state: Omit<MembershipState, "head" | "entryHashes"> | undefined;
  for (const bytes of entries.slice(0, seq + 1)) state = apply(state, decodeMembershipEntry(bytes));
  return state!.members;
}

/** Refuses a membership log that went backwards or forked from one seen before (like assertLogExtends). */
export function assertMembershipExtends(previous: { head: { seq: number; hash: Uint8Array } }, next: MembershipState): void {
  if (next.head.seq < previous.head.seq) fail("log_conflict", `membership log went backwards from ${previous.head.seq} to ${next.head.seq}`);
  const atSeen = next.entryHashes[previous.head.seq];
  if (!atSeen || !bytesEqual(atSeen, previous.head.hash)) fail("log_conflict", `two different membership entries at position ${previous.head.seq}`);
}
