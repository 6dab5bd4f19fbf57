/**
 * Opening an account's recovery data on a browser that has nothing (DESIGN "Recovery"): the username's
 * lookup, the recovery key (typed, or unwrapped with the passphrase, online or from a key file), the
 * blob it opens, and the checks that the log and the secrets agree, all before anything changes.
 */
import {
  KDF_SALT_BYTES,
  assertRecoveryMatches,
  bytesEqual,
  decodeKeyFile,
  decodePassphraseBlob,
  decodeRecoveryBlobHeader,
  derivePassphraseKeys,
  deriveRecoveryKeys,
  fromBase64url,
  isProtocolError,
  openPassphraseBlob,
  openRecoveryBlob,
  verifyLog,
  type AccountId,
  type AccountState,
  type Argon2id,
  type CryptoEnv,
  type KdfParams,
  type Key,
  type RecoveryKeys,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { checkedParams, parseTypedKey } from "./inputs.js";
import { RecoveryError, fromApi } from "./recovery-error.js";

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

async function recoveryKeyFrom(ctx: ClientContext, input: RestoreInput, username: string, accountId: AccountId, params: KdfParams | null, filePassphraseBlob: Uint8Array | undefined): Promise<Uint8Array> {
  if (input.secret.kind === "key") return parseTypedKey(ctx, input.secret.recoveryKey);
  if (input.secret.passphrase.length === 0) throw new RecoveryError("wrong_passphrase", "type the passphrase");
  // A key file carries the passphrase blob: it opens locally, without asking the server.
  let offline: ReturnType<typeof decodePassphraseBlob> | undefined;
  if (filePassphraseBlob) {
    try {
      offline = decodePassphraseBlob(filePassphraseBlob);
    } catch (e) {
      if (isProtocolError(e) && e.code === "out_of_bounds") throw new RecoveryError("weak_kdf", e.message, { cause: e });
      throw new RecoveryError("bad_key_file", "the key file's passphrase part is damaged", { cause: e });
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
    if (isProtocolError(e)) throw new RecoveryError("wrong_passphrase", "the passphrase does not open the recovery key", { cause: e });
    throw e;
  }
}

async function importTemporary(env: CryptoEnv, bytes: Uint8Array, role: "identity" | "history"): Promise<Key> {
  return env.subtle.importKey("pkcs8", bytes, { name: role === "identity" ? "Ed25519" : "X25519" }, true, role === "identity" ? ["sign"] : ["deriveBits"]);
}

async function publicOf(env: CryptoEnv, privateKey: Key): Promise<Uint8Array> {
  const jwk = (await env.subtle.exportKey("jwk", privateKey)) as JsonWebKey;
  if (!jwk.x) throw new RecoveryError("stale_recovery", "key has no public part");
  return fromBase64url(jwk.x);
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
    } catch (e) {
      throw new RecoveryError("bad_key_file", "that file is not a Sealed key file", { cause: e });
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
    if (isProtocolError(e)) throw new RecoveryError(input.secret.kind === "key" ? "wrong_recovery_key" : "stale_recovery", "this recovery key does not open this account's recovery data", { cause: e });
    throw e;
  }
  const log = lookup.log.map(fromBase64url);
  const state = await verifyLog(ctx.env, log, opened.accountId);
  try {
    assertRecoveryMatches(state, opened, recovery.box.publicKey);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError(input.secret.kind === "key" ? "wrong_recovery_key" : "stale_recovery", e.message, { cause: e });
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
