import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { cryptoEnv } from "../crypto-env.js";

/** 256 random bits: unguessable, so the token alone is the credential. */
export const SESSION_TOKEN_BYTES = 32;

/** A new random bearer token of `size` bytes, as base64url. */
export function newBearerToken(size: number): string {
  return toBase64url(cryptoEnv.randomBytes(size));
}

/**
 * SHA-256 of a bearer token's bytes: what the database stores, so reading a table does not yield a
 * usable credential. A plain hash suffices because the token is random, not a password. Undefined for
 * a value that is not base64url of exactly `size` bytes.
 */
export async function hashBearerToken(token: string, size: number): Promise<Uint8Array | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(token);
  } catch {
    return undefined;
  }
  if (bytes.length !== size) return undefined;
  return new Uint8Array(await cryptoEnv.subtle.digest("SHA-256", bytes));
}

/** A new session token as the cookie carries it (base64url). */
export function newSessionToken(): string {
  return newBearerToken(SESSION_TOKEN_BYTES);
}

/** The sessions table key of a cookie value; undefined for a cookie that is not a well-formed token. */
export function hashSessionToken(token: string): Promise<Uint8Array | undefined> {
  return hashBearerToken(token, SESSION_TOKEN_BYTES);
}
