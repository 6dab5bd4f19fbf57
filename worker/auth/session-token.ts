import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { AccountId } from "../../protocol/ids.js";
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

/**
 * A session token of the second form, `2.<accountId>.<secret>` (docs/PROTOCOL.md "Session tokens"): the
 * account id routes the check to that account's hub (worker/realtime/hub-sessions.ts), the secret is 32
 * random bytes. The hub stores only `hashSessionSecret(accountId, secret)`, so a secret moved under
 * another account id hashes to a value no hub holds.
 */
export const SESSION_TOKEN_V2_PREFIX = "2.";

/** What a cookie value names: a first-form token (a row of D1's sessions table) or a second-form one (a hub's). */
export type ParsedSessionToken =
  | { readonly form: 1; readonly hash: Uint8Array }
  | { readonly form: 2; readonly accountId: AccountId; readonly hash: Uint8Array };

const V2_LABEL = new TextEncoder().encode("sealed/session-token/v2\0");

/** SHA-256 over a label, the account id and the secret: binds the stored hash to its account. */
async function hashSessionSecret(accountId: AccountId, secret: Uint8Array): Promise<Uint8Array> {
  const id = new TextEncoder().encode(accountId);
  const input = new Uint8Array(V2_LABEL.length + id.length + 1 + secret.length);
  input.set(V2_LABEL, 0);
  input.set(id, V2_LABEL.length);
  input[V2_LABEL.length + id.length] = 0;
  input.set(secret, V2_LABEL.length + id.length + 1);
  return new Uint8Array(await cryptoEnv.subtle.digest("SHA-256", input));
}

/** A new second-form token for `accountId` and the hash its hub stores. */
export async function newSessionTokenV2(accountId: AccountId): Promise<{ token: string; hash: Uint8Array }> {
  const secret = cryptoEnv.randomBytes(SESSION_TOKEN_BYTES);
  return { token: `${SESSION_TOKEN_V2_PREFIX}${accountId}.${toBase64url(secret)}`, hash: await hashSessionSecret(accountId, secret) };
}

/** Reads a cookie value of either form; undefined for anything else (bounded: no part longer than its form allows). */
export async function parseSessionToken(token: string): Promise<ParsedSessionToken | undefined> {
  if (!token.startsWith(SESSION_TOKEN_V2_PREFIX)) {
    const hash = await hashSessionToken(token);
    return hash && { form: 1, hash };
  }
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const [, accountId, secretText] = parts as [string, string, string];
  if (!AccountId.is(accountId)) return undefined;
  let secret: Uint8Array;
  try {
    secret = fromBase64url(secretText);
  } catch {
    return undefined;
  }
  if (secret.length !== SESSION_TOKEN_BYTES) return undefined;
  return { form: 2, accountId, hash: await hashSessionSecret(accountId, secret) };
}
