import { Writer } from "./codec.js";
import type { AccountId } from "./ids.js";
import { AccountId as AccountIdCodec } from "./ids.js";
import { Label } from "./labels.js";
import type { CryptoEnv } from "./subtle.js";

/**
 * Safety number of a pair of accounts, from the two account ids alone (so it survives valid key
 * rotations): per account, 1024 rounds of SHA-512 over the label and id, 30 bytes read as six 5-digit
 * groups; the two halves are ordered by account id. 60 digits, shown as 12 groups of 5.
 */
const ROUNDS = 1024;

/** The 30 bytes of one account's half (its "fingerprint"), before they are read as digits. */
export async function safetyNumberHalf(env: CryptoEnv, id: AccountId): Promise<Uint8Array> {
  const idBytes = AccountIdCodec.toBytes(id);
  let h = new Writer().str(Label.safetyNumber).vbytes(idBytes).finish();
  for (let i = 0; i < ROUNDS; i++) {
    const next = new Uint8Array(h.length + idBytes.length);
    next.set(h);
    next.set(idBytes, h.length);
    h = new Uint8Array(await env.subtle.digest("SHA-512", next));
  }
  return h.slice(0, 30);
}

function digitsOf(h: Uint8Array): string {
  let out = "";
  for (let i = 0; i < 30; i += 5) {
    const n = ((h[i]! * 2 ** 32 + ((h[i + 1]! << 24) >>> 0) + (h[i + 2]! << 16) + (h[i + 3]! << 8) + h[i + 4]!) % 100000);
    out += n.toString().padStart(5, "0");
  }
  return out;
}

export async function safetyNumber(env: CryptoEnv, a: AccountId, b: AccountId): Promise<string> {
  const [first, second] = a < b ? [a, b] : [b, a];
  const digits = digitsOf(await safetyNumberHalf(env, first)) + digitsOf(await safetyNumberHalf(env, second));
  return digits.match(/.{5}/g)!.join(" ");
}
