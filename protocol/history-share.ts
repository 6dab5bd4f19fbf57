import { bytesEqual } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { assertCommitted, WRAPPED_KEY_BYTES, type EpochBundle, type HistoryWrap } from "./epoch-bundle.js";
import { AccountId, ConversationId, CONVERSATION_ID_BYTES } from "./ids.js";
import { Label } from "./labels.js";
import { HASH_BYTES, IV_BYTES, PUBLIC_KEY_BYTES, importSeed, labelled, sealingKey } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * History shares (docs/PROTOCOL.md "History share"): the CK of an epoch from before a member joined,
 * sealed to that member's account history key (AHK) by the device that added them to a group with
 * "history for new members" on. Like a bundle's history wrap, but outside the bundle, under its own
 * HKDF label. It carries no signature: the CK is accepted only if it matches the commitment the
 * ORIGINAL bundle's creator signed, so a sharer (or the server) can withhold a key but never plant one.
 */
export const HISTORY_SHARE_VERSION = 1;
/** Every version-1 share has this size: version, conversation, epoch, key id and one history wrap. */
export const HISTORY_SHARE_BYTES = 1 + CONVERSATION_ID_BYTES + 4 + HASH_BYTES + 32 + 4 + PUBLIC_KEY_BYTES + PUBLIC_KEY_BYTES + WRAPPED_KEY_BYTES;
const ZERO_IV = new Uint8Array(IV_BYTES);

export interface HistoryShare {
  readonly conversationId: ConversationId;
  readonly epoch: number;
  /** The key id of the epoch's bundle (32 bytes). */
  readonly keyId: Uint8Array;
  readonly wrap: HistoryWrap;
}

export function encodeHistoryShare(s: HistoryShare): Uint8Array {
  return new Writer()
    .u8(HISTORY_SHARE_VERSION)
    .fixed(ConversationId.toBytes(s.conversationId), CONVERSATION_ID_BYTES)
    .u32(s.epoch)
    .fixed(s.keyId, HASH_BYTES)
    .fixed(AccountId.toBytes(s.wrap.accountId), 32)
    .u32(s.wrap.generation)
    .fixed(s.wrap.historyKey, PUBLIC_KEY_BYTES)
    .fixed(s.wrap.ephemeralKey, PUBLIC_KEY_BYTES)
    .fixed(s.wrap.wrapped, WRAPPED_KEY_BYTES)
    .finish();
}

export function decodeHistoryShare(bytes: Uint8Array): HistoryShare {
  const r = new Reader(bytes, "history share");
  const version = r.u8("version");
  if (version !== HISTORY_SHARE_VERSION) fail("unsupported_version", `history share version ${version}`);
  const conversationId = ConversationId.fromBytes(r.fixed(CONVERSATION_ID_BYTES, "conversationId"));
  const epoch = r.u32("epoch");
  const keyId = r.fixed(HASH_BYTES, "keyId");
  const wrap: HistoryWrap = {
    accountId: AccountId.fromBytes(r.fixed(32, "recipient account")),
    generation: r.u32("generation"),
    historyKey: r.fixed(PUBLIC_KEY_BYTES, "history key"),
    ephemeralKey: r.fixed(PUBLIC_KEY_BYTES, "ephemeral key"),
    wrapped: r.fixed(WRAPPED_KEY_BYTES, "wrapped key"),
  };
  r.end();
  return { conversationId, epoch, keyId, wrap };
}

/** HKDF info and AEAD associated data of a share: everything it is for, under its own label. */
function shareInfo(s: Omit<HistoryShare, "wrap">, w: Omit<HistoryWrap, "wrapped">): Uint8Array {
  const u32 = (n: number) => new Writer().u32(n).finish();
  return labelled(Label.historyShare, ConversationId.toBytes(s.conversationId), u32(s.epoch), s.keyId, AccountId.toBytes(w.accountId), u32(w.generation), w.historyKey, w.ephemeralKey);
}

/**
 * Seals `extractableCk` (the CK of `bundle`) to a recipient's AHK public key. Refuses (commitment_mismatch)
 * a key that is not the bundle's, so a client never hands out a share its recipient would refuse.
 */
export async function createHistoryShare(
  env: CryptoEnv,
  extractableCk: Key,
  bundle: EpochBundle,
  recipient: { accountId: AccountId; generation: number; historyKey: Uint8Array },
): Promise<Uint8Array> {
  await assertCommitted(env, bundle, extractableCk);
  const ctx = { conversationId: bundle.conversationId, epoch: bundle.epoch, keyId: bundle.keyId };
  // From env.randomBytes, like the bundle's wraps, so injected randomness gives reproducible vectors.
  const seed = env.randomBytes(32);
  const eph = await importSeed(env, "X25519", seed);
  seed.fill(0);
  const partial = { accountId: recipient.accountId, generation: recipient.generation, historyKey: recipient.historyKey, ephemeralKey: eph.publicKey };
  const info = shareInfo(ctx, partial);
  // One fresh ephemeral key per KEK, and each KEK wraps one key: the fixed IV is safe (as in bundles).
  const kek = await sealingKey(env, eph.privateKey, recipient.historyKey, info, ["wrapKey"]);
  const wrapped = new Uint8Array(await env.subtle.wrapKey("raw", extractableCk, kek, { name: "AES-GCM", iv: ZERO_IV, additionalData: info }));
  return encodeHistoryShare({ ...ctx, wrap: { ...partial, wrapped } });
}

/**
 * Opens a share for `me` against an already verified bundle (verifyBundle): it must name the bundle's
 * conversation, epoch and key id (wrong_context) and be addressed to me at this generation
 * (recipient_mismatch); the CK must open (decrypt_failed) and match bundle.commitment (commitment_mismatch).
 */
export async function openHistoryShare(
  env: CryptoEnv,
  bundle: EpochBundle,
  share: HistoryShare,
  me: { accountId: AccountId; generation: number; historyKey: Key },
  extractable = false,
): Promise<Key> {
  if (share.conversationId !== bundle.conversationId) fail("wrong_context", "the history share is for another conversation");
  if (share.epoch !== bundle.epoch) fail("wrong_context", "the history share is for another epoch");
  if (!bytesEqual(share.keyId, bundle.keyId)) fail("wrong_context", "the history share names another key id than the bundle");
  const w = share.wrap;
  if (w.accountId !== me.accountId) fail("recipient_mismatch", "the history share is addressed to another account");
  if (w.generation !== me.generation) fail("recipient_mismatch", "the history share is sealed to another history key generation");
  const info = shareInfo(share, w);
  const kek = await sealingKey(env, me.historyKey, w.ephemeralKey, info, ["unwrapKey"]);
  let ck: Key;
  try {
    ck = await env.subtle.unwrapKey("raw", w.wrapped, kek, { name: "AES-GCM", iv: ZERO_IV, additionalData: info }, { name: "AES-GCM" }, extractable, ["encrypt", "decrypt"]);
  } catch {
    return fail("decrypt_failed", "the history share does not open with this history key");
  }
  await assertCommitted(env, bundle, ck);
  return ck;
}
