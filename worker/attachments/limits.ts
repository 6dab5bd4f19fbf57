import { MAX_ATTACHMENT_PLAINTEXT_BYTES, encryptedSize } from "../../protocol/attachment-format.js";
import type { Bindings } from "../env.js";
import { ServerFault } from "../errors.js";

/** The largest file, in plaintext bytes, unless ATTACHMENT_MAX_BYTES says otherwise (issue 18: 100 MB). */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024;
/** Each account's stored attachments together, in ciphertext bytes, unless ATTACHMENT_QUOTA_BYTES says otherwise. */
export const DEFAULT_ATTACHMENT_QUOTA_BYTES = 2 * 1024 ** 3;
const MAX_QUOTA_BYTES = 2 ** 50;

/**
 * The blob of the largest file allowed: exactly what protocol/ encrypts a file of `plainBytes` to
 * (docs/PROTOCOL.md "Attachment": a 41-byte header and a 16-byte tag per 64 KiB chunk).
 */
export function maxCiphertextBytes(plainBytes: number): number {
  return encryptedSize(plainBytes);
}

export interface AttachmentLimits {
  /** The largest file in plaintext bytes, as the limit is stated to people. */
  readonly maxPlainBytes: number;
  /** The largest blob the server takes: maxPlainBytes encrypted. */
  readonly maxBytes: number;
  /** The account's live attachments together, in ciphertext bytes. */
  readonly quotaBytes: number;
}

/** The limits of a deployment. A value that is not a whole number in range fails loudly rather than quietly changing the limit. */
export function attachmentLimits(env: Bindings): AttachmentLimits {
  const maxPlainBytes = configured(env.ATTACHMENT_MAX_BYTES, "ATTACHMENT_MAX_BYTES", DEFAULT_ATTACHMENT_MAX_BYTES, MAX_ATTACHMENT_PLAINTEXT_BYTES);
  const quotaBytes = configured(env.ATTACHMENT_QUOTA_BYTES, "ATTACHMENT_QUOTA_BYTES", DEFAULT_ATTACHMENT_QUOTA_BYTES, MAX_QUOTA_BYTES);
  return { maxPlainBytes, maxBytes: maxCiphertextBytes(maxPlainBytes), quotaBytes };
}

function configured(raw: string | undefined, name: string, fallback: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : NaN;
  if (!(n <= max)) throw new ServerFault(`${name} must be a whole number of bytes from 1 to ${max}, not ${JSON.stringify(raw)}`);
  return n;
}
