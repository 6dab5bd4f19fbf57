import { fail } from "./errors.js";

// TextEncoder/TextDecoder exist in every runtime we target but not in the ES lib this package compiles
// against (no DOM, no Workers types), so they are reached through a typed view of globalThis.
interface TextCodecs {
  TextEncoder: new () => { encode(text: string): Uint8Array; encodeInto(text: string, into: Uint8Array): { read: number; written: number } };
  TextDecoder: new (label: string, options: { fatal: boolean }) => { decode(bytes: Uint8Array): string };
}
const codecs = globalThis as unknown as TextCodecs;
const encoder = new codecs.TextEncoder();
const decoder = new codecs.TextDecoder("utf-8", { fatal: true });

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/**
 * The UTF-8 length TextEncoder gives `text` (a lone surrogate becomes U+FFFD, 3 bytes), counted without
 * encoding, so a caller can size one buffer and encode into it (utf8Into).
 */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Encodes `text` as UTF-8 into `into` (which must have room) and returns the bytes written. */
export function utf8Into(text: string, into: Uint8Array): number {
  const { read, written } = encoder.encodeInto(text, into);
  if (read !== text.length) throw new RangeError("utf8Into: no room for the text");
  return written;
}

export function fromUtf8(bytes: Uint8Array): string {
  try {
    return decoder.decode(bytes);
  } catch {
    return fail("malformed", "text is not valid UTF-8");
  }
}

export function concat(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time comparison for equal lengths (length itself is not secret here). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

export function isAllZero(a: Uint8Array): boolean {
  // An index loop, not for-of: the iterator cost more than the loop for the IV and previous hash of
  // every envelope (issue 23).
  let acc = 0;
  for (let i = 0; i < a.length; i++) acc |= a[i]!;
  return acc === 0;
}

const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** Each character code's 6-bit value, or -1: a table lookup per character (a Map lookup cost 41 µs per envelope). */
const B64URL_INDEX = new Int8Array(128).fill(-1);
for (let i = 0; i < B64URL.length; i++) B64URL_INDEX[B64URL.charCodeAt(i)] = i;
const B64URL_TEXT = /^[A-Za-z0-9_-]*$/;

/** Character codes of B64URL; toBase64url collects codes in a plain array and makes one string per chunk. */
const B64URL_CODES = Array.from(B64URL, (c) => c.charCodeAt(0));
/** Input bytes per chunk: 8,192 characters, few enough to pass as arguments to String.fromCharCode. */
const B64_CHUNK = 6144;

/**
 * RFC 4648 section 5 base64url, without padding. One string per 6 KB instead of one concatenation per
 * 3 bytes (a plain array of codes passed to String.fromCharCode was the fastest in Chromium): every id
 * of a received envelope goes through here (issue 23, per-message cost).
 */
export function toBase64url(bytes: Uint8Array): string {
  let out = "";
  for (let start = 0; start < bytes.length; start += B64_CHUNK) {
    const end = Math.min(bytes.length, start + B64_CHUNK);
    const codes: number[] = [];
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
      codes.push(B64URL_CODES[n >> 18]!, B64URL_CODES[(n >> 12) & 63]!, B64URL_CODES[(n >> 6) & 63]!, B64URL_CODES[n & 63]!);
    }
    const rest = end - i;
    if (rest > 0) {
      const n = (bytes[i]! << 16) | (rest === 2 ? bytes[i + 1]! << 8 : 0);
      codes.push(B64URL_CODES[n >> 18]!, B64URL_CODES[(n >> 12) & 63]!);
      if (rest === 2) codes.push(B64URL_CODES[(n >> 6) & 63]!);
    }
    out += String.fromCharCode.apply(null, codes);
  }
  return out;
}

/** Strict base64url decode: no padding, no whitespace, canonical trailing bits. */
export function fromBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) fail("malformed", "base64url length is impossible");
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? (B64URL_INDEX[c] as number) : -1;
    if (v < 0) fail("malformed", "not base64url");
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) fail("malformed", "base64url has non-zero trailing bits");
  return out;
}

/**
 * The byte length fromBase64url(text) would return, with the same checks (length, alphabet, zero
 * trailing bits), without decoding: for schemas that bound a field's size and leave decoding to the
 * one place that needs the bytes.
 */
export function base64urlByteLength(text: string): number {
  if (text.length % 4 === 1) fail("malformed", "base64url length is impossible");
  if (!B64URL_TEXT.test(text)) fail("malformed", "not base64url");
  const rest = text.length % 4;
  if (rest !== 0) {
    const last = B64URL_INDEX[text.charCodeAt(text.length - 1)] as number;
    if ((last & (rest === 2 ? 0xf : 0x3)) !== 0) fail("malformed", "base64url has non-zero trailing bits");
  }
  return Math.floor((text.length * 3) / 4);
}

export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) fail("malformed", "not hex");
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}
