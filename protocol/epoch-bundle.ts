import { bytesEqual, toHex } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail, isProtocolError } from "./errors.js";
import type { AccountState } from "./device-log.js";
import { AccountId, ConversationId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import {
  HASH_BYTES,
  IV_BYTES,
  SIGNATURE_BYTES,
  aesGcmEncrypt,
  hashLabelled,
  importAesKey,
  importSeed,
  labelled,
  sign,
  sealingKey,
  verify,
} from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Epoch key bundles: one conversation key (CK) per epoch, wrapped to every verified device of every
 * member and to every member's history key, with a key commitment, signed by the creating device.
 * docs/PROTOCOL.md "Epoch bundle".
 */
export const BUNDLE_VERSION = 1;
export const COMMITMENT_BYTES = 48;
export const WRAPPED_KEY_BYTES = 48;
// Sized so the largest bundle (1024 members with 4 devices each, ~864 KB) fits MAX_BUNDLE_BYTES (1 MiB).
export const MAX_DEVICE_WRAPS = 4096;
export const MAX_MEMBERS = 1024;
const ZERO_IV = new Uint8Array(IV_BYTES);

export interface CitedHead {
  readonly accountId: AccountId;
  readonly seq: number;
  readonly hash: Uint8Array;
}

export interface DeviceWrap {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly boxKey: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly wrapped: Uint8Array;
}

export interface HistoryWrap {
  readonly accountId: AccountId;
  readonly generation: number;
  readonly historyKey: Uint8Array;
  readonly ephemeralKey: Uint8Array;
  readonly wrapped: Uint8Array;
}

export interface EpochBundle {
  readonly version: typeof BUNDLE_VERSION;
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly commitment: Uint8Array;
  readonly keyId: Uint8Array;
  readonly creatorAccountId: AccountId;
  readonly creatorDeviceId: DeviceId;
  readonly membershipHead: Uint8Array;
  readonly heads: readonly CitedHead[];
  readonly deviceWraps: readonly DeviceWrap[];
  readonly historyWraps: readonly HistoryWrap[];
  readonly createdAt: number;
  readonly signature: Uint8Array;
  /** The bytes the signature covers. */
  readonly body: Uint8Array;
}

function u32(n: number): Uint8Array {
  return new Writer().u32(n).finish();
}

/** The signed part of a bundle. */
export function encodeBundleBody(b: Omit<EpochBundle, "signature" | "body">): Uint8Array {
  const w = new Writer()
    .u8(b.version)
    .fixed(ConversationId.toBytes(b.conversationId), 16)
    .u32(b.epoch)
    .fixed(b.commitment, COMMITMENT_BYTES)
    .fixed(b.keyId, HASH_BYTES)
    .fixed(AccountId.toBytes(b.creatorAccountId), 32)
    .fixed(DeviceId.toBytes(b.creatorDeviceId), 16)
    .fixed(b.membershipHead, HASH_BYTES)
    .u16(b.heads.length);
  for (const h of b.heads) w.fixed(AccountId.toBytes(h.accountId), 32).u32(h.seq).fixed(h.hash, HASH_BYTES);
  w.u16(b.deviceWraps.length);
  for (const d of b.deviceWraps) {
    w.fixed(AccountId.toBytes(d.accountId), 32).fixed(DeviceId.toBytes(d.deviceId), 16).fixed(d.boxKey, 32).fixed(d.ephemeralKey, 32).fixed(d.wrapped, WRAPPED_KEY_BYTES);
  }
  w.u16(b.historyWraps.length);
  for (const h of b.historyWraps) {
    w.fixed(AccountId.toBytes(h.accountId), 32).u32(h.generation).fixed(h.historyKey, 32).fixed(h.ephemeralKey, 32).fixed(h.wrapped, WRAPPED_KEY_BYTES);
  }
  return w.u64(b.createdAt).finish();
}

export function encodeBundle(b: EpochBundle): Uint8Array {
  return new Writer().fixed(b.body, b.body.length).fixed(b.signature, SIGNATURE_BYTES).finish();
}

export function decodeBundle(bytes: Uint8Array): EpochBundle {
  const r = new Reader(bytes, "epoch bundle");
  const version = r.u8("version");
  if (version !== BUNDLE_VERSION) fail("unsupported_version", `epoch bundle version ${version}`);
  const conversationId = ConversationId.fromBytes(r.fixed(16, "conversationId"));
  const epoch = r.u32("epoch");
  const commitment = r.fixed(COMMITMENT_BYTES, "commitment");
  const keyId = r.fixed(HASH_BYTES, "keyId");
  const creatorAccountId = AccountId.fromBytes(r.fixed(32, "creatorAccountId"));
  const creatorDeviceId = DeviceId.fromBytes(r.fixed(16, "creatorDeviceId"));
  const membershipHead = r.fixed(HASH_BYTES, "membershipHead");
  const headCount = r.u16("head count");
  if (headCount < 1 || headCount > MAX_MEMBERS) fail("out_of_bounds", `bundle cites ${headCount} heads`);
  const heads: CitedHead[] = [];
  for (let i = 0; i < headCount; i++) heads.push({ accountId: AccountId.fromBytes(r.fixed(32, "head account")), seq: r.u32("head seq"), hash: r.fixed(HASH_BYTES, "head hash") });
  const wrapCount = r.u16("device wrap count");
  if (wrapCount < 1 || wrapCount > MAX_DEVICE_WRAPS) fail("out_of_bounds", `bundle has ${wrapCount} device wraps`);
  const deviceWraps: DeviceWrap[] = [];
  for (let i = 0; i < wrapCount; i++) {
    deviceWraps.push({
      accountId: AccountId.fromBytes(r.fixed(32, "wrap account")),
      deviceId: DeviceId.fromBytes(r.fixed(16, "wrap device")),
      boxKey: r.fixed(32, "wrap box key"),
      ephemeralKey: r.fixed(32, "wrap ephemeral key"),
      wrapped: r.fixed(WRAPPED_KEY_BYTES, "wrapped key"),
    });
  }
  const historyCount = r.u16("history wrap count");
  if (historyCount < 1 || historyCount > MAX_MEMBERS) fail("out_of_bounds", `bundle has ${historyCount} history wraps`);
  const historyWraps: HistoryWrap[] = [];
  for (let i = 0; i < historyCount; i++) {
    historyWraps.push({
      accountId: AccountId.fromBytes(r.fixed(32, "history account")),
      generation: r.u32("history generation"),
      historyKey: r.fixed(32, "history key"),
      ephemeralKey: r.fixed(32, "history ephemeral key"),
      wrapped: r.fixed(WRAPPED_KEY_BYTES, "history wrapped key"),
    });
  }
  const createdAt = r.u64("createdAt");
  const body = r.span(0);
  const signature = r.fixed(SIGNATURE_BYTES, "signature");
  r.end();
  return { version: BUNDLE_VERSION, conversationId, epoch, commitment, keyId, creatorAccountId, creatorDeviceId, membershipHead, heads, deviceWraps, historyWraps, createdAt, signature, body };
}

export function bundleSigningInput(body: Uint8Array): Uint8Array {
  return labelled(Label.epochBundle, body);
}

/**
 * Key commitment: AES-GCM under CK of 32 zero bytes with the reserved all-zero nonce (never used for
 * messages) and the epoch context as AAD. Holders of a non-extractable CK can recompute it.
 */
export async function keyCommitment(env: CryptoEnv, ck: Key, conversationId: ConversationId, epoch: number): Promise<Uint8Array> {
  const aad = labelled(Label.epochCommit, ConversationId.toBytes(conversationId), u32(epoch));
  return aesGcmEncrypt(env, ck, ZERO_IV, aad, new Uint8Array(32));
}

export async function keyIdOf(env: CryptoEnv, commitment: Uint8Array): Promise<Uint8Array> {
  return hashLabelled(env, Label.keyId, commitment);
}

function deviceWrapInfo(conversationId: ConversationId, epoch: number, keyId: Uint8Array, w: Omit<DeviceWrap, "wrapped">): Uint8Array {
  return labelled(Label.epochWrap, ConversationId.toBytes(conversationId), u32(epoch), keyId, AccountId.toBytes(w.accountId), DeviceId.toBytes(w.deviceId), w.boxKey, w.ephemeralKey);
}

function historyWrapInfo(conversationId: ConversationId, epoch: number, keyId: Uint8Array, w: Omit<HistoryWrap, "wrapped">): Uint8Array {
  return labelled(Label.historyWrap, ConversationId.toBytes(conversationId), u32(epoch), keyId, AccountId.toBytes(w.accountId), u32(w.generation), w.historyKey, w.ephemeralKey);
}

/** KEK = sealingKey(...) (HKDF over X25519 with the wrap's info); each KEK wraps one key, so the IV is fixed. */
function kekFor(env: CryptoEnv, privateKey: Key, peerPublic: Uint8Array, info: Uint8Array): Promise<Key> {
  return sealingKey(env, privateKey, peerPublic, info, ["wrapKey", "unwrapKey"]);
}

async function wrapTo(env: CryptoEnv, ck: Key, recipientPublic: Uint8Array, info: (ephemeralKey: Uint8Array) => Uint8Array): Promise<{ ephemeralKey: Uint8Array; wrapped: Uint8Array }> {
  // The ephemeral key comes from env.randomBytes (not generateKey) so injected randomness makes bundles
  // reproducible for known-answer vectors.
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const ephemeralKey = eph.publicKey;
  const aad = info(ephemeralKey);
  const kek = await kekFor(env, eph.privateKey, recipientPublic, aad);
  const wrapped = new Uint8Array(await env.subtle.wrapKey("raw", ck, kek, { name: "AES-GCM", iv: ZERO_IV, additionalData: aad }));
  return { ephemeralKey, wrapped };
}

/** Wraps an (extractable) CK to one device's box key. */
export async function wrapForDevice(
  env: CryptoEnv,
  ck: Key,
  ctx: { conversationId: ConversationId; epoch: number; keyId: Uint8Array },
  to: { accountId: AccountId; deviceId: DeviceId; boxKey: Uint8Array },
): Promise<DeviceWrap> {
  const w = await wrapTo(env, ck, to.boxKey, (ephemeralKey) => deviceWrapInfo(ctx.conversationId, ctx.epoch, ctx.keyId, { ...to, ephemeralKey }));
  return { ...to, ...w };
}

/** Wraps an (extractable) CK to one account's history key (its archive entry). */
export async function wrapForHistory(
  env: CryptoEnv,
  ck: Key,
  ctx: { conversationId: ConversationId; epoch: number; keyId: Uint8Array },
  to: { accountId: AccountId; generation: number; historyKey: Uint8Array },
): Promise<HistoryWrap> {
  const w = await wrapTo(env, ck, to.historyKey, (ephemeralKey) => historyWrapInfo(ctx.conversationId, ctx.epoch, ctx.keyId, { ...to, ephemeralKey }));
  return { ...to, ...w };
}

/** Signs an assembled bundle with the creating device's key. */
export async function signBundle(env: CryptoEnv, unsigned: Omit<EpochBundle, "signature" | "body">, signingKey: Key): Promise<{ bytes: Uint8Array; bundle: EpochBundle }> {
  const body = encodeBundleBody(unsigned);
  const signature = await sign(env, signingKey, bundleSigningInput(body));
  const bundle: EpochBundle = { ...unsigned, signature, body };
  return { bytes: encodeBundle(bundle), bundle };
}

async function unwrapWith(env: CryptoEnv, privateKey: Key, peerPublic: Uint8Array, info: Uint8Array, wrapped: Uint8Array, extractable: boolean): Promise<Key> {
  const kek = await kekFor(env, privateKey, peerPublic, info);
  try {
    return await env.subtle.unwrapKey("raw", wrapped, kek, { name: "AES-GCM", iv: ZERO_IV, additionalData: info }, { name: "AES-GCM" }, extractable, ["encrypt", "decrypt"]);
  } catch {
    return fail("decrypt_failed", "epoch key wrap does not open with this key");
  }
}

/** The membership head of a 1:1 conversation: a hash of its two account ids in sorted order. */
export async function directMembershipHead(env: CryptoEnv, a: AccountId, b: AccountId): Promise<Uint8Array> {
  const [x, y] = [a, b].sort();
  return hashLabelled(env, Label.directMembers, AccountId.toBytes(x as AccountId), AccountId.toBytes(y as AccountId));
}

export interface CreateBundleParams {
  readonly conversationId: ConversationId;
  readonly epoch: number;
  readonly creator: { readonly accountId: AccountId; readonly deviceId: DeviceId; readonly signingKey: Key };
  readonly membershipHead: Uint8Array;
  /** Verified log state of every member, the creator's own account included. */
  readonly members: readonly AccountState[];
  readonly createdAt: number;
}

/** Makes a new epoch: a fresh CK, wrapped to every verified device and history key, signed. */
export async function createEpochBundle(env: CryptoEnv, p: CreateBundleParams): Promise<{ bytes: Uint8Array; bundle: EpochBundle; ck: Key }> {
  const rawCk = env.randomBytes(32);
  const extractableCk = await importAesKey(env, rawCk, true, ["encrypt", "decrypt"]);
  const commitment = await keyCommitment(env, extractableCk, p.conversationId, p.epoch);
  const ctx = { conversationId: p.conversationId, epoch: p.epoch, keyId: await keyIdOf(env, commitment) };
  const deviceWraps: DeviceWrap[] = [];
  const historyWraps: HistoryWrap[] = [];
  for (const m of p.members) {
    for (const d of m.devices) deviceWraps.push(await wrapForDevice(env, extractableCk, ctx, { accountId: m.accountId, deviceId: d.deviceId, boxKey: d.boxKey }));
    historyWraps.push(await wrapForHistory(env, extractableCk, ctx, { accountId: m.accountId, generation: m.history.generation, historyKey: m.history.publicKey }));
  }
  const { bytes, bundle } = await signBundle(
    env,
    {
      version: BUNDLE_VERSION,
      ...ctx,
      commitment,
      creatorAccountId: p.creator.accountId,
      creatorDeviceId: p.creator.deviceId,
      membershipHead: p.membershipHead,
      heads: p.members.map((m) => ({ accountId: m.accountId, seq: m.head.seq, hash: m.head.hash })),
      deviceWraps,
      historyWraps,
      createdAt: p.createdAt,
    },
    p.creator.signingKey,
  );
  // Keep only a non-extractable copy for use; the extractable one goes out of scope here.
  const ck = await importAesKey(env, rawCk, false, ["encrypt", "decrypt"]);
  rawCk.fill(0);
  return { bytes, bundle, ck };
}

export interface OpenBundleParams {
  readonly conversationId: ConversationId;
  readonly membershipHead: Uint8Array;
  /** Verified log state of every member, keyed by account id. */
  readonly members: ReadonlyMap<AccountId, AccountState>;
  readonly extractable?: boolean;
}

/**
 * Checks a bundle's signature, creator, cited heads and recipients against the verified view, in the
 * order of docs/PROTOCOL.md "Accepting an epoch bundle". Returns the decoded bundle.
 */
export async function verifyBundle(env: CryptoEnv, bytes: Uint8Array, p: OpenBundleParams): Promise<EpochBundle> {
  const b = decodeBundle(bytes);
  if (b.conversationId !== p.conversationId) fail("wrong_context", "bundle is for another conversation");
  if (!bytesEqual(b.membershipHead, p.membershipHead)) fail("wrong_context", "bundle cites another membership");
  const creator = p.members.get(b.creatorAccountId);
  if (!creator) fail("unknown_signer", "bundle creator is not a member");
  const creatorDevice = creator.devices.find((d) => d.deviceId === b.creatorDeviceId);
  if (!creatorDevice) fail("unknown_signer", "bundle creator device is not on the creator's log");
  if (!(await verify(env, creatorDevice.signingKey, b.signature, bundleSigningInput(b.body)))) fail("bad_signature", "bundle signature does not verify");
  if (!bytesEqual(await keyIdOf(env, b.commitment), b.keyId)) fail("commitment_mismatch", "key id is not the hash of the commitment");

  if (b.heads.length !== p.members.size) fail("recipient_mismatch", "bundle cites a head per member");
  for (const h of b.heads) {
    const known = p.members.get(h.accountId);
    if (!known) fail("recipient_mismatch", "bundle cites a head of a non-member");
    if (h.seq > known.head.seq) fail("unknown_head", "bundle cites a log head newer than the verified one");
    const seen = known.entryHashes[h.seq];
    if (!seen || !bytesEqual(seen, h.hash)) fail("log_conflict", "bundle cites a log entry that contradicts the verified log");
  }

  const expectedDevices = new Set<string>();
  for (const m of p.members.values()) for (const d of m.devices) expectedDevices.add(`${m.accountId}/${d.deviceId}/${toHex(d.boxKey)}`);
  const gotDevices = new Set(b.deviceWraps.map((w) => `${w.accountId}/${w.deviceId}/${toHex(w.boxKey)}`));
  if (gotDevices.size !== b.deviceWraps.length || !sameSet(expectedDevices, gotDevices)) fail("recipient_mismatch", "bundle recipients differ from the verified device set");

  const expectedHistory = new Set([...p.members.values()].map((m) => `${m.accountId}/${m.history.generation}/${toHex(m.history.publicKey)}`));
  const gotHistory = new Set(b.historyWraps.map((w) => `${w.accountId}/${w.generation}/${toHex(w.historyKey)}`));
  if (gotHistory.size !== b.historyWraps.length || !sameSet(expectedHistory, gotHistory)) fail("recipient_mismatch", "bundle history wraps differ from the members' history keys");
  return b;
}

/** Verifies a bundle, unwraps this device's copy of CK and checks it against the commitment. */
export async function openEpochBundle(
  env: CryptoEnv,
  bytes: Uint8Array,
  p: OpenBundleParams & { readonly me: { readonly accountId: AccountId; readonly deviceId: DeviceId; readonly boxKey: Key } },
): Promise<{ bundle: EpochBundle; ck: Key }> {
  const b = await verifyBundle(env, bytes, p);
  const w = b.deviceWraps.find((x) => x.accountId === p.me.accountId && x.deviceId === p.me.deviceId);
  if (!w) fail("recipient_mismatch", "bundle has no wrap for this device");
  const ck = await unwrapWith(env, p.me.boxKey, w.ephemeralKey, deviceWrapInfo(b.conversationId, b.epoch, b.keyId, w), w.wrapped, p.extractable ?? false);
  await assertCommitted(env, b, ck);
  return { bundle: b, ck };
}

/**
 * Opens an archived CK (sealed to the account's history key). Accepted only when it matches the signed
 * commitment, never merely because it decrypts.
 */
export async function openArchivedKey(
  env: CryptoEnv,
  bundle: EpochBundle,
  me: { readonly accountId: AccountId; readonly generation: number; readonly historyKey: Key },
  extractable = false,
): Promise<Key> {
  const w = bundle.historyWraps.find((x) => x.accountId === me.accountId && x.generation === me.generation);
  if (!w) fail("recipient_mismatch", "bundle has no history wrap for this account and generation");
  const ck = await unwrapWith(env, me.historyKey, w.ephemeralKey, historyWrapInfo(bundle.conversationId, bundle.epoch, bundle.keyId, w), w.wrapped, extractable);
  await assertCommitted(env, bundle, ck);
  return ck;
}

/** Throws commitment_mismatch unless `ck` is the key bundle `b` committed to (however it was obtained). */
export async function assertCommitted(env: CryptoEnv, b: EpochBundle, ck: Key): Promise<void> {
  let c: Uint8Array;
  try {
    c = await keyCommitment(env, ck, b.conversationId, b.epoch);
  } catch (e) {
    if (isProtocolError(e)) throw e;
    return fail("commitment_mismatch", "epoch key cannot compute the commitment");
  }
  if (!bytesEqual(c, b.commitment)) fail("commitment_mismatch", "epoch key does not match the bundle's commitment");
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  if (a.size !== b.size) return false;
  for (const x of a) if (!b.has(x)) return false;
  return true;
}
