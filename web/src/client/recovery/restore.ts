/**
 * Restore (DESIGN "Recovery"): an empty browser joins the account from its opened recovery data (see
 * open.ts), with a recover entry next to the other devices or a reset entry that signs them all out,
 * then logs in, stores the account and re-seals the blob.
 */
import {
  EntryKind,
  SignerRole,
  encodeRecoverPayload,
  encodeResetPayload,
  exportPublic,
  findDevice,
  fromBase64url,
  generateSigningPair,
  makeEntry,
  nextHistoryGeneration,
  signLogin,
  toBase64url,
  unwrapSecret,
  verifyLog,
  wrapSecret,
  type Key,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { asCryptoKey } from "../env.js";
import { LOGIN_LIFETIME_MS } from "../identity/account.js";
import { assertNonExtractable, ensureDevice } from "../identity/keystore.js";
import { defaultDeviceName } from "../identity/device-names.js";
import { nameThisDevice } from "../identity/devices.js";
import { getAccount, putAccount } from "../store/db.js";
import type { AccountRow, DeviceRow } from "../store/rows.js";
import { openRecovery, type OpenedRecovery, type RestoreInput } from "./open.js";
import { RecoveryError } from "./recovery-error.js";
import { resealRecoveryBlob } from "./reseal.js";

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
  // The device list shows this browser by name, as a linked device is.
  await nameThisDevice(ctx, account, device.deviceId, `${defaultDeviceName()} (restored)`, true);
  try {
    await resealRecoveryBlob(ctx);
  } catch (e) {
    console.warn("could not re-seal the recovery blob after restoring:", e);
  }
  input.onStep?.({ step: "done", username: state.username });
  return account;
}
