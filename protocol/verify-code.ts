import { bytesEqual, fromBase64url, toBase64url } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { ACCOUNT_ID_BYTES, AccountId as AccountIdCodec, type AccountId } from "./ids.js";
import { safetyNumberHalf } from "./safety-number.js";
import type { CryptoEnv } from "./subtle.js";

/**
 * The safety number as a QR code (docs/PROTOCOL.md "Verification code"): the account that shows it, the
 * account it is shown to, and both 30-byte safety-number halves, in that order. The scanner recomputes
 * the halves from the two ids it knows and compares.
 */
export const VERIFY_CODE_PREFIX = "sealed-verify:";
export const VERIFY_CODE_VERSION = 1;
export const FINGERPRINT_HALF_BYTES = 30;
/** Prefix plus base64url of the 125-byte body: longer text is refused before decoding. */
export const MAX_VERIFY_CODE_CHARS = VERIFY_CODE_PREFIX.length + 167;

export interface VerifyCode {
  /** The account whose device shows the code. */
  readonly owner: AccountId;
  /** The contact it is shown to (who should scan it). */
  readonly peer: AccountId;
  readonly ownerHalf: Uint8Array;
  readonly peerHalf: Uint8Array;
}

export async function makeVerifyCode(env: CryptoEnv, owner: AccountId, peer: AccountId): Promise<VerifyCode> {
  return { owner, peer, ownerHalf: await safetyNumberHalf(env, owner), peerHalf: await safetyNumberHalf(env, peer) };
}

export function encodeVerifyCode(c: VerifyCode): string {
  const body = new Writer()
    .u8(VERIFY_CODE_VERSION)
    .fixed(AccountIdCodec.toBytes(c.owner), ACCOUNT_ID_BYTES)
    .fixed(AccountIdCodec.toBytes(c.peer), ACCOUNT_ID_BYTES)
    .fixed(c.ownerHalf, FINGERPRINT_HALF_BYTES)
    .fixed(c.peerHalf, FINGERPRINT_HALF_BYTES)
    .finish();
  return VERIFY_CODE_PREFIX + toBase64url(body);
}

/** Parses scanned text: the prefix, a bounded length, the version, exact field sizes, no trailing bytes. */
export function parseVerifyCode(text: string): VerifyCode {
  const trimmed = text.trim();
  if (!trimmed.startsWith(VERIFY_CODE_PREFIX)) fail("malformed", "this is not a Sealed verification code");
  if (trimmed.length > MAX_VERIFY_CODE_CHARS) fail("malformed", "this verification code is too long");
  const r = new Reader(fromBase64url(trimmed.slice(VERIFY_CODE_PREFIX.length)), "verification code");
  const version = r.u8("version");
  if (version !== VERIFY_CODE_VERSION) fail("unsupported_version", `verification code version ${version}`);
  const code = {
    owner: AccountIdCodec.fromBytes(r.fixed(ACCOUNT_ID_BYTES, "owner")),
    peer: AccountIdCodec.fromBytes(r.fixed(ACCOUNT_ID_BYTES, "peer")),
    ownerHalf: r.fixed(FINGERPRINT_HALF_BYTES, "ownerHalf"),
    peerHalf: r.fixed(FINGERPRINT_HALF_BYTES, "peerHalf"),
  };
  r.end();
  return code;
}

/**
 * What a scanned code says about the pair (me, contact), from this device's own computation:
 * "match": shown by the contact, to me, with the halves I compute; "mismatch": it names me but another
 * account as its owner, or its halves differ (a server in the middle, or the wrong person);
 * "own": my own code; "other": a code between other accounts.
 */
export type VerifyOutcome = "match" | "mismatch" | "own" | "other";

export async function checkVerifyCode(env: CryptoEnv, code: VerifyCode, me: AccountId, contact: AccountId): Promise<VerifyOutcome> {
  if (code.owner === me) return "own";
  if (code.peer !== me) return "other";
  if (code.owner !== contact) return "mismatch";
  const expected = await makeVerifyCode(env, contact, me);
  return bytesEqual(expected.ownerHalf, code.ownerHalf) && bytesEqual(expected.peerHalf, code.peerHalf) ? "match" : "mismatch";
}
