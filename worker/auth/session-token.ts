import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { cryptoEnv } from "../crypto-env.js";

/** 256 random bits: unguessable, so the token alone is the credential. */
export const SESSION_TOKEN_BYTES = 32;

/** A new token as the cookie carries it (base64url). */
export function newSessionToken(): string {
  return toBase64url(cryptoEnv.randomBytes(SESSION_TOKEN_BYTES));
}

/**
 * SHA-256 of the token's bytes: what the sessions table stores, so reading the table does not yield a
 * usable cookie. A plain hash suffices because the token is random, not a password. Undefined for a
 * cookie value that is not a well-formed token.
 */
export async function hashSessionToken(token: string): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(token);
  } catch {
    return undefined;
  }
  if (bytes.length !== SESSION_TOKEN_BYTES) return undefined;
  return new Uint8Array(await cryptoEnv.subtle.digest("SHA-256", bytes));
}
