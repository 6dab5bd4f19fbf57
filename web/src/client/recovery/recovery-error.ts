/**
 * The recovery errors: a ClientError subclass with its own codes (ui/recovery-error-text.ts has their
 * sentences), and the mapping of the recovery server's refusals onto them.
 */
import { ClientError, type ErrorCause } from "../errors.js";
import { isApiError } from "../transport/api.js";

export type RecoveryErrorCode =
  | "bad_recovery_key" // not a recovery key: not 32 characters, or a character recovery keys do not use
  | "recovery_key_typo" // 32 good characters whose checksum does not match: a character is mistyped
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

export class RecoveryError extends ClientError<RecoveryErrorCode> {
  override readonly name = "RecoveryError";
  /** With too_many_tries: how long the server asks to wait. */
  readonly retryAfterSeconds: number | undefined;
  constructor(code: RecoveryErrorCode, message: string, options: ErrorCause & { readonly retryAfterSeconds?: number } = {}) {
    super(code, message, "cause" in options ? { cause: options.cause } : {});
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isRecoveryError(e: unknown, code?: RecoveryErrorCode): e is RecoveryError {
  return e instanceof RecoveryError && (code === undefined || e.code === code);
}

/** The recovery server's refusals a person can act on, as RecoveryErrors (the rest pass unchanged). */
export function fromApi(e: unknown): never {
  if (isApiError(e, "rate_limited")) throw new RecoveryError("too_many_tries", e.message, { cause: e, retryAfterSeconds: e.retryAfterSeconds });
  if (isApiError(e, "wrong_passphrase")) throw new RecoveryError("wrong_passphrase", "the passphrase is wrong", { cause: e });
  if (isApiError(e, "not_found")) throw new RecoveryError("no_recovery", "no recovery data for that username", { cause: e });
  throw e;
}
