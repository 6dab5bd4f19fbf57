import { isApiError } from "../transport/api.js";
import { isClientError } from "../errors.js";
import type { UploadError } from "../store/upload-row.js";

/**
 * What a failed step of an upload means (docs/decisions.md "Sending attachments"). `wait`: no answer, a
 * server fault, a timeout or a rate limit: retried with backoff (state "waiting"); `network` says it was
 * the network, so the next pass that reaches the server retries at once. `session`: log in again first.
 * `refused`: the server said no for this file (413, 403, 404 on creating it): state "failed", with a
 * sentence to show, until the user retries.
 */
export type UploadFailure = { readonly kind: "wait"; readonly network: boolean } | { readonly kind: "session" } | { readonly kind: "refused"; readonly error: UploadError };

const SENTENCES: Record<string, string> = {
  too_large: "This file is too large to send.",
  quota_exceeded: "Your space for files is full. Delete some sent files, or wait a day for unsent uploads to expire.",
  not_member: "You can no longer send to this chat.",
  forbidden: "You can no longer send to this chat.",
  not_found: "This chat is not on the server any more.",
  attachment_corrupt: "The file could not be encrypted.",
  attachment_too_large: "This file is too large to send.",
  attachment_failed: "The file could not be read. Try again.",
};

export function classifyUploadError(e: unknown): UploadFailure {
  if (isApiError(e)) {
    if (e.status === 401) return { kind: "session" };
    if (e.status === 0) return { kind: "wait", network: true };
    if (e.status >= 500 || e.status === 408 || e.status === 429 || e.code === "bad_response" || e.status < 400) return { kind: "wait", network: false };
    return { kind: "refused", error: { code: e.code.slice(0, 64), message: SENTENCES[e.code] ?? `The server refused this file (${e.message.slice(0, 200)}).` } };
  }
  if (isClientError(e)) return { kind: "refused", error: { code: e.code, message: SENTENCES[e.code] ?? "The file could not be sent. Try again." } };
  const detail = e instanceof Error ? e.message : String(e);
  return { kind: "refused", error: { code: "attachment_failed", message: `The file could not be sent (${detail.slice(0, 200)}).` } };
}
