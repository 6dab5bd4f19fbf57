/**
 * The passphrase (docs/PROTOCOL.md "Passphrase"): an Argon2id-derived key wraps the recovery key itself
 * into a blob the server releases only to the derived access token. Setting it needs the recovery key
 * typed once more, since no device keeps it.
 */
import { KDF_DEFAULTS, KDF_SALT_BYTES, bytesEqual, derivePassphraseKeys, deriveRecoveryKeys, sealPassphraseBlob, type AccountId, type Argon2id, type KdfParams } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { stateOf } from "../identity/logs.js";
import type { AccountRow } from "../store/rows.js";
import { parseTypedKey } from "./inputs.js";
import { RecoveryError } from "./recovery-error.js";
import { requireSelf } from "./self.js";

/** The typed recovery key, checked to be this account's current one (its RBK is in the log). */
async function currentRecoveryKey(ctx: ClientContext, account: AccountRow, text: string): Promise<Uint8Array> {
  const rk = await parseTypedKey(ctx, text);
  const keys = await deriveRecoveryKeys(ctx.env, rk);
  const state = await stateOf(ctx, account.accountId);
  if (!bytesEqual(keys.box.publicKey, state.recoveryBoxKey)) throw new RecoveryError("not_current_key", "this is not the account's current recovery key");
  return rk;
}

/** Wraps `rk` under `passphrase` with fresh salt and the version's parameters, and stores the blob. */
export async function storePassphrase(ctx: ClientContext, argon2id: Argon2id, accountId: AccountId, rk: Uint8Array, passphrase: string): Promise<void> {
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
