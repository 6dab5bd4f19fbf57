import { utf8 } from "./bytes.js";
import { Writer } from "./codec.js";
import { fail } from "./errors.js";
import { AccountId, DeviceId } from "./ids.js";
import { Label } from "./labels.js";
import { sign, verify } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * Device login: the server hands out a 32-byte nonce; the client builds the whole signing input itself
 * (label, nonce, its own origin, device and account id, expiry), so it never signs bytes the server chose.
 * docs/PROTOCOL.md "Login".
 */
export const LOGIN_NONCE_BYTES = 32;
export const LOGIN_MAX_LIFETIME_MS = 5 * 60_000;

export interface LoginChallenge {
  readonly nonce: Uint8Array;
  readonly origin: string;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  /** Milliseconds since the epoch after which the server refuses the signature. */
  readonly expiresAt: number;
}

export function loginSigningInput(c: LoginChallenge): Uint8Array {
  if (c.nonce.length !== LOGIN_NONCE_BYTES) fail("malformed", "login nonce must be 32 bytes");
  if (!/^https?:\/\/[^/\s]+$/.test(c.origin)) fail("malformed", "login origin must be a scheme://host[:port] origin");
  return new Writer()
    .str(Label.login)
    .vbytes(c.nonce)
    .vbytes(utf8(c.origin))
    .vbytes(AccountId.toBytes(c.accountId))
    .vbytes(DeviceId.toBytes(c.deviceId))
    .u64(c.expiresAt)
    .finish();
}

export async function signLogin(env: CryptoEnv, signingKey: Key, c: LoginChallenge): Promise<Uint8Array> {
  return sign(env, signingKey, loginSigningInput(c));
}

export async function verifyLogin(env: CryptoEnv, deviceSigningKey: Uint8Array, signature: Uint8Array, c: LoginChallenge, now: number): Promise<void> {
  if (c.expiresAt < now) fail("out_of_bounds", "login signature expired");
  if (c.expiresAt > now + LOGIN_MAX_LIFETIME_MS) fail("out_of_bounds", "login signature lives too long");
  if (!(await verify(env, deviceSigningKey, signature, loginSigningInput(c)))) fail("bad_signature", "login signature does not verify");
}
