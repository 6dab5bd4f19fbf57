import {
  EntryKind,
  SignerRole,
  encodeRevokePayload,
  exportPublic,
  findDevice,
  fromBase64url,
  generateSigningPair,
  makeEntry,
  nextHistoryGeneration,
  unwrapSecret,
  verifyLog,
  wrapSecret,
  type DeviceId,
} from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { getAccount, getDevice, listConversations, putAccount } from "../store/db.js";
import { sealDeviceName, openDeviceName } from "./device-names.js";
import { asCryptoKey } from "../env.js";
import { currentEpoch } from "../conversations/epochs.js";
import { ClientError } from "../errors.js";
import { assertCurrentSecrets } from "./account-secrets.js";
import { shareRotatedSecrets } from "./key-updates.js";
import { assertNonExtractable } from "./keystore.js";
import { withLock } from "../store/lock.js";
import { refreshLog, stateOf } from "./logs.js";
import { resealRecoveryBlob } from "../recovery/reseal.js";
import { noteRemovedDevices } from "./removals.js";
import type { AccountRow } from "../store/rows.js";

/**
 * Removes a device (DESIGN "Recovery", last sentence): one revoke entry that also moves the account to a
 * new identity key and a new history-key generation (the previous one sealed to it), co-signed by the old
 * AIK, the new AIK and this device; then a new epoch in every conversation, so the removed device reads
 * nothing sent afterwards. The server ends the removed device's sessions when it stores the entry.
 */
export async function revokeDevice(ctx: ClientContext, removed: DeviceId): Promise<void> {
  const device = await getDevice(ctx.db);
  let account = await getAccount(ctx.db);
  if (!device || !account) throw new ClientError("not_signed_up", "this device has no account yet");
  if (removed === device.deviceId) throw new ClientError("forbidden_self", "a device cannot remove itself");
  await refreshLog(ctx, account.accountId);
  account = (await getAccount(ctx.db))!;
  const before = await stateOf(ctx, account.accountId);
  assertCurrentSecrets(account, before);
  if (!findDevice(before, removed)) throw new ClientError("unknown_device", "that device is not active on this account");

  // Names sealed under the current generation, to seal again under the next one: the removed device's
  // and earlier removed ones' too, so the list keeps showing which device was removed.
  const names = new Map<DeviceId, string>();
  try {
    for (const d of (await ctx.linkApi.devices()).devices) {
      if (!d.sealedName) continue;
      const name = await openDeviceName(ctx.env, account, d.deviceId, fromBase64url(d.sealedName));
      if (name) names.set(d.deviceId, name);
    }
  } catch (e) {
    console.warn("device names could not be read before revoking:", e);
  }

  const env = ctx.env;
  const identity = await generateSigningPair(env, true);
  const identityPublic = await exportPublic(env, identity.publicKey);
  const previous = await unwrapSecret(env, device.vaultKey, account.historyWrapped, "history", account.accountId, true, account.historyGeneration);
  const { privateKey: historyPrivate, ...move } = await nextHistoryGeneration(env, { accountId: account.accountId, previousGeneration: account.historyGeneration, previousKey: previous });
  const generation = move.historyGeneration;
  const historyPublic = move.historyKey;

  const { bytes } = await makeEntry(
    env,
    {
      kind: EntryKind.revoke,
      seq: account.head.seq + 1,
      prev: account.head.hash,
      createdAt: ctx.now(),
      payload: encodeRevokePayload({ removedDeviceId: removed, newIdentityKey: identityPublic, ...move }),
    },
    [
      { role: SignerRole.identity, privateKey: account.identityKey, publicKey: account.identityPublic },
      { role: SignerRole.newIdentity, privateKey: identity.privateKey, publicKey: identityPublic },
      { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
    ],
  );
  const log = [...account.log, bytes];
  const state = await verifyLog(env, log, account.accountId);
  await ctx.linkApi.appendLog(account.accountId, bytes);

  // Keystore procedure for the new secrets: wrap the extractable originals, keep non-extractable copies.
  const identityWrapped = await wrapSecret(env, device.vaultKey, identity.privateKey, "identity", account.accountId);
  const historyWrapped = await wrapSecret(env, device.vaultKey, historyPrivate, "history", account.accountId, generation);
  const identityKey = asCryptoKey(await unwrapSecret(env, device.vaultKey, identityWrapped, "identity", account.accountId, false));
  const historyKey = asCryptoKey(await unwrapSecret(env, device.vaultKey, historyWrapped, "history", account.accountId, false, generation));
  assertNonExtractable(identityKey, historyKey);
  const next: AccountRow = { ...account, identityKey, identityPublic, identityWrapped, historyGeneration: generation, historyKey, historyPublic, historyWrapped, log, head: state.head };
  await putAccount(ctx.db, next);
  // Nothing the removed device sends from now on is shown on this one (identity/removals.ts).
  await noteRemovedDevices(ctx, account.accountId, await ctx.states.get(env, account.accountId, account.log), state);

  // The other remaining devices get the new identity and history keys, sealed to each of them.
  await shareRotatedSecrets(ctx).catch((e: unknown) => console.warn("could not hand the new keys to the other devices:", e));
  // The recovery blob must hold the current secrets (DESIGN "Recovery"): re-seal it under the new ones.
  await resealRecoveryBlob(ctx).catch((e: unknown) => console.warn("could not re-seal the recovery blob after revoking:", e));
  for (const [id, name] of names) {
    await ctx.linkApi.setDeviceName(id, await sealDeviceName(env, next, id, name)).catch((e: unknown) => console.warn("could not re-seal a device name:", e));
  }
  // New epochs: currentEpoch makes one because this account's head moved past the latest bundle's.
  for (const conv of await listConversations(ctx.db)) {
    try {
      await withLock(`send:${conv.id}`, () => currentEpoch(ctx, conv));
    } catch (e) {
      console.warn(`could not start a new epoch in ${conv.id} after revoking:`, e);
    }
  }
}
