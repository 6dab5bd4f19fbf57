import { fromBase64url, toBase64url, utf8 } from "../../protocol/bytes.js";
import { P256_POINT_BYTES } from "../../protocol/push.js";

/**
 * VAPID (RFC 8292): the server identifies itself to push services with an ES256 JWT signed by its
 * P-256 key, whose public half the browser subscribed with (applicationServerKey).
 * Keys come from the Worker env: VAPID_PUBLIC_KEY is base64url of the 65-byte uncompressed point,
 * VAPID_PRIVATE_KEY base64url of the 32-byte private scalar d (the form web-push tools print). They are
 * parsed and checked (the private key must sign what the public key verifies) once per isolate.
 */
export interface VapidKeys {
  /** The uncompressed public point, base64url: GET /api/push/vapid and the `k=` of the header. */
  readonly publicKey: string;
  readonly signingKey: CryptoKey;
  readonly subject: string;
}

export interface VapidEnv {
  readonly VAPID_PUBLIC_KEY?: string;
  readonly VAPID_PRIVATE_KEY?: string;
  readonly VAPID_SUBJECT?: string;
}

export const DEFAULT_VAPID_SUBJECT = "mailto:admin@localhost";
/** RFC 8292 section 2: exp at most 24 h ahead; 12 h leaves room for clock skew at the push service. */
export const VAPID_JWT_LIFETIME_S = 12 * 3600;
const ECDSA_P256 = { name: "ECDSA", namedCurve: "P-256" } as const;
const ES256 = { name: "ECDSA", hash: "SHA-256" } as const;

async function parseVapid(env: VapidEnv): Promise<VapidKeys | string> {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY are not both set";
  const subject = env.VAPID_SUBJECT ?? DEFAULT_VAPID_SUBJECT;
  // RFC 8292 section 2.1: a mailto: or https: URI the push service can contact.
  if (!/^(mailto:[^\s]+|https:\/\/[^\s]+)$/.test(subject)) return "VAPID_SUBJECT must be a mailto: or https: URL";
  let point: Uint8Array;
  let d: Uint8Array;
  try {
    point = fromBase64url(env.VAPID_PUBLIC_KEY.trim());
    d = fromBase64url(env.VAPID_PRIVATE_KEY.trim());
  } catch {
    return "the VAPID keys are not base64url";
  }
  if (point.length !== P256_POINT_BYTES || point[0] !== 0x04) return `VAPID_PUBLIC_KEY must be a ${P256_POINT_BYTES}-byte uncompressed P-256 point`;
  if (d.length !== 32) return "VAPID_PRIVATE_KEY must be the 32-byte private scalar";
  const jwk = { kty: "EC", crv: "P-256", x: toBase64url(point.subarray(1, 33)), y: toBase64url(point.subarray(33)), d: toBase64url(d) };
  try {
    const signingKey = await crypto.subtle.importKey("jwk", jwk, ECDSA_P256, false, ["sign"]);
    const verifyKey = await crypto.subtle.importKey("raw", point, ECDSA_P256, false, ["verify"]);
    const probe = utf8("sealed vapid key check");
    if (!(await crypto.subtle.verify(ES256, verifyKey, await crypto.subtle.sign(ES256, signingKey, probe), probe))) return "the VAPID private key is not the public key's";
    return { publicKey: toBase64url(point), signingKey, subject };
  } catch (e) {
    return `the VAPID keys do not import: ${e instanceof Error ? e.message : String(e)}`;
  }
}

let cached: { readonly source: string; readonly keys: Promise<VapidKeys | undefined> } | undefined;

/**
 * The server's VAPID keys, or undefined when push is off (keys missing or invalid: logged once per
 * isolate, never thrown, so nothing that calls this can fail a request).
 */
export function vapidKeys(env: VapidEnv): Promise<VapidKeys | undefined> {
  const source = `${env.VAPID_PUBLIC_KEY ?? ""}|${env.VAPID_PRIVATE_KEY ?? ""}|${env.VAPID_SUBJECT ?? ""}`;
  if (cached?.source !== source) {
    const keys = parseVapid(env).then((r) => {
      if (typeof r === "string") {
        console.error(`Web Push is off: ${r}`);
        return undefined;
      }
      return r;
    });
    cached = { source, keys };
  }
  return cached.keys;
}

/**
 * The Authorization header value for one push service (RFC 8292 section 3): `vapid t=<JWT>, k=<key>`,
 * the JWT's aud the endpoint's origin, exp VAPID_JWT_LIFETIME_S from `nowMs`, sub the configured subject.
 */
export async function vapidAuthorization(keys: VapidKeys, endpoint: string, nowMs: number): Promise<string> {
  const header = toBase64url(utf8(JSON.stringify({ typ: "JWT", alg: "ES256" })));
  const claims = toBase64url(utf8(JSON.stringify({ aud: new URL(endpoint).origin, exp: Math.floor(nowMs / 1000) + VAPID_JWT_LIFETIME_S, sub: keys.subject })));
  const input = `${header}.${claims}`;
  // WebCrypto's ECDSA signature is r || s (IEEE P1363), which is exactly JWS's ES256 form (RFC 7518 section 3.4).
  const signature = new Uint8Array(await crypto.subtle.sign(ES256, keys.signingKey, utf8(input)));
  return `vapid t=${input}.${toBase64url(signature)}, k=${keys.publicKey}`;
}
