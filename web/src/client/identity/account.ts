/**
 * identity/: who is who. This account (account.ts: sign-up, login; keystore.ts and account-secrets.ts:
 * the device's keys and the wrapped account secrets), verified device logs (logs.ts, with state-cache.ts
 * verifying each stored log once per session; own-log.ts: alarms about one's own), contacts trusted on
 * first use (contacts.ts), this account's devices (devices.ts, device-names.ts), revoking one
 * (revoke.ts) and handing rotated secrets between devices (key-updates.ts).
 */
import type { z } from "zod";
import type { sessionResponse } from "../../../../protocol/api.js";
import {
  deriveRecoveryKeys,
  formatRecoveryKey,
  fromBase64url,
  generateRecoveryKey,
  makeGenesis,
  parseUsername,
  signLogin,
  toBase64url,
  verifyLog,
} from "../../../../protocol/index.js";
import { ApiError, isApiError } from "../transport/api.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice, putAccount } from "../store/db.js";
import { ClientError, usernameFrom } from "../errors.js";
import { draftAccountSecrets, ensureDevice, sealAccountSecrets } from "./keystore.js";
import type { AccountRow } from "../store/rows.js";

export type Session = z.output<typeof sessionResponse>;

/** How long a login signature stays valid: long enough for one round trip, well under the server's cap. */
export const LOGIN_LIFETIME_MS = 60_000;

/**
 * Sign-up: device keys, account secrets and a recovery key; a self-signed genesis naming them; the server
 * registers it; then a login. Returns the recovery key as text: it is shown once and never stored.
 */
export async function signUp(ctx: ClientContext, input: string): Promise<{ account: AccountRow; recoveryKey: string; session: Session }> {
  if (await getAccount(ctx.db)) throw new ClientError("already_signed_up", "this device already has an account");
  const username = usernameFrom(input, parseUsername);
  // Asked first, so a taken name is an answer rather than a refused sign-up (a 409 the browser logs as an
  // error); sign-up still refuses it if someone takes the name in between.
  if (!(await ctx.api.usernameAvailability(username)).available) throw new ApiError("username_taken", `username ${username} is taken`, 409);
  const device = await ensureDevice(ctx.db, ctx.env, ctx.now());
  const draft = await draftAccountSecrets(ctx.env);

  const rk = generateRecoveryKey(ctx.env);
  const recoveryKey = await formatRecoveryKey(ctx.env, rk);
  const recovery = await deriveRecoveryKeys(ctx.env, rk);
  rk.fill(0);
  // The recovery blob (sealed account secrets) comes with the recovery issue; until then the wrap key is unused.
  recovery.wrapKeyBytes.fill(0);

  const createdAt = ctx.now();
  const genesis = await makeGenesis(
    ctx.env,
    {
      username,
      identityKey: draft.identityPublic,
      recoverySigningKey: recovery.signing.publicKey,
      recoveryBoxKey: recovery.box.publicKey,
      historyGeneration: 0,
      historyKey: draft.historyPublic,
      deviceSigningKey: device.signingPublic,
      deviceBoxKey: device.boxPublic,
    },
    { identity: draft.identity.privateKey, device: device.signingKey, recovery: recovery.signing.privateKey },
    createdAt,
  );
  const secrets = await sealAccountSecrets(ctx.env, device.vaultKey, draft, genesis.accountId);
  const state = await verifyLog(ctx.env, [genesis.bytes], genesis.accountId);

  const res = await ctx.api.signUp(username, genesis.bytes);
  if (res.accountId !== genesis.accountId) throw new ApiError("bad_response", "the server registered a different account id", 200);

  const account: AccountRow = {
    id: "self",
    accountId: genesis.accountId,
    username,
    identityKey: secrets.identityKey,
    identityPublic: draft.identityPublic,
    identityWrapped: secrets.identityWrapped,
    historyGeneration: 0,
    historyKey: secrets.historyKey,
    historyPublic: draft.historyPublic,
    historyWrapped: secrets.historyWrapped,
    log: [genesis.bytes],
    head: state.head,
    recoveryConfirmed: false,
    createdAt,
  };
  await putAccount(ctx.db, account);
  const session = await logIn(ctx);
  return { account, recoveryKey, session };
}

/** Login: the server's nonce, in a signing input this client builds itself (origin, ids, expiry). */
export async function logIn(ctx: ClientContext): Promise<Session> {
  const device = await getDevice(ctx.db);
  const account = await getAccount(ctx.db);
  if (!device || !account) throw new ClientError("not_signed_up", "this device has no account yet");
  const { nonce } = await ctx.api.challenge(account.accountId, device.deviceId);
  const expiresAt = ctx.now() + LOGIN_LIFETIME_MS;
  const signature = await signLogin(ctx.env, device.signingKey, {
    nonce: fromBase64url(nonce),
    origin: ctx.origin,
    accountId: account.accountId,
    deviceId: device.deviceId,
    expiresAt,
  });
  return ctx.api.login({ accountId: account.accountId, deviceId: device.deviceId, nonce, expiresAt, signature: toBase64url(signature) });
}

/**
 * On app start with keys present: reuse the session cookie if the server still honours it, else log in
 * again. Returns undefined when this device has no account.
 */
export async function resumeSession(ctx: ClientContext): Promise<Session | undefined> {
  const account = await getAccount(ctx.db);
  if (!account) return undefined;
  try {
    const me = await ctx.api.me();
    if (me.accountId === account.accountId) return me;
  } catch (e) {
    if (!(isApiError(e) && e.status === 401)) throw e;
  }
  return logIn(ctx);
}

export async function confirmRecoverySaved(ctx: ClientContext): Promise<void> {
  const account = await getAccount(ctx.db);
  if (account && !account.recoveryConfirmed) await putAccount(ctx.db, { ...account, recoveryConfirmed: true });
}
