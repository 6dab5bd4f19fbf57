import {
  DeviceId,
  IV_BYTES,
  Reader,
  Writer,
  aesGcmDecrypt,
  aesGcmEncrypt,
  hkdf,
  importAesKey,
  labelled,
  utf8,
  x25519,
  type CryptoEnv,
  type Key,
} from "../../../../protocol/index.js";
import type { AccountRow } from "../store/rows.js";

/**
 * Device names are metadata the server need not see (DESIGN "Messages"): sealed under the account
 * history key. The AHK is an X25519 key, so the name key is HKDF of X25519(AHK private, AHK public), a
 * value only holders of the AHK private key can compute, bound to the generation and device id.
 * sealed = u32 generation || IV || AES-256-GCM(name). A web-client format (not in docs/PROTOCOL.md).
 */
const LABEL = "sealed/device-name/v1";

async function nameKey(env: CryptoEnv, historyKey: Key, historyPublic: Uint8Array, generation: number, deviceId: DeviceId): Promise<{ key: Key; aad: Uint8Array }> {
  const shared = await x25519(env, historyKey, historyPublic);
  const info = labelled(LABEL, new Writer().u32(generation).finish(), DeviceId.toBytes(deviceId));
  const raw = await hkdf(env, shared, new Uint8Array(0), info, 32);
  shared.fill(0);
  const key = await importAesKey(env, raw, false, ["encrypt", "decrypt"]);
  raw.fill(0);
  return { key, aad: info };
}

export async function sealDeviceName(env: CryptoEnv, account: AccountRow, deviceId: DeviceId, name: string): Promise<Uint8Array> {
  const { key, aad } = await nameKey(env, account.historyKey, account.historyPublic, account.historyGeneration, deviceId);
  const iv = env.randomBytes(IV_BYTES);
  const ct = await aesGcmEncrypt(env, key, iv, aad, utf8(name.slice(0, 64)));
  return new Writer().u32(account.historyGeneration).fixed(iv, IV_BYTES).fixed(ct, ct.length).finish();
}

/** The name, or undefined when it was sealed under another history generation or does not open. */
export async function openDeviceName(env: CryptoEnv, account: AccountRow, deviceId: DeviceId, sealed: Uint8Array): Promise<string | undefined> {
  try {
    const r = new Reader(sealed, "device name");
    const generation = r.u32("generation");
    if (generation !== account.historyGeneration) return undefined;
    const iv = r.fixed(IV_BYTES, "iv");
    const ct = sealed.subarray(r.offset);
    const { key, aad } = await nameKey(env, account.historyKey, account.historyPublic, generation, deviceId);
    return new TextDecoder().decode(await aesGcmDecrypt(env, key, iv, aad, ct));
  } catch {
    return undefined;
  }
}

/**
 * `base`, or "base 2", "base 3"... when another device of the account already has it, so that six browsers
 * of one kind are told apart in the device list (each can still be renamed).
 */
export function distinctDeviceName(base: string, taken: Iterable<string>): string {
  const names = new Set(taken);
  if (!names.has(base)) return base;
  for (let n = 2; ; n++) if (!names.has(`${base} ${n}`)) return `${base} ${n}`;
}

/** A name defaultDeviceName makes ("Firefox on Windows"), as opposed to one a person typed. */
export function isDefaultDeviceName(name: string): boolean {
  return /^(Edge|Firefox|Chrome|Safari|Browser)( on (Android|iOS|macOS|Windows|Linux))?$/.test(name);
}

/** A default device name such as "Chrome on Linux", from the user agent (editable before linking). */
export function defaultDeviceName(ua: string = typeof navigator === "undefined" ? "" : navigator.userAgent): string {
  const browser = /Edg\//.test(ua) ? "Edge" : /Firefox\//.test(ua) ? "Firefox" : /Chrom(e|ium)\//.test(ua) ? "Chrome" : /Safari\//.test(ua) ? "Safari" : "Browser";
  const os = /Android/.test(ua) ? "Android" : /iPhone|iPad/.test(ua) ? "iOS" : /Mac OS X/.test(ua) ? "macOS" : /Windows/.test(ua) ? "Windows" : /Linux/.test(ua) ? "Linux" : "";
  return os ? `${browser} on ${os}` : browser;
}
