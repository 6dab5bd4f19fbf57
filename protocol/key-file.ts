import { fromBase64url, toBase64url } from "./bytes.js";
import { Reader, Writer } from "./codec.js";
import { fail } from "./errors.js";
import { parseUsername } from "./ids.js";

/**
 * The key file a user can download instead of (or besides) writing the recovery key down: the username,
 * the recovery blob and, when a passphrase is set, the passphrase blob, as text. Opening it needs the
 * recovery key or the passphrase; the file alone reveals nothing. docs/PROTOCOL.md "Key file".
 */
export const KEY_FILE_VERSION = 1;
export const KEY_FILE_HEADER = "SEALED KEY FILE v1";

export interface KeyFile {
  readonly username: string;
  readonly recoveryBlob: Uint8Array;
  readonly passphraseBlob?: Uint8Array;
}

export function encodeKeyFile(k: KeyFile): string {
  const bytes = new Writer().u8(KEY_FILE_VERSION).str(k.username).vbytes(k.recoveryBlob).vbytes(k.passphraseBlob ?? new Uint8Array(0)).finish();
  const body = toBase64url(bytes).match(/.{1,76}/g)!.join("\n");
  return `${KEY_FILE_HEADER}\n${body}\n`;
}

export function decodeKeyFile(text: string): KeyFile {
  if (text.length > 16_384) fail("out_of_bounds", "key file too large");
  const lines = text.replace(/\r/g, "").trim().split("\n");
  if (lines[0] !== KEY_FILE_HEADER) fail("malformed", "this is not a Sealed key file");
  const r = new Reader(fromBase64url(lines.slice(1).join("")), "key file");
  const version = r.u8("version");
  if (version !== KEY_FILE_VERSION) fail("unsupported_version", `key file version ${version}`);
  const rawName = r.str(32, "username");
  const username = parseUsername(rawName);
  if (username !== rawName) fail("malformed", "key file username is not canonical");
  const recoveryBlob = r.vbytes(1, 2048, "recoveryBlob");
  const passphraseBlob = r.vbytes(0, 512, "passphraseBlob");
  r.end();
  return passphraseBlob.length ? { username, recoveryBlob, passphraseBlob } : { username, recoveryBlob };
}
