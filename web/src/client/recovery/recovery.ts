import {
  EntryKind,
  KDF_DEFAULTS,
  KDF_SALT_BYTES,
  SignerRole,
  assertRecoveryMatches,
  bytesEqual,
  decodeEntry,
  checkKdfParams,
  decodeKeyFile,
  decodePassphraseBlob,
  decodeRecoveryBlobHeader,
  derivePassphraseKeys,
  deriveRecoveryKeys,
  encodeKeyFile,
  encodeRecoverPayload,
  encodeResetPayload,
  encodeRotateRecoveryPayload,
  exportPublic,
  findDevice,
  formatRecoveryKey,
  fromBase64url,
  generateSigningPair,
  generateRecoveryKey,
  isProtocolError,
  makeEntry,
  openPassphraseBlob,
  openRecoveryBlob,
  parseRecoveryKey,
  sealPassphraseBlob,
  nextHistoryGeneration,
  sealRecoveryBlob,
  signLogin,
  toBase64url,
  unwrapSecret,
  verifyLog,
  wrapSecret,
  type AccountId,
  type AccountState,
  type Argon2id,
  type CryptoEnv,
  type KdfParams,
  type Key,
  type RecoveryKeys,
} from "../../../../protocol/index.js";
import { LOGIN_LIFETIME_MS } from "../identity/account.js";
import { ApiError, isApiError } from "../transport/api.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice, putAccount } from "../store/db.js";
import { asCryptoKey } from "../env.js";
import { assertNonExtractable, ensureDevice } from "../identity/keystore.js";
import { refreshLog, stateOf } from "../identity/logs.js";
import { assertCurrentSecrets, exportAccountSecrets, holdsCurrentSecrets, zeroSecrets } from "../identity/account-secrets.js";
import { shareRotatedSecrets } from "../identity/key-updates.js";
import { sealDeviceName } from "../identity/device-names.js";
import { defaultDeviceName } from "../link/link-new.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";

/**
 * Recovery (DESIGN "Recovery", docs/PROTOCOL.md "Recovery blob", "Passphrase", "Key file"): devices keep
 * the account secrets sealed to the recovery box key on the server and re-seal at every rotation; a
 * browser with nothing restores from the recovery key (typed, or unwrapped with the passphrase) alone.
 */

export type RecoveryErrorCode =
  | "bad_recovery_key" // not a recovery key (bad characters or checksum)
  | "wrong_recovery_key" // a well-formed key that does not open this account's recovery data
  | "wrong_passphrase"
  | "no_passphrase" // the account has no passphrase set
  | "no_recovery" // no such user, or no recovery data stored
  | "too_many_tries" // the server asks to wait (retryAfterSeconds)
  | "weak_kdf" // the server (or a file) offered Argon2id parameters outside the version's bounds
  | "bad_key_file"
  | "stale_recovery" // the recovery data does not match the account's current keys
  | "not_current_key" // settings: the typed key is not this account's current recovery key
  | "stale_device"; // this device holds an older history key than the log: it must not re-seal

export class RecoveryError extends Error {
  override readonly name = "RecoveryError";
  constructor(
    readonly code: RecoveryErrorCode,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

export function isRecoveryError(e: unknown, code?: RecoveryErrorCode): e is RecoveryError {
  return e instanceof RecoveryError && (code === undefined || e.code === code);
}

async function requireSelf(ctx: ClientContext): Promise<{ account: AccountRow; device: DeviceRow }> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new RecoveryError("no_recovery", "this device has no account");
  return { account, device };
}

/** Seals the current AIK and newest AHK to the recovery box key of `state` at `counter`. */
async function sealCurrent(ctx: ClientContext, account: AccountRow, device: DeviceRow, state: AccountState, counter: number): Promise<Uint8Array> {
  if (!holdsCurrentSecrets(account, state)) {
    throw new RecoveryError("stale_device", "this device's account keys are older than the account's log: it must not re-seal recovery");
  }
  const secrets = await exportAccountSecrets(ctx.env, device, account);
  try {
    return await sealRecoveryBlob(ctx.env, { accountId: account.accountId, counter, recoveryBoxKey: state.recoveryBoxKey, secrets });
  } finally {
    zeroSecrets(secrets);
  }
}

/**
 * Re-seals the account's current secrets into a new recovery blob (stored counter + 1) and uploads it.
 * Call after sign-up, after every rotation (revoke, rotate-recovery) and after a restore. Retries once
 * when another device re-sealed meanwhile (409 stale_blob). Returns the counter stored.
 */
export async function resealRecoveryBlob(ctx: ClientContext): Promise<number> {
  const { account, device } = await requireSelf(ctx);
  const state = await stateOf(ctx, account.accountId);
  for (let attempt = 0; ; attempt++) {
    const { counter } = await ctx.recoveryApi.status();
    const blob = await sealCurrent(ctx, account, device, state, counter + 1);
    try {
      await ctx.recoveryApi.putBlob(blob);
      return counter + 1;
    } catch (e) {
      if (attempt === 0 && isApiError(e, "stale_blob")) continue;
      throw e;
    }
  }
}

// Restore ------------------------------------------------------------------------------------------

export type RestoreSecret = { readonly kind: "key"; readonly recoveryKey: string } | { readonly kind: "passphrase"; readonly passphrase: string };

export type RestoreStep =
  | { step: "looking-up" }
  | { step: "unlocking" } // Argon2id is running
  | { step: "opening" }
  | { step: "joining" }
  | { step: "done"; username: string };

export interface RestoreInput {
  /** The username typed, or undefined when a key file names it. */
  readonly username?: string;
  /** The text of an uploaded key file. */
  readonly keyFile?: string;
  readonly secret: RestoreSecret;
  readonly argon2id: Argon2id;
  readonly onStep?: (s: RestoreStep) => void;
  /**
   * Sign out every other device of the account (a lost or stolen one): a reset entry, signed by the
   * recovery key alone, removes them all and rotates the identity and history keys. Otherwise a recover
   * entry adds this browser next to them.
   */
  readonly signOutOtherDevices?: boolean;
}

function fromApi(e: unknown): never {
  if (e instanceof ApiError && e.code === "rate_limited") {
    throw new RecoveryError("too_many_tries", e.message, e.retryAfterSeconds);
  }
  if (isApiError(e, "wrong_passphrase")) throw new RecoveryError("wrong_passphrase", "the passphrase is wrong");
  if (isApiError(e, "not_found")) throw new RecoveryError("no_recovery", "no recovery data for that username");
  throw e;
}

/** Server-supplied parameters pass the version's bounds before any Argon2id run (a downgrade is refused). */
export function checkedParams(p: { memoryKiB: number; iterations: number; parallelism: number; salt: Uint8Array }): KdfParams {
  try {
    checkKdfParams(p);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError("weak_kdf", e.message);
    throw e;
  }
  return p;
}

async function recoveryKeyFrom(ctx: ClientContext, input: RestoreInput, username: string, accountId: AccountId, params: KdfParams | null, filePassphraseBlob: Uint8Array | undefined): Promise<Uint8Array> {
  if (input.secret.kind === "key") return parseTypedKey(ctx, input.secret.recoveryKey);
  if (input.secret.passphrase.length === 0) throw new RecoveryError("wrong_passphrase", "type the passphrase");
  // A key file carries the passphrase blob: it opens locally, without asking the server.
  let offline: ReturnType<typeof decodePassphraseBlob> | undefined;
  if (filePassphraseBlob) {
    try {
      offline = decodePassphraseBlob(filePassphraseBlob);
    } catch (e) {
      if (isProtocolError(e) && e.code === "out_of_bounds") throw new RecoveryError("weak_kdf", e.message);
      throw new RecoveryError("bad_key_file", "the key file's passphrase part is damaged");
    }
    if (offline.accountId !== accountId) throw new RecoveryError("stale_recovery", "the key file belongs to another account");
  }
  const kdf = offline ? offline.params : params;
  if (!kdf) throw new RecoveryError("no_passphrase", "this account has no passphrase; use the recovery key");
  const checked = checkedParams(kdf);
  input.onStep?.({ step: "unlocking" });
  const keys = await derivePassphraseKeys(ctx.env, input.argon2id, input.secret.passphrase, accountId, checked);
  const blob = filePassphraseBlob ?? fromBase64url((await ctx.recoveryApi.unlockPassphrase(username, keys.accessToken).catch(fromApi)).blob);
  try {
    const opened = await openPassphraseBlob(ctx.env, blob, keys);
    if (opened.accountId !== accountId) throw new RecoveryError("stale_recovery", "the passphrase data belongs to another account");
    return opened.recoveryKey;
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError("wrong_passphrase", "the passphrase does not open the recovery key");
    throw e;
  }
}

async function parseTypedKey(ctx: ClientContext, text: string): Promise<Uint8Array> {
  try {
    return await parseRecoveryKey(ctx.env, text);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError("bad_recovery_key", e.message);
    throw e;
  }
}

async function importTemporary(env: CryptoEnv, bytes: Uint8Array, role: "identity" | "history"): Promise<Key> {
  return env.subtle.importKey("pkcs8", bytes, { name: role === "identity" ? "Ed25519" : "X25519" }, true, role === "identity" ? ["sign"] : ["deriveBits"]);
}

/** Everything checked before this browser changes anything: the account, its log and the opened secrets. */
export interface OpenedRecovery {
  readonly accountId: AccountId;
  readonly state: AccountState;
  readonly log: Uint8Array[];
  readonly recovery: RecoveryKeys;
  readonly identity: Key;
  readonly history: Key;
  readonly historyGeneration: number;
}

/**
 * Opens an account's recovery data without changing anything: looks the username up, turns the input
 * into the recovery key, opens the blob, and accepts only a log whose genesis hashes to the blob's
 * account id and names this recovery key, with secrets that match its current keys.
 */
export async function openRecovery(ctx: ClientContext, input: RestoreInput): Promise<OpenedRecovery> {
  let file: ReturnType<typeof decodeKeyFile> | undefined;
  if (input.keyFile !== undefined) {
    try {
      file = decodeKeyFile(input.keyFile);
    } catch {
      throw new RecoveryError("bad_key_file", "that file is not a Sealed key file");
    }
  }
  const username = (file?.username ?? input.username ?? "").trim().toLowerCase();
  if (!username) throw new RecoveryError("no_recovery", "type your username");
  // A mistyped key is caught by its checksum before anything is fetched.
  if (input.secret.kind === "key") await parseTypedKey(ctx, input.secret.recoveryKey);
  input.onStep?.({ step: "looking-up" });
  const lookup = await ctx.recoveryApi.lookup(username).catch(fromApi);
  // The newest blob wins: a key file's copy only if the server's is older (or tampered to look so).
  let blob = fromBase64url(lookup.blob);
  if (file) {
    const fileHeader = decodeRecoveryBlobHeader(file.recoveryBlob);
    if (fileHeader.accountId !== lookup.accountId) throw new RecoveryError("stale_recovery", "the key file belongs to another account than this username");
    if (fileHeader.counter > decodeRecoveryBlobHeader(blob).counter) blob = file.recoveryBlob;
  }
  const header = decodeRecoveryBlobHeader(blob);
  const params = lookup.passphrase ? { ...lookup.passphrase, salt: fromBase64url(lookup.passphrase.salt) } : null;
  if (params && params.salt.length !== KDF_SALT_BYTES) throw new RecoveryError("weak_kdf", "bad salt");

  const rk = await recoveryKeyFrom(ctx, input, username, header.accountId, params, file?.passphraseBlob);
  input.onStep?.({ step: "opening" });
  const recovery = await deriveRecoveryKeys(ctx.env, rk);
  rk.fill(0);
  let opened;
  try {
    opened = await openRecoveryBlob(ctx.env, blob, recovery.box);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError(input.secret.kind === "key" ? "wrong_recovery_key" : "stale_recovery", "this recovery key does not open this account's recovery data");
    throw e;
  }
  const log = lookup.log.map(fromBase64url);
  const state = await verifyLog(ctx.env, log, opened.accountId);
  try {
    assertRecoveryMatches(state, opened, recovery.box.publicKey);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError(input.secret.kind === "key" ? "wrong_recovery_key" : "stale_recovery", e.message);
    throw e;
  }
  const identity = await importTemporary(ctx.env, opened.secrets.identityKey, "identity");
  const history = await importTemporary(ctx.env, opened.secrets.historyKey, "history");
  opened.secrets.identityKey.fill(0);
  opened.secrets.historyKey.fill(0);
  const identityPublic = await publicOf(ctx.env, identity);
  const historyPublic = await publicOf(ctx.env, history);
  if (!bytesEqual(identityPublic, state.identityKey) || opened.secrets.historyGeneration !== state.history.generation || !bytesEqual(historyPublic, state.history.publicKey)) {
    throw new RecoveryError("stale_recovery", "the recovery data is older than the account's keys");
  }
  return { accountId: opened.accountId, state, log, recovery, identity, history, historyGeneration: opened.secrets.historyGeneration };
}

async function publicOf(env: CryptoEnv, privateKey: Key): Promise<Uint8Array> {
  const jwk = (await env.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new RecoveryError("stale_recovery", "key has no public part");
  return fromBase64url(jwk.x);
}

/** The entry that brings this browser into the account, and the (extractable, temporary) secrets it will hold. */
interface JoinEntry {
  readonly bytes: Uint8Array;
  readonly identity: Key;
  readonly history: Key;
  readonly historyGeneration: number;
}

/** Recover (kind 3): this browser joins next to the account's other devices, with the secrets opened. */
async function recoverEntryFor(ctx: ClientContext, o: OpenedRecovery, device: DeviceRow): Promise<JoinEntry> {
  const { bytes } = await makeEntry(
    ctx.env,
    { kind: EntryKind.recover, seq: o.state.head.seq + 1, prev: o.state.head.hash, createdAt: ctx.now(), payload: encodeRecoverPayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic }) },
    [
      { role: SignerRole.identity, privateKey: o.identity, publicKey: o.state.identityKey },
      { role: SignerRole.recovery, privateKey: o.recovery.signing.privateKey, publicKey: o.recovery.signing.publicKey },
      { role: SignerRole.newDevice, privateKey: device.signingKey, publicKey: device.signingPublic },
    ],
  );
  return { bytes, identity: o.identity, history: o.history, historyGeneration: o.historyGeneration };
}

/**
 * Reset (kind 5): this browser becomes the account's only device. New identity and history keys are
 * made here (the previous history key sealed to the new one, so all history stays readable); every other
 * device, and whoever holds the old identity key, is out.
 */
async function resetEntryFor(ctx: ClientContext, o: OpenedRecovery, device: DeviceRow): Promise<JoinEntry> {
  const identity = await generateSigningPair(ctx.env, true);
  const identityPublic = await exportPublic(ctx.env, identity.publicKey);
  const { privateKey: history, ...move } = await nextHistoryGeneration(ctx.env, { accountId: o.accountId, previousGeneration: o.historyGeneration, previousKey: o.history });
  const { bytes } = await makeEntry(
    ctx.env,
    {
      kind: EntryKind.reset,
      seq: o.state.head.seq + 1,
      prev: o.state.head.hash,
      createdAt: ctx.now(),
      payload: encodeResetPayload({ deviceSigningKey: device.signingPublic, deviceBoxKey: device.boxPublic, newIdentityKey: identityPublic, ...move }),
    },
    [
      { role: SignerRole.recovery, privateKey: o.recovery.signing.privateKey, publicKey: o.recovery.signing.publicKey },
      { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
      { role: SignerRole.newDevice, privateKey: device.signingKey, publicKey: device.signingPublic },
    ],
  );
  return { bytes, identity: identity.privateKey, history, historyGeneration: move.historyGeneration };
}

/**
 * Restores the account onto this empty browser: opens the recovery data (see openRecovery), makes this
 * device's keys, keeps AIK/AHK by the keystore procedure, appends a recover entry (identity + recovery
 * + new device signatures, no session needed), logs in and re-seals the blob. The caller then loads
 * the history (history.ts loadHistory: epochs without a wrap for this device open from the archive).
 */
export async function restoreAccount(ctx: ClientContext, input: RestoreInput): Promise<AccountRow> {
  if (await getAccount(ctx.db)) throw new RecoveryError("no_recovery", "this browser already has an account");
  const o = await openRecovery(ctx, input);
  input.onStep?.({ step: "joining" });
  const device = await ensureDevice(ctx.db, ctx.env, ctx.now());
  const joined = input.signOutOtherDevices ? await resetEntryFor(ctx, o, device) : await recoverEntryFor(ctx, o, device);
  await ctx.recoveryApi.appendLog(o.accountId, joined.bytes);

  const identityWrapped = await wrapSecret(ctx.env, device.vaultKey, joined.identity, "identity", o.accountId);
  const historyWrapped = await wrapSecret(ctx.env, device.vaultKey, joined.history, "history", o.accountId, joined.historyGeneration);
  const identityKey = asCryptoKey(await unwrapSecret(ctx.env, device.vaultKey, identityWrapped, "identity", o.accountId, false));
  const historyKey = asCryptoKey(await unwrapSecret(ctx.env, device.vaultKey, historyWrapped, "history", o.accountId, false, joined.historyGeneration));
  assertNonExtractable(identityKey, historyKey);

  const { nonce } = await ctx.api.challenge(o.accountId, device.deviceId);
  const expiresAt = ctx.now() + LOGIN_LIFETIME_MS;
  const signature = await signLogin(ctx.env, device.signingKey, { nonce: fromBase64url(nonce), origin: ctx.origin, accountId: o.accountId, deviceId: device.deviceId, expiresAt });
  await ctx.api.login({ accountId: o.accountId, deviceId: device.deviceId, nonce, expiresAt, signature: toBase64url(signature) });
  const res = await ctx.api.accountLog(o.accountId);
  const log = res.log.map(fromBase64url);
  const state = await verifyLog(ctx.env, log, o.accountId);
  if (!findDevice(state, device.deviceId)) throw new RecoveryError("stale_recovery", "the account's log does not list this device");

  const account: AccountRow = {
    id: "self",
    accountId: o.accountId,
    username: state.username,
    identityKey,
    identityPublic: state.identityKey,
    identityWrapped,
    historyGeneration: joined.historyGeneration,
    historyKey,
    historyPublic: state.history.publicKey,
    historyWrapped,
    log,
    head: state.head,
    recoveryConfirmed: true,
    createdAt: ctx.now(),
  };
  await putAccount(ctx.db, account);
  try {
    // The device list shows this browser by name, as a linked device is.
    await ctx.linkApi.setDeviceName(device.deviceId, await sealDeviceName(ctx.env, account, device.deviceId, `${defaultDeviceName()} (restored)`));
  } catch (e) {
    console.warn("could not store this device's name:", e);
  }
  try {
    await resealRecoveryBlob(ctx);
  } catch (e) {
    console.warn("could not re-seal the recovery blob after restoring:", e);
  }
  input.onStep?.({ step: "done", username: state.username });
  return account;
}

// Settings -----------------------------------------------------------------------------------------

/** The typed recovery key, checked to be this account's current one (its RBK is in the log). */
async function currentRecoveryKey(ctx: ClientContext, account: AccountRow, text: string): Promise<Uint8Array> {
  const rk = await parseTypedKey(ctx, text);
  const keys = await deriveRecoveryKeys(ctx.env, rk);
  const state = await stateOf(ctx, account.accountId);
  if (!bytesEqual(keys.box.publicKey, state.recoveryBoxKey)) throw new RecoveryError("not_current_key", "this is not the account's current recovery key");
  return rk;
}

async function storePassphrase(ctx: ClientContext, argon2id: Argon2id, accountId: AccountId, rk: Uint8Array, passphrase: string): Promise<void> {
  const params: KdfParams = { ...KDF_DEFAULTS, salt: ctx.env.randomBytes(KDF_SALT_BYTES) };
  const keys = await derivePassphraseKeys(ctx.env, argon2id, passphrase, accountId, params);
  const blob = await sealPassphraseBlob(ctx.env, { accountId, params, keys, recoveryKey: rk });
  await ctx.recoveryApi.putPassphrase(blob, keys.accessToken);
  keys.wrapKey.fill(0);
}

/**
 * Sets (or changes) the passphrase. The passphrase wraps the recovery key itself, which no device
 * keeps, so the user types the recovery key once more; it must be the account's current one.
 */
export async function setPassphrase(ctx: ClientContext, argon2id: Argon2id, p: { recoveryKey: string; passphrase: string }): Promise<void> {
  const { account } = await requireSelf(ctx);
  const rk = await currentRecoveryKey(ctx, account, p.recoveryKey);
  try {
    await storePassphrase(ctx, argon2id, account.accountId, rk, p.passphrase);
  } finally {
    rk.fill(0);
  }
}

export function removePassphrase(ctx: ClientContext): Promise<unknown> {
  return ctx.recoveryApi.deletePassphrase();
}

/** The key file (docs/PROTOCOL.md "Key file") with the blobs the server holds now. */
export async function keyFileText(ctx: ClientContext): Promise<string> {
  const { account } = await requireSelf(ctx);
  const status = await ctx.recoveryApi.status();
  if (!status.blob) throw new RecoveryError("no_recovery", "no recovery data is stored yet");
  return encodeKeyFile({ username: account.username, recoveryBlob: fromBase64url(status.blob), ...(status.passphraseBlob ? { passphraseBlob: fromBase64url(status.passphraseBlob) } : {}) });
}

/**
 * "Make a new recovery key": a rotate-recovery entry (new RSK/RBK, new AHK generation sealing the
 * previous one, signed by the identity, this device and the new RSK), then a re-sealed blob under the
 * new RBK. With a passphrase set, the passphrase (checked against the stored blob first) re-wraps the
 * new key; without it, the old passphrase blob (which wraps the dead key) is removed. Returns the new
 * key as text, to be shown once.
 */
export async function rotateRecoveryKey(ctx: ClientContext, argon2id: Argon2id, p: { passphrase?: string } = {}): Promise<{ recoveryKey: string; passphraseKept: boolean }> {
  await refreshLog(ctx, (await requireSelf(ctx)).account.accountId);
  const { account, device } = await requireSelf(ctx);
  const state = await stateOf(ctx, account.accountId);
  assertCurrentSecrets(account, state);
  const status = await ctx.recoveryApi.status();
  const passphrase = p.passphrase && status.passphraseBlob ? p.passphrase : undefined;
  if (passphrase && status.passphraseBlob) {
    // Check the passphrase before anything changes.
    const b = decodePassphraseBlob(fromBase64url(status.passphraseBlob));
    const keys = await derivePassphraseKeys(ctx.env, argon2id, passphrase, account.accountId, checkedParams(b.params));
    try {
      (await openPassphraseBlob(ctx.env, fromBase64url(status.passphraseBlob), keys)).recoveryKey.fill(0);
    } catch (e) {
      if (isProtocolError(e)) throw new RecoveryError("wrong_passphrase", "the passphrase is wrong");
      throw e;
    }
  }
  const previous = await unwrapSecret(ctx.env, device.vaultKey, account.historyWrapped, "history", account.accountId, true, account.historyGeneration);
  const rk = generateRecoveryKey(ctx.env);
  const next = await deriveRecoveryKeys(ctx.env, rk);
  const { privateKey: newHistory, ...move } = await nextHistoryGeneration(ctx.env, { accountId: account.accountId, previousGeneration: account.historyGeneration, previousKey: previous });
  const generation = move.historyGeneration;
  const nextPublic = move.historyKey;
  const { bytes } = await makeEntry(
    ctx.env,
    {
      kind: EntryKind.rotateRecovery,
      seq: state.head.seq + 1,
      prev: state.head.hash,
      createdAt: ctx.now(),
      payload: encodeRotateRecoveryPayload({ recoverySigningKey: next.signing.publicKey, recoveryBoxKey: next.box.publicKey, ...move }),
    },
    [
      { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
      { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
      { role: SignerRole.newRecovery, privateKey: next.signing.privateKey, publicKey: next.signing.publicKey },
    ],
  );
  const log = [...account.log, bytes];
  const nextState = await verifyLog(ctx.env, log, account.accountId);
  await ctx.recoveryApi.appendLog(account.accountId, bytes);

  const historyWrapped = await wrapSecret(ctx.env, device.vaultKey, newHistory, "history", account.accountId, generation);
  const historyKey = asCryptoKey(await unwrapSecret(ctx.env, device.vaultKey, historyWrapped, "history", account.accountId, false, generation));
  assertNonExtractable(historyKey);
  await putAccount(ctx.db, { ...account, historyGeneration: generation, historyKey, historyPublic: nextPublic, historyWrapped, log, head: nextState.head });
  await resealRecoveryBlob(ctx);
  // The other devices get the new history key, sealed to each of them.
  await shareRotatedSecrets(ctx).catch((e: unknown) => console.warn("could not hand the new history key to the other devices:", e));

  let passphraseKept = false;
  if (status.passphraseBlob) {
    if (passphrase) {
      await storePassphrase(ctx, argon2id, account.accountId, rk, passphrase);
      passphraseKept = true;
    } else {
      await ctx.recoveryApi.deletePassphrase();
    }
  }
  const text = await formatRecoveryKey(ctx.env, rk);
  rk.fill(0);
  return { recoveryKey: text, passphraseKept };
}

/**
 * Positions of recover entries in one's own stored log made after this device joined: the account was
 * restored on another browser ("Your account was recovered on a new device").
 */
export async function recoveriesSeen(ctx: ClientContext): Promise<{ seq: number; createdAt: number }[]> {
  const { account, device } = await requireSelf(ctx);
  const state = await stateOf(ctx, account.accountId);
  const joinedAt = findDevice(state, device.deviceId)?.addedAtSeq ?? 0;
  const out: { seq: number; createdAt: number }[] = [];
  account.log.forEach((bytes, seq) => {
    if (seq <= joinedAt) return;
    const entry = decodeEntry(bytes);
    if (entry.kind === EntryKind.recover || entry.kind === EntryKind.reset) out.push({ seq, createdAt: entry.createdAt });
  });
  return out;
}
