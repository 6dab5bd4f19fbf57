// Sessions in the account's hub (issue 22, docs/decisions.md "The send path"): a second-form token
// `2.<accountId>.<secret>` is checked by that account's AccountHub from memory, so a request's session
// check reads no D1. First-form tokens (made before) are checked in D1 and moved to the hub on use.
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import type { Ctx } from "../env.js";
import { Unauthenticated } from "../errors.js";
import { accountHub } from "../realtime/notify.js";
import type { Session } from "../storage/session-store.js";
import { SESSION_LIFETIME_MS } from "./session.js";
import { setSessionCookie } from "./session-cookie.js";
import { hashSessionToken, newSessionToken, newSessionTokenV2, parseSessionToken } from "./session-token.js";

/** How long a moved first-form token keeps working, for the requests the client sent with it at once. */
export const MOVED_TOKEN_GRACE_MS = 60_000;

export interface NewSessionOf {
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly username: string;
  readonly signingKey: Uint8Array;
}

/** Starts a session of a device that just proved itself and sets its cookie; second form when the layout keeps sessions in hubs. */
export async function startSession(c: Ctx, s: NewSessionOf, now: number): Promise<void> {
  const expiresAt = now + SESSION_LIFETIME_MS;
  if (c.var.stores.sessions.inHub) {
    const { token, hash } = await newSessionTokenV2(s.accountId);
    const started = await accountHub(c.env, s.accountId).startSession(hash, { deviceId: s.deviceId, username: s.username, signingKey: s.signingKey, expiresAt, movedFrom: null });
    if (!started) throw new Unauthenticated("this device cannot log in", "login_failed");
    await c.var.stores.sessions.touchDevice(s.deviceId, now);
    setSessionCookie(c, token, SESSION_LIFETIME_MS / 1000);
    return;
  }
  const token = newSessionToken();
  const tokenHash = await hashSessionToken(token);
  if (!tokenHash) throw new Error("a fresh session token did not hash");
  await c.var.stores.sessions.insert({ tokenHash, accountId: s.accountId, deviceId: s.deviceId, now, expiresAt });
  setSessionCookie(c, token, SESSION_LIFETIME_MS / 1000);
}

/**
 * The live session a cookie value names, or undefined. A first-form one found in D1 is moved when the
 * layout keeps sessions in hubs: a second-form session for the same device and expiry is started, its
 * cookie set on this response, and the D1 row left to live MOVED_TOKEN_GRACE_MS more (requests sent
 * with it at the same time still pass; sign-out of the new one deletes it).
 */
export async function checkSession(c: Ctx, token: string, now: number): Promise<Session | undefined> {
  const parsed = await parseSessionToken(token);
  if (!parsed) return undefined;
  const { sessions } = c.var.stores;
  if (parsed.form === 2) {
    if (!sessions.inHub) return undefined;
    const held = await accountHub(c.env, parsed.accountId).findSession(parsed.hash, now);
    return held && { accountId: parsed.accountId, deviceId: held.deviceId, username: held.username, signingKey: held.signingKey, tokenHash: parsed.hash, expiresAt: held.expiresAt };
  }
  const found = await sessions.find(parsed.hash, now);
  if (!found || !sessions.inHub) return found;
  const { token: moved, hash } = await newSessionTokenV2(found.accountId);
  const held = { deviceId: found.deviceId, username: found.username, signingKey: found.signingKey, expiresAt: found.expiresAt, movedFrom: parsed.hash };
  // Refused: the hub has the device revoked (its revoke reached the hub, D1 not yet, or never): so is this request.
  if (!(await accountHub(c.env, found.accountId).startSession(hash, held))) return undefined;
  await sessions.expireBy(parsed.hash, Math.min(found.expiresAt, now + MOVED_TOKEN_GRACE_MS));
  setSessionCookie(c, moved, Math.max(1, Math.floor((found.expiresAt - now) / 1000)));
  return { ...found, tokenHash: hash };
}

/** Ends the session a cookie value names (sign-out); returns its account and device, or undefined when there was none. */
export async function endSession(c: Ctx, token: string, now: number): Promise<{ accountId: AccountId; deviceId: DeviceId } | undefined> {
  const parsed = await parseSessionToken(token);
  if (!parsed) return undefined;
  const { sessions } = c.var.stores;
  if (parsed.form === 2) {
    if (!sessions.inHub) return undefined;
    const ended = await accountHub(c.env, parsed.accountId).endSession(parsed.hash);
    if (!ended) return undefined;
    if (ended.movedFrom) await sessions.delete(ended.movedFrom);
    return ended.expiresAt > now ? { accountId: parsed.accountId, deviceId: ended.deviceId } : undefined;
  }
  const found = await sessions.find(parsed.hash, now);
  await sessions.delete(parsed.hash);
  return found && { accountId: found.accountId, deviceId: found.deviceId };
}

/**
 * Refuses these devices in their account's hub from this moment: called before D1 records their removal,
 * so a failure in between leaves them refused (fail closed). Throws if the hub cannot be told.
 */
export async function revokeInHub(c: Ctx, accountId: AccountId, deviceIds: readonly DeviceId[]): Promise<void> {
  if (deviceIds.length === 0 || !c.var.stores.sessions.inHub) return;
  await accountHub(c.env, accountId).revokeDevices(deviceIds);
}

/** The request's session or 401 (worker/auth/require-session.ts). */
export async function sessionOr401(c: Ctx, token: string | undefined): Promise<Session> {
  if (token === undefined) throw new Unauthenticated("log in first");
  const session = await checkSession(c, token, Date.now());
  if (!session) throw new Unauthenticated("the session has expired or was ended");
  return session;
}
