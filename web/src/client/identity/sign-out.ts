import { ContentKind, EntryKind, SignerRole, encodeLeavePayload, makeEntry, verifyLog } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { ClientError } from "../errors.js";
import { getAccount, getDevice, listMessagesByStatus } from "../store/db.js";
import { assertCurrentSecrets } from "./account-secrets.js";
import { refreshLog, stateOf } from "./logs.js";
import { wipeDevice } from "./removal.js";

/**
 * What signing out of this browser will do, read before asking the user (docs/decisions.md "Sign out").
 * Made with the server's answers (the account's current log, the recovery status), so it fails with the
 * network: signing out never starts offline.
 */
export interface SignOutPlan {
  /** Other devices still active on the account's verified log: with none, the account lives only here. */
  readonly otherDevices: number;
  /**
   * Whether the account can come back without this device: a recovery key the user confirmed saving
   * whose sealed blob the server holds, or a passphrase that unlocks it.
   */
  readonly recoverable: boolean;
  /** Messages (and reactions, edits, deletions) written here and not yet stored by the server: lost. */
  readonly unsent: number;
}

export async function signOutPlan(ctx: ClientContext): Promise<SignOutPlan> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account");
  await refreshLog(ctx, account.accountId);
  const state = await stateOf(ctx, account.accountId);
  const status = await ctx.recoveryApi.status();
  // Delivered and read marks are not the user's words: they are not counted as lost messages.
  const unsent = (await listMessagesByStatus(ctx.db, "pending")).filter((m) => m.kindNumber !== ContentKind.receipt).length;
  return {
    otherDevices: state.devices.filter((d) => d.deviceId !== device.deviceId).length,
    recoverable: status.passphraseBlob !== null || (status.blob !== null && account.recoveryConfirmed),
    unsent,
  };
}

/**
 * Signs this browser out (issues 19 and 21): the server first, then everything local.
 *
 * With another device on the account, this device appends a leave entry (docs/PROTOCOL.md "Device log",
 * kind 6) signed by the identity key and its own DSK; the server marks it removed and deletes its
 * sessions, sockets and push subscription before answering. The only device cannot leave (an account
 * needs one): it logs out, which deletes its session and push subscription too. Then the session cookie
 * is cleared (logging out is idempotent, and clears the cookie of a session that died with the device),
 * the browser's push subscription is dropped, and the local store, drafts, alarms, shown notifications,
 * the app badge and files shared into the app are deleted.
 *
 * Nothing local is touched until the server has answered: a failure there (offline) throws with every
 * key and message still in place.
 */
export async function signOut(ctx: ClientContext, o: { unsubscribePush: () => Promise<void> }): Promise<void> {
  const account = await getAccount(ctx.db);
  const device = await getDevice(ctx.db);
  if (!account || !device) throw new ClientError("not_signed_up", "this device has no account");
  await refreshLog(ctx, account.accountId);
  const current = (await getAccount(ctx.db))!;
  const state = await stateOf(ctx, current.accountId);
  if (state.devices.some((d) => d.deviceId !== device.deviceId)) {
    // A leave is signed with the current identity key: one still on its way from another device's
    // rotation is "keys_pending", said before anything is sent.
    assertCurrentSecrets(current, state);
    const { bytes } = await makeEntry(
      ctx.env,
      { kind: EntryKind.leave, seq: current.head.seq + 1, prev: current.head.hash, createdAt: ctx.now(), payload: encodeLeavePayload({ leavingDeviceId: device.deviceId }) },
      [
        { role: SignerRole.identity, privateKey: current.identityKey, publicKey: current.identityPublic },
        { role: SignerRole.device, privateKey: device.signingKey, publicKey: device.signingPublic },
      ],
    );
    // The entry must verify here first: a bad one is refused by the server after nothing changed.
    await verifyLog(ctx.env, [...current.log, bytes], current.accountId);
    await ctx.linkApi.appendLog(current.accountId, bytes);
  } else {
    await ctx.api.logOut();
  }
  // From here on the server holds this device as gone; what follows only tidies, and never stops the wipe.
  await ctx.api.logOut().catch((e: unknown) => console.warn("could not clear the session cookie:", e));
  await o.unsubscribePush().catch((e: unknown) => console.warn("could not drop the push subscription:", e));
  await wipeDevice(ctx, { removed: false });
  await clearLocalLeftovers();
}

/** Cache Storage names holding user data (files shared into the app: pwa/share-inbox.ts), not the app shell. */
const USER_DATA_CACHES = ["sealed-share-inbox"];

/**
 * localStorage keys of this app ("sealed-..." and "sealed.installed"): all go but the theme, a choice
 * about this browser rather than the account. Drafts, alarms, per-device settings and markers go.
 */
const KEPT_KEYS = new Set(["sealed-setting:theme"]);

async function clearLocalLeftovers(): Promise<void> {
  // Shown notifications carry message text (sender, preview) and the badge an unread count.
  if (typeof navigator !== "undefined" && "serviceWorker" in navigator) {
    const reg = await navigator.serviceWorker.getRegistration("/").catch(() => undefined);
    for (const n of (await reg?.getNotifications().catch(() => [])) ?? []) n.close();
    if ("clearAppBadge" in navigator) await navigator.clearAppBadge().catch(() => undefined);
  }
  if (typeof caches !== "undefined") {
    for (const name of USER_DATA_CACHES) await caches.delete(name).catch(() => false);
  }
  if (typeof localStorage !== "undefined") {
    const keys = Array.from({ length: localStorage.length }, (_, i) => localStorage.key(i)).filter((k): k is string => k !== null);
    for (const k of keys) if (k.startsWith("sealed") && !KEPT_KEYS.has(k)) localStorage.removeItem(k);
  }
}
