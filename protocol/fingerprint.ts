import { AccountId } from "./ids.js";

/**
 * A short, readable fingerprint of an account id (docs/PROTOCOL.md "Linking a device"): the first 10
 * bytes (80 bits) in Crockford base32, 16 characters in 4 groups of 4. Shown on both devices while
 * linking, so the user can see that the new device is about to join the account their own device holds.
 * 80 bits are far beyond what a stranger could match by grinding genesis entries during one link.
 */
export const FINGERPRINT_BYTES = 10;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function accountFingerprint(accountId: AccountId): string {
  const bytes = AccountId.toBytes(accountId).subarray(0, FINGERPRINT_BYTES);
  let acc = 0;
  let bits = 0;
  let out = "";
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
  }
  return out.match(/.{4}/g)!.join(" ");
}
