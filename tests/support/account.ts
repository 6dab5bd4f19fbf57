import { fromBase64url, toBase64url } from "../../protocol/bytes.js";
import { makeGenesis, verifyLog, type AccountState } from "../../protocol/device-log.js";
import type { AccountId, DeviceId } from "../../protocol/ids.js";
import { signLogin } from "../../protocol/login.js";
import { exportPublic, generateBoxPair, generateSigningPair } from "../../protocol/primitives.js";
import { deriveRecoveryKeys, generateRecoveryKey, type RecoveryKeys } from "../../protocol/recovery-key.js";
import type { KeyPair } from "../../protocol/subtle.js";
import { cookieFrom, type ApiClient } from "./api-client.js";
import { testCrypto } from "./crypto-env.js";

/**
 * A real account made with protocol code, as a client makes one: device keys, account identity and
 * history keys, a recovery key, and the self-signed genesis entry. Runtime-neutral (globalThis.crypto
 * only), so worker, unit and e2e tests share it.
 */
export interface TestAccount {
  readonly username: string;
  readonly accountId: AccountId;
  readonly deviceId: DeviceId;
  readonly genesis: Uint8Array;
  /** The account as its own verified log says. */
  readonly state: AccountState;
  readonly keys: {
    readonly deviceSigning: KeyPair;
    readonly deviceBox: KeyPair;
    readonly identity: KeyPair;
    readonly history: KeyPair;
    readonly recoveryKey: Uint8Array;
    readonly recovery: RecoveryKeys;
  };
}

export interface LoggedInAccount extends TestAccount {
  /** `name=value` of the session cookie. */
  readonly cookie: string;
}

let counter = 0;

/** A username no other test in this run uses (storage is shared between tests). */
export function uniqueUsername(prefix = "user"): string {
  counter += 1;
  const random = toBase64url(testCrypto.randomBytes(6)).toLowerCase().replace(/[^a-z0-9]/g, "0");
  return `${prefix}_${counter}_${random}`.slice(0, 32);
}

/** Makes every key and the genesis for `username`; nothing is sent. */
export async function makeAccount(username = uniqueUsername(), createdAt = Date.now()): Promise<TestAccount> {
  const env = testCrypto;
  const deviceSigning = await generateSigningPair(env, false);
  const deviceBox = await generateBoxPair(env, false);
  // Extractable, like the keystore's transferable copies: linking sends them (PKCS#8) to a new device,
  // and a revoke seals the old history key to the next generation.
  const identity = await generateSigningPair(env, true);
  const history = await generateBoxPair(env, true);
  const recoveryKey = generateRecoveryKey(env);
  const recovery = await deriveRecoveryKeys(env, recoveryKey);
  const { bytes: genesis } = await makeGenesis(
    env,
    {
      username,
      identityKey: await exportPublic(env, identity.publicKey),
      recoverySigningKey: recovery.signing.publicKey,
      recoveryBoxKey: recovery.box.publicKey,
      historyGeneration: 0,
      historyKey: await exportPublic(env, history.publicKey),
      deviceSigningKey: await exportPublic(env, deviceSigning.publicKey),
      deviceBoxKey: await exportPublic(env, deviceBox.publicKey),
    },
    { identity: identity.privateKey, device: deviceSigning.privateKey, recovery: recovery.signing.privateKey },
    createdAt,
  );
  const state = await verifyLog(env, [genesis]);
  const device = state.devices[0];
  if (!device) throw new Error("genesis has no device");
  return { username, accountId: state.accountId, deviceId: device.deviceId, genesis, state, keys: { deviceSigning, deviceBox, identity, history, recoveryKey, recovery } };
}

export function signUp(api: ApiClient, account: TestAccount): Promise<Response> {
  return api.call("POST", "/api/accounts", { json: { username: account.username, genesis: toBase64url(account.genesis) } });
}

/** POST /api/session/challenge; throws unless it answers a nonce. */
export async function requestNonce(api: ApiClient, account: TestAccount): Promise<string> {
  const res = await api.call("POST", "/api/session/challenge", { json: { accountId: account.accountId, deviceId: account.deviceId } });
  if (res.status !== 200) throw new Error(`challenge failed: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { nonce?: unknown };
  if (typeof body.nonce !== "string") throw new Error("challenge answered no nonce");
  return body.nonce;
}

export interface LoginRequestBody {
  accountId: string;
  deviceId: string;
  nonce: string;
  expiresAt: number;
  signature: string;
}

/** The body of POST /api/session, signed by the account's device over `origin` (default: the API's). */
export async function signedLogin(
  api: ApiClient,
  account: TestAccount,
  nonce: string,
  o: { origin?: string; expiresAt?: number; signingKey?: KeyPair["privateKey"] } = {},
): Promise<LoginRequestBody> {
  const expiresAt = o.expiresAt ?? Date.now() + 60_000;
  const signature = await signLogin(testCrypto, o.signingKey ?? account.keys.deviceSigning.privateKey, {
    nonce: fromBase64url(nonce),
    origin: o.origin ?? api.origin,
    accountId: account.accountId,
    deviceId: account.deviceId,
    expiresAt,
  });
  return { accountId: account.accountId, deviceId: account.deviceId, nonce, expiresAt, signature: toBase64url(signature) };
}

/** Challenge, sign, POST /api/session: returns the session cookie. */
export async function logIn(api: ApiClient, account: TestAccount): Promise<string> {
  const body = await signedLogin(api, account, await requestNonce(api, account));
  const res = await api.call("POST", "/api/session", { json: body });
  const cookie = cookieFrom(res);
  if (res.status !== 200 || !cookie) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  return cookie;
}

/** A fresh account, signed up and logged in through the API. */
export async function createAccount(api: ApiClient, prefix = "user"): Promise<LoggedInAccount> {
  const account = await makeAccount(uniqueUsername(prefix));
  const res = await signUp(api, account);
  if (res.status !== 201) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  return { ...account, cookie: await logIn(api, account) };
}
