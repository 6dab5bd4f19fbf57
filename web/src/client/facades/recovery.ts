import type { z } from "zod";
import type { recoveryStatusResponse } from "../../../../protocol/api.js";
import type { ClientContext } from "../context.js";
import { refreshLog } from "../identity/logs.js";
import { getAccount } from "../store/db.js";
import { generatePassphrase } from "../recovery/passphrase-strength.js";
// Each from its own file, not through recovery/recovery.ts: that door also holds restore and rotation,
// which load on demand (below).
import { keyFileText } from "../recovery/key-file.js";
import { recoveriesSeen } from "../recovery/recoveries-seen.js";
import { removePassphrase, setPassphrase } from "../recovery/passphrase.js";
import { resealRecoveryBlob } from "../recovery/reseal.js";
import type { RestoreInput } from "../recovery/open.js";

/** Argon2id (WASM) loads on first use: only the recovery screens need it, so it stays out of the start bundle. */
async function argon2id() {
  return (await import("../recovery/argon2.js")).argon2id;
}

/**
 * Restoring and rotating the recovery key load on first use too (only the restore screen and recovery
 * settings call them), so they stay out of the app shell.
 */
async function restoreAccount() {
  return (await import("../recovery/restore.js")).restoreAccount;
}

async function rotateRecoveryKey() {
  return (await import("../recovery/rotation.js")).rotateRecoveryKey;
}

/** What restoring needs from the screen: everything but the Argon2id implementation, which the client brings. */
export type RestoreRequest = Omit<RestoreInput, "argon2id">;

/**
 * `client.recovery`: the recovery key, the optional passphrase, the key file, and restoring an account
 * on a browser that has nothing (docs/PROTOCOL.md "Recovery").
 */
export class RecoveryFacade {
  constructor(private readonly ctx: ClientContext) {}

  /** When recovery was last used and which blobs the server holds. */
  status(): Promise<z.output<typeof recoveryStatusResponse>> {
    return this.ctx.recoveryApi.status();
  }

  async setPassphrase(p: { recoveryKey: string; passphrase: string }): Promise<void> {
    await setPassphrase(this.ctx, await argon2id(), p);
  }

  async removePassphrase(): Promise<void> {
    await removePassphrase(this.ctx);
  }

  keyFileText(): Promise<string> {
    return keyFileText(this.ctx);
  }

  /** Stores the recovery blob again (when signing up could not). */
  async storeBlob(): Promise<void> {
    await resealRecoveryBlob(this.ctx);
  }

  async rotateKey(p: { passphrase?: string } = {}): Promise<{ recoveryKey: string; passphraseKept: boolean }> {
    return (await rotateRecoveryKey())(this.ctx, await argon2id(), p);
  }

  /** Six random words from the word list, as a suggestion. */
  generatePassphrase(): string {
    return generatePassphrase(this.ctx.env);
  }

  /** Joins the account as a new device of this browser once the key opened its recovery data. */
  async restore(input: RestoreRequest): Promise<{ username: string }> {
    const account = await (await restoreAccount())(this.ctx, { ...input, argon2id: await argon2id() });
    return { username: account.username };
  }

  /** Recover entries made after this device joined ("your account was recovered on a new device"). */
  seen(): Promise<{ seq: number; createdAt: number }[]> {
    return recoveriesSeen(this.ctx);
  }

  /** Re-reads this account's own log (it may have grown while this device was away). */
  async refreshOwnLog(): Promise<void> {
    const account = await getAccount(this.ctx.db);
    if (account) await refreshLog(this.ctx, account.accountId);
  }
}
