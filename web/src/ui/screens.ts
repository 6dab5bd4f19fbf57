import type { ScreenLoader } from "./screen-loads.js";

/*
 * The screens kept out of the app shell and loaded on first use (docs/decisions.md "Screens loaded on
 * demand"): each is a separate chunk, which the service worker precaches after install so they open
 * offline too. One function per screen, so loadScreen() loads each once.
 */

/** Settings with everything under it: devices (and linking a device from here), typing, receipts, recovery. */
export const settingsScreen: ScreenLoader = () => Promise.all([import("./sealed-settings.js"), import("./sealed-recovery-settings.js")]);
/** This browser joins an existing account: shows a QR code (the qrcode generator loads from there). */
export const linkNewScreen: ScreenLoader = () => import("./sealed-link-new.js");
/** Restore an account with the recovery key. */
export const restoreScreen: ScreenLoader = () => import("./sealed-restore.js");
/** The one-time recovery key after signing up. */
export const recoveryKeyScreen: ScreenLoader = () => import("./sealed-recovery-key.js");
/** The browser deleted this device's data. */
export const evictedScreen: ScreenLoader = () => import("./sealed-evicted.js");
/** This device was removed from the account. */
export const removedScreen: ScreenLoader = () => import("./sealed-removed.js");
/** The new group dialog. */
export const newGroupDialog: ScreenLoader = () => import("./sealed-new-group-dialog.js");
