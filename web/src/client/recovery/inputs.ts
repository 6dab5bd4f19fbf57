/**
 * What a person or the server hands to recovery, parsed before use: a typed recovery key (checksum
 * first, so a typo is caught before anything is fetched) and Argon2id parameters (the version's bounds
 * before any run, so a downgrade is refused).
 */
import { checkKdfParams, isProtocolError, parseRecoveryKey, type KdfParams } from "../../../../protocol/index.js";
import type { ClientContext } from "../context.js";
import { RecoveryError } from "./recovery-error.js";

/** The typed key's bytes, or bad_recovery_key (its form) or recovery_key_typo (its checksum). */
export async function parseTypedKey(ctx: ClientContext, text: string): Promise<Uint8Array> {
  try {
    return await parseRecoveryKey(ctx.env, text);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError(e.code === "bad_checksum" ? "recovery_key_typo" : "bad_recovery_key", e.message, { cause: e });
    throw e;
  }
}

/** Server-supplied parameters pass the version's bounds before any Argon2id run (a downgrade is refused). */
export function checkedParams(p: { memoryKiB: number; iterations: number; parallelism: number; salt: Uint8Array }): KdfParams {
  try {
    checkKdfParams(p);
  } catch (e) {
    if (isProtocolError(e)) throw new RecoveryError("weak_kdf", e.message, { cause: e });
    throw e;
  }
  return p;
}
