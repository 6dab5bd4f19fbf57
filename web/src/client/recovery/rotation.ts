/**
 * Rotating the recovery key ("Make a new recovery key"): a rotate-recovery entry with a new recovery
 * key pair and a new history key generation, the blob re-sealed under it, the new history key handed
 * to the other devices, and the passphrase re-wrapped around the new key (or removed).
 */
import {
  EntryKind,
  SignerRole,
  decodePassphraseBlob,
  derivePassphraseKeys,
  deriveRecoveryKeys,
  encodeRotateRecoveryPayload,
  formatRecoveryKey,
  fromBase64url,
  generateRecoveryKey,
  isProtocolError,
  makeEntry,
  nextHistoryGeneration,
  openPassphraseBlob,
  unwrapSecret,
  verifyLog,
  wrapSecret,
  type Argon2id,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { asCryptoKey } from "../env.js";
import { assertCurrentSecrets } from "../identity/account-secrets.js";
import { shareRotatedSecrets } from "../identity/key-updates.js";
import { assertNonExtractable } from "../identity/keystore.js";
import { refreshLog, stateOf } from "../identity/logs.js";
import { putAccount } from "../store/db.js";
import { checkedParams } from "./inputs.js";
import { storePassphrase } from "./passphrase.js";
import { RecoveryError } from "./recovery-error.js";
import { resealRecoveryBlob } from "./reseal.js";
import { requireSelf } from "./self.js";

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
      if (isProtocolError(e)) throw new RecoveryError("wrong_passphrase", "the passphrase is wrong", { cause: e });
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
