import { bytesEqual, utf8 } from "./bytes.js";
import { fail } from "./errors.js";
import { Label } from "./labels.js";
import { hashLabelled, hkdf, importSeed } from "./primitives.js";
import type { CryptoEnv, Key } from "./subtle.js";

/**
 * The recovery key RK: 128 random bits plus a 32-bit checksum, written as 32 Crockford base32
 * characters in 8 groups of 4. HKDF expands RK into the recovery signing key (Ed25519), the recovery box
 * key (X25519) and a wrapping key. docs/PROTOCOL.md "Recovery key".
 */
export const RECOVERY_KEY_BYTES = 16;
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

export function generateRecoveryKey(env: CryptoEnv): Uint8Array {
  return env.randomBytes(RECOVERY_KEY_BYTES);
}

async function checksum(env: CryptoEnv, rk: Uint8Array): Promise<Uint8Array> {
  return (await hashLabelled(env, Label.recoveryCheck, rk)).subarray(0, 4);
}

export async function formatRecoveryKey(env: CryptoEnv, rk: Uint8Array): Promise<string> {
  if (rk.length !== RECOVERY_KEY_BYTES) fail("malformed", "recovery key must be 16 bytes");
  const all = new Uint8Array(20);
  all.set(rk);
  all.set(await checksum(env, rk), 16);
  let bits = 0;
  let acc = 0;
  let out = "";
  for (const byte of all) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += CROCKFORD[(acc >> bits) & 31];
    }
  }
  return out.match(/.{4}/g)!.join("-");
}

/** Accepts any case, spaces or dashes, and Crockford's look-alikes (O=0, I=L=1). */
export async function parseRecoveryKey(env: CryptoEnv, text: string): Promise<Uint8Array> {
  const clean = text.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  if (clean.length !== 32) fail("malformed", "a recovery key has 32 characters");
  const all = new Uint8Array(20);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const ch of clean) {
    const v = CROCKFORD.indexOf(ch);
    if (v < 0) fail("malformed", `'${ch}' is not a recovery key character`);
    acc = ((acc << 5) | v) & 0xffff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      all[o++] = (acc >> bits) & 0xff;
    }
  }
  const rk = all.slice(0, 16);
  if (!bytesEqual(await checksum(env, rk), all.subarray(16))) fail("bad_checksum", "recovery key checksum does not match: check for a typo");
  return rk;
}

export interface RecoveryKeys {
  readonly signing: { readonly privateKey: Key; readonly publicKey: Uint8Array };
  readonly box: { readonly privateKey: Key; readonly publicKey: Uint8Array };
  /** 32 bytes for the recovery blob's AES-GCM key (used by the recovery flow). */
  readonly wrapKeyBytes: Uint8Array;
}

/** HKDF-SHA-256 with RK as IKM, empty salt, and one info label per derived key. */
export async function deriveRecoveryKeys(env: CryptoEnv, rk: Uint8Array): Promise<RecoveryKeys> {
  if (rk.length !== RECOVERY_KEY_BYTES) fail("malformed", "recovery key must be 16 bytes");
  const salt = new Uint8Array(0);
    const signingSeed = await hkdf(env, rk, salt, utf8(Label.recoverySigning), 32);
  const boxSeed = await hkdf(env, rk, salt, utf8(Label.recoveryBox), 32);
  const wrapKeyBytes = await hkdf(env, rk, salt, utf8(Label.recoveryWrap), 32);
  const signing = await importSeed(env, "Ed25519", signingSeed);
  const box = await importSeed(env, "X25519", boxSeed);
  signingSeed.fill(0);
  boxSeed.fill(0);
  return { signing, box, wrapKeyBytes };
}
