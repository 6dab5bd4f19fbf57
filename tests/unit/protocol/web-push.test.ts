import { describe, expect, it } from "vitest";
import { concat, fromBase64url, fromUtf8, toBase64url, utf8 } from "../../../protocol/bytes.js";
import { hkdf } from "../../../protocol/primitives.js";
import type { Key } from "../../../protocol/subtle.js";
import { MAX_PUSH_BODY_BYTES, PUSH_HEADER_BYTES, decryptPushPayload, encryptPushPayload } from "../../../protocol/web-push.js";
import { codeOf } from "./expect-code.js";
import { env } from "./fixtures.js";

// RFC 8291 Appendix A ("Encryption Example"), verbatim.
const RFC = {
  plaintext: "When I grow up, I want to be a watermelon",
  asPublic: "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8",
  asPrivate: "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw",
  uaPublic: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4",
  uaPrivate: "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94",
  salt: "DGv6ra1nlYgDCS1FRnbzlw",
  auth: "BTBZMqHH6r4Tts7J_aSIgg",
  body:
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml" +
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT" +
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN",
};

/** A P-256 ECDH private key from its scalar `d` and public point, as the RFC prints them. */
function importPrivate(d: string, point: string): Promise<Key> {
  const p = fromBase64url(point);
  const jwk = { kty: "EC", crv: "P-256", d, x: toBase64url(p.subarray(1, 33)), y: toBase64url(p.subarray(33, 65)) };
  return env.subtle.importKey("jwk", jwk, { name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"]);
}

const receiver = async () => ({ privateKey: await importPrivate(RFC.uaPrivate, RFC.uaPublic), p256dh: fromBase64url(RFC.uaPublic), auth: fromBase64url(RFC.auth) });

async function freshReceiver() {
  const pair = (await env.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, false, ["deriveBits"])) as { privateKey: Key; publicKey: Key };
  return { privateKey: pair.privateKey, p256dh: new Uint8Array((await env.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer), auth: env.randomBytes(16) };
}

describe("RFC 8291 Appendix A", () => {
  it("encrypting with the example's sender key and salt gives the example's body byte for byte", async () => {
    const ephemeral = { privateKey: await importPrivate(RFC.asPrivate, RFC.asPublic), publicKey: fromBase64url(RFC.asPublic) };
    const body = await encryptPushPayload(env, utf8(RFC.plaintext), { p256dh: fromBase64url(RFC.uaPublic), auth: fromBase64url(RFC.auth) }, { ephemeral, salt: fromBase64url(RFC.salt) });
    expect(toBase64url(body)).toBe(RFC.body);
  });

  it("decrypting the example's body with the receiver's keys gives the watermelon sentence", async () => {
    expect(fromUtf8(await decryptPushPayload(env, fromBase64url(RFC.body), await receiver()))).toBe(RFC.plaintext);
  });
});

describe("encryptPushPayload", () => {
  it("round-trips with a fresh sender key and salt each time, so two bodies of one text differ", async () => {
    const r = await freshReceiver();
    const a = await encryptPushPayload(env, utf8("hello"), r);
    const b = await encryptPushPayload(env, utf8("hello"), r);
    expect(toBase64url(a)).not.toBe(toBase64url(b));
    expect(a.length).toBe(PUSH_HEADER_BYTES + 5 + 1 + 16);
    expect(fromUtf8(await decryptPushPayload(env, a, r))).toBe("hello");
    expect(fromUtf8(await decryptPushPayload(env, b, r))).toBe("hello");
  });

  it("fills a body up to 4096 bytes and refuses one byte more", async () => {
    const r = await freshReceiver();
    const fits = new Uint8Array(MAX_PUSH_BODY_BYTES - PUSH_HEADER_BYTES - 17).fill(7);
    const body = await encryptPushPayload(env, fits, r);
    expect(body.length).toBe(MAX_PUSH_BODY_BYTES);
    expect(await decryptPushPayload(env, body, r)).toEqual(fits);
    expect(await codeOf(() => encryptPushPayload(env, new Uint8Array(fits.length + 1), r))).toBe("out_of_bounds");
  });

  it("refuses a receiver key that is not a P-256 point and an auth secret that is not 16 bytes", async () => {
    const r = await freshReceiver();
    const offCurve = new Uint8Array(65).fill(1);
    offCurve[0] = 4;
    expect(await codeOf(() => encryptPushPayload(env, utf8("x"), { ...r, p256dh: offCurve }))).toBe("malformed");
    expect(await codeOf(() => encryptPushPayload(env, utf8("x"), { ...r, p256dh: r.p256dh.subarray(1) }))).toBe("malformed");
    expect(await codeOf(() => encryptPushPayload(env, utf8("x"), { ...r, auth: new Uint8Array(15) }))).toBe("malformed");
    expect(await codeOf(() => encryptPushPayload(env, utf8("x"), r, { recordSize: 17 }))).toBe("out_of_bounds");
  });
});

/**
 * An independent aes128gcm record under the example's sender key and salt, with the padded plaintext
 * given as is (the encoder always appends 0x02 itself): RFC 8291 section 3.4 and RFC 8188 section 2.
 */
async function sealRfcRecord(r: { p256dh: Uint8Array; auth: Uint8Array }, padded: Uint8Array): Promise<Uint8Array> {
  const asPrivate = await importPrivate(RFC.asPrivate, RFC.asPublic);
  const uaKey = await env.subtle.importKey("raw", r.p256dh, { name: "ECDH", namedCurve: "P-256" }, true, []);
  const secret = new Uint8Array(await env.subtle.deriveBits({ name: "ECDH", public: uaKey }, asPrivate, 256));
  const asPublic = fromBase64url(RFC.asPublic);
  const ikm = await hkdf(env, secret, r.auth, concat(utf8("WebPush: info\0"), r.p256dh, asPublic), 32);
  const salt = fromBase64url(RFC.salt);
  const cek = await env.subtle.importKey("raw", await hkdf(env, ikm, salt, utf8("Content-Encoding: aes128gcm\0"), 16), { name: "AES-GCM" }, false, ["encrypt"]);
  const nonce = await hkdf(env, ikm, salt, utf8("Content-Encoding: nonce\0"), 12);
  const record = new Uint8Array(await env.subtle.encrypt({ name: "AES-GCM", iv: nonce }, cek, padded));
  return concat(fromBase64url(RFC.body).subarray(0, PUSH_HEADER_BYTES), record);
}

describe("decryptPushPayload refuses", () => {
  const example = () => fromBase64url(RFC.body);
  const withByte = (i: number, v: number) => {
    const b = example();
    b[i] = v;
    return b;
  };
  const withRs = (rs: number) => {
    const b = example();
    new DataView(b.buffer).setUint32(16, rs);
    return b;
  };

  it("the wrong auth secret (decrypt_failed)", async () => {
    const r = await receiver();
    const auth = r.auth.slice();
    auth[0]! ^= 1;
    expect(await codeOf(() => decryptPushPayload(env, example(), { ...r, auth }))).toBe("decrypt_failed");
  });

  it("another receiver's private key (decrypt_failed)", async () => {
    const r = await receiver();
    const other = await freshReceiver();
    expect(await codeOf(() => decryptPushPayload(env, example(), { ...r, privateKey: other.privateKey }))).toBe("decrypt_failed");
  });

  it("a flipped ciphertext byte or salt byte (decrypt_failed)", async () => {
    const r = await receiver();
    const last = example().length - 1;
    expect(await codeOf(async () => decryptPushPayload(env, withByte(last, example()[last]! ^ 1), r))).toBe("decrypt_failed");
    expect(await codeOf(async () => decryptPushPayload(env, withByte(0, example()[0]! ^ 1), r))).toBe("decrypt_failed");
  });

  it("a truncated body: cut in the header, cut to the header, cut in the tag", async () => {
    const r = await receiver();
    const b = example();
    expect(await codeOf(() => decryptPushPayload(env, b.subarray(0, 10), r))).toBe("malformed");
    expect(await codeOf(() => decryptPushPayload(env, b.subarray(0, PUSH_HEADER_BYTES), r))).toBe("malformed");
    expect(await codeOf(() => decryptPushPayload(env, b.subarray(0, b.length - 1), r))).toBe("decrypt_failed");
  });

  it("an idlen other than 65", async () => {
    const r = await receiver();
    expect(await codeOf(() => decryptPushPayload(env, withByte(20, 64), r))).toBe("malformed");
    expect(await codeOf(() => decryptPushPayload(env, withByte(20, 0), r))).toBe("malformed");
  });

  it("a record size below 18, or smaller than the record (two records are not a push message)", async () => {
    const r = await receiver();
    expect(await codeOf(() => decryptPushPayload(env, withRs(17), r))).toBe("out_of_bounds");
    expect(await codeOf(() => decryptPushPayload(env, withRs(0), r))).toBe("out_of_bounds");
    const recordLength = example().length - PUSH_HEADER_BYTES;
    expect(await codeOf(() => decryptPushPayload(env, withRs(recordLength - 1), r))).toBe("out_of_bounds");
    // The record size is not authenticated by the tag (RFC 8188 section 2.1): exactly the record's length is accepted.
    expect(fromUtf8(await decryptPushPayload(env, withRs(recordLength), r))).toBe(RFC.plaintext);
  });

  it("a body over 4096 bytes, and a keyid that is not a point", async () => {
    const r = await receiver();
    expect(await codeOf(() => decryptPushPayload(env, new Uint8Array(MAX_PUSH_BODY_BYTES + 1), r))).toBe("malformed");
    expect(await codeOf(() => decryptPushPayload(env, withByte(21, 0x05), r))).toBe("malformed");
  });

  it("a record that does not end with the last-record delimiter 0x02 (0x01 or no delimiter at all)", async () => {
    const r = await receiver();
    expect(fromUtf8(await decryptPushPayload(env, await sealRfcRecord(r, utf8("hi\u0002\u0000\u0000")), r))).toBe("hi");
    expect(await codeOf(async () => decryptPushPayload(env, await sealRfcRecord(r, utf8("hi\u0001")), r))).toBe("malformed");
    expect(await codeOf(async () => decryptPushPayload(env, await sealRfcRecord(r, new Uint8Array(4)), r))).toBe("malformed");
  });
});
