import { fromUtf8, utf8 } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId } from "./ids.js";
import { Label } from "./labels.js";
import { padToBucket, unpadBucket } from "./padding.js";
import { IV_BYTES, aesGcmDecrypt, aesGcmEncrypt, hashLabelled, hkdf, importAesKey, labelled, x25519 } from "./primitives.js";
import type { HistoryKeyOf } from "./read-state.js";
import type { CryptoEnv } from "./subtle.js";

/**
 * Encrypted profiles (docs/PROTOCOL.md "Profile"): an account's display name and avatar, sealed under a
 * profile key that the account's devices derive from the account history key AHK and hand to contacts
 * and group members inside the encrypted channel (content kind 9, content-kinds.ts). The server stores
 * the sealed blob and learns only that the account has one, its size bucket and when it changes.
 */
export const PROFILE_VERSION = 1;
export const PROFILE_RECORD_VERSION = 1;
export const PROFILE_KEY_BYTES = 32;
export const PROFILE_DIGEST_BYTES = 32;
/** A display name: 1 to 64 bytes of UTF-8 after NFC and trimming. */
export const MAX_DISPLAY_NAME_BYTES = 64;
/** An avatar: a JPEG made on the device (128x128, re-encoded), at most 32 KiB. */
export const MAX_AVATAR_BYTES = 32 * 1024;
/**
 * Padded plaintext sizes (ISO/IEC 7816-4 padding inside the encryption): a name alone is one size, and
 * an avatar's size shows only as one of three buckets. The largest fits the largest record.
 */
const LARGEST_PROFILE_BUCKET = 34816;
export const PROFILE_BUCKETS = [256, 8192, 16384, LARGEST_PROFILE_BUCKET] as const;
const GCM_TAG_BYTES = 16;
/** u8 version || u32 generation || nonce. */
const PROFILE_HEADER_BYTES = 1 + 4 + IV_BYTES;
export const MAX_PROFILE_BLOB_BYTES = PROFILE_HEADER_BYTES + LARGEST_PROFILE_BUCKET + GCM_TAG_BYTES;
export const MIN_PROFILE_BLOB_BYTES = PROFILE_HEADER_BYTES + PROFILE_BUCKETS[0] + GCM_TAG_BYTES;

/** What a profile says. `avatar` is JPEG bytes, absent when the account has none. */
export interface Profile {
  readonly name: string;
  readonly avatar?: Uint8Array;
}

/** A blob's structure, decoded without keys: what the server checks before storing one. */
export interface DecodedProfileBlob {
  readonly version: typeof PROFILE_VERSION;
  readonly generation: number;
  readonly iv: Uint8Array;
  readonly ciphertext: Uint8Array;
}

/** The profile key of one AHK generation as raw bytes (they travel to contacts), with its generation. */
export interface ProfileKey {
  readonly generation: number;
  readonly key: Uint8Array;
}

/**
 * Characters refused in a display name: C0/C1 controls, and the bidirectional overrides and isolates
 * that can make a name read as another (U+202A..U+202E, U+2066..U+2069), and U+200E/U+200F marks.
 */
const REFUSED_NAME_CHARS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/**
 * A display name as stored and shown: NFC, trimmed, 1..64 UTF-8 bytes, without control or bidi-override
 * characters. Throws out_of_bounds (length) or malformed (characters).
 */
export function normalizeDisplayName(input: string): string {
  const name = input.normalize("NFC").trim();
  const n = utf8(name).length;
  if (n < 1 || n > MAX_DISPLAY_NAME_BYTES) fail("out_of_bounds", `a display name is 1 to ${MAX_DISPLAY_NAME_BYTES} bytes, got ${n}`);
  if (REFUSED_NAME_CHARS.test(name)) fail("malformed", "a display name may not contain control or direction-override characters");
  return name;
}

/** Whether bytes look like a whole JPEG: SOI marker first, EOI last. */
function isJpeg(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff && b[b.length - 2] === 0xff && b[b.length - 1] === 0xd9;
}

function checkAvatar(b: Uint8Array): void {
  if (b.length < 1 || b.length > MAX_AVATAR_BYTES) fail("out_of_bounds", `an avatar is 1 to ${MAX_AVATAR_BYTES} bytes, got ${b.length}`);
  if (!isJpeg(b)) fail("malformed", "an avatar must be a JPEG image");
}

/** The record inside the encryption: u8 record version || vbytes name || vbytes avatar (empty: none). */
export function encodeProfileRecord(p: Profile): Uint8Array {
  const name = normalizeDisplayName(p.name);
  if (name !== p.name) fail("malformed", "a display name must be normalized (normalizeDisplayName) before it is sealed");
  if (p.avatar) checkAvatar(p.avatar);
  return new Writer()
    .u8(PROFILE_RECORD_VERSION)
    .vbytes(utf8(name))
    .vbytes(p.avatar ?? new Uint8Array(0))
    .finish();
}

export function decodeProfileRecord(bytes: Uint8Array): Profile {
  const r = new Reader(bytes, "profile record");
  const version = r.u8("record version");
  if (version !== PROFILE_RECORD_VERSION) fail("unsupported_version", `profile record version ${version}`);
  const name = fromUtf8(r.vbytes(1, MAX_DISPLAY_NAME_BYTES, "name"));
  if (normalizeDisplayName(name) !== name) fail("malformed", "profile name is not normalized");
  const avatar = r.vbytes(0, MAX_AVATAR_BYTES, "avatar");
  r.end();
  if (avatar.length === 0) return { name };
  checkAvatar(avatar);
  return { name, avatar };
}

const generationBytes = (generation: number) => new Writer().u32(generation).finish();

/**
 * The profile key of AHK generation `k.generation`: HKDF-SHA-256 (RFC 5869) of X25519(AHK private, AHK
 * public) with salt empty and info = labelled("sealed/profile-key/v1", u32 generation, account id), 32
 * bytes. Every device of the account computes the same bytes with no sync; nobody else can. Raw bytes,
 * not a CryptoKey: contacts receive them in a kind 9 message.
 */
export async function profileKey(env: CryptoEnv, k: HistoryKeyOf, accountId: AccountId): Promise<ProfileKey> {
  const info = labelled(Label.profileKey, generationBytes(k.generation), AccountId.toBytes(accountId));
  const shared = await x25519(env, k.historyKey, k.historyPublic);
  const key = await hkdf(env, shared, new Uint8Array(0), info, PROFILE_KEY_BYTES);
  shared.fill(0);
  return { generation: k.generation, key };
}

/** The AEAD's associated data: names the purpose, the account and the generation. */
function profileAad(accountId: AccountId, generation: number): Uint8Array {
  return labelled(Label.profileAad, AccountId.toBytes(accountId), generationBytes(generation));
}

/** Seals a profile of `accountId` under `pk` (a fresh random nonce each time). */
export async function sealProfile(env: CryptoEnv, pk: ProfileKey, accountId: AccountId, p: Profile): Promise<Uint8Array> {
  if (pk.key.length !== PROFILE_KEY_BYTES) fail("malformed", `a profile key is ${PROFILE_KEY_BYTES} bytes`);
  const key = await importAesKey(env, pk.key, false, ["encrypt"]);
  const iv = env.randomBytes(IV_BYTES);
  const ciphertext = await aesGcmEncrypt(env, key, iv, profileAad(accountId, pk.generation), padToBucket(encodeProfileRecord(p), PROFILE_BUCKETS, "profile"));
  return new Writer().u8(PROFILE_VERSION).u32(pk.generation).fixed(iv, IV_BYTES).fixed(ciphertext, ciphertext.length).finish();
}

/**
 * Decodes a blob's structure: version 1, and a ciphertext of one of the bucket sizes plus the tag (so
 * the size is bounded before anything else). Throws a ProtocolError.
 */
export function decodeProfileBlob(bytes: Uint8Array): DecodedProfileBlob {
  if (bytes.length < MIN_PROFILE_BLOB_BYTES || bytes.length > MAX_PROFILE_BLOB_BYTES) fail("out_of_bounds", `a profile is ${MIN_PROFILE_BLOB_BYTES} to ${MAX_PROFILE_BLOB_BYTES} bytes, got ${bytes.length}`);
  const r = new Reader(bytes, "profile");
  const version = r.u8("version");
  if (version !== PROFILE_VERSION) fail("unsupported_version", `profile version ${version}`);
  const generation = r.u32("generation");
  const iv = r.fixed(IV_BYTES, "iv");
  const size = bytes.length - PROFILE_HEADER_BYTES;
  if (!(PROFILE_BUCKETS as readonly number[]).includes(size - GCM_TAG_BYTES)) fail("malformed", `profile ciphertext of ${size} bytes is not a bucket size`);
  const ciphertext = r.fixed(size, "ciphertext");
  r.end();
  return { version: PROFILE_VERSION, generation, iv, ciphertext };
}

/**
 * Opens a decoded blob of `accountId` with `pk`. A blob of another generation than the key's is
 * `wrong_context`; an altered blob, or one sealed for another account, is `decrypt_failed`.
 */
export async function openProfile(env: CryptoEnv, d: DecodedProfileBlob, pk: ProfileKey, accountId: AccountId): Promise<Profile> {
  if (d.generation !== pk.generation) fail("wrong_context", `profile sealed under generation ${d.generation}, key is of ${pk.generation}`);
  if (pk.key.length !== PROFILE_KEY_BYTES) fail("malformed", `a profile key is ${PROFILE_KEY_BYTES} bytes`);
  const key = await importAesKey(env, pk.key, false, ["decrypt"]);
  const padded = await aesGcmDecrypt(env, key, d.iv, profileAad(accountId, d.generation), d.ciphertext);
  return decodeProfileRecord(unpadBucket(padded, PROFILE_BUCKETS, "profile"));
}

/** The digest a kind 9 message carries: SHA-256 of labelled("sealed/profile-digest/v1", blob). */
export function profileDigest(env: CryptoEnv, blob: Uint8Array): Promise<Uint8Array> {
  return hashLabelled(env, Label.profileDigest, blob);
}
