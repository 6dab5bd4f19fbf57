import { msg } from "@lit/localize";
import { ClientError } from "../errors.js";

/**
 * Why notifications could not be turned on (push/facade.ts); each code has one sentence for people
 * (pushErrorText). `unsupported`: no service worker or Push API here; `denied`: the browser's
 * notification permission was refused; `timeout`: the push service did not answer (offline, or the
 * browser's push service is unreachable); `failed`: subscribing failed otherwise.
 */
export type PushErrorCode = "unsupported" | "denied" | "timeout" | "failed";

export class PushError extends ClientError<PushErrorCode> {
  override readonly name = "PushError";
}

export function isPushError(e: unknown): e is PushError {
  return e instanceof PushError;
}

export function pushErrorText(code: PushErrorCode): string {
  switch (code) {
    case "unsupported":
      return msg("This browser can't show notifications from Sealed when it is closed. Try installing the app, or another browser.");
    case "denied":
      return msg("Notifications are blocked for Sealed. Allow them in the browser's site settings, then try again.");
    case "timeout":
      return msg("The browser's push service didn't answer. Check your connection and try again.");
    case "failed":
      return msg("Notifications could not be turned on. Try again later.");
  }
}
